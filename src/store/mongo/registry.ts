/**
 * The model registry on MongoDB (collections `registered_models` and `model_versions`).
 *
 * Concurrency: each registered model document holds a `versionCounter`; a registration takes its number with one
 * atomic `$inc` (findOneAndUpdate), so two concurrent registrations always get different numbers.
 *
 * Alias moves: the alias map and the promotion history live in the same model document, and a move is one update
 * that sets the alias AND pushes the history entry, filtered on the alias's current value (compare-and-set). Two
 * movers cannot both win, and a move is never recorded without its history entry.
 *
 * Crash safety of registerVersion (version + alias move), without relying on multi-document transactions (which
 * need a replica set; a plain local `mongod` has none). The same protocol runs on every deployment:
 *   1. take the number ($inc);
 *   2. insert the version marked `pending` (readers ignore pending versions);
 *   3. move the alias by compare-and-set, recording in the pending marker which version it replaced;
 *   4. remove the `pending` marker: this single-document update is the commit point.
 * If the process dies before step 4, the version stays invisible: getAlias follows the marker back to the version
 * the alias had before, and the history hides the entry. At the next start-up, `recoverPendingRegistrations` rolls
 * such registrations back (restores the alias, removes the history entry and the version). Only registrations older
 * than a grace period are rolled back, so a start-up never disturbs one that another live process is finishing.
 * A rolled-back registration leaves a gap in the numbering (like MLflow after a failed registration).
 */
import type { Filter } from 'mongodb';
import type { Trend } from '../../data/candle.ts';
import { isTrend } from '../../data/candle.ts';
import type { AliasMove, AliasMoveRequest, ModelRegistry, ModelVersion, NewVersion, RegisteredModel } from '../ports.ts';
import { AliasConflictError, NotFoundError } from '../ports.ts';
import { assertFieldName, assertNonEmpty } from '../validate.ts';
import { retryOnDuplicateKey, type AliasMoveDoc, type Collections, type ModelDoc, type VersionDoc } from './collections.ts';

const versionKey = (modelName: string, version: number) => `${modelName}#${version}`;
const COMMITTED: Filter<VersionDoc> = { pending: { $exists: false } };
/** Compare-and-set retries before giving up on a very busy alias. */
const MAX_CAS_ATTEMPTS = 20;

function toVersion(d: VersionDoc): ModelVersion {
  return {
    modelName: d.modelName,
    version: d.version,
    symbol: d.symbol,
    trend: d.trend,
    sourceRunId: d.sourceRunId,
    artifactId: d.artifactId,
    tags: d.tags,
    createdAt: d.createdAt,
  };
}

const toMove = (modelName: string, h: AliasMoveDoc): AliasMove => ({ modelName, ...h });

export function mongoRegistry(c: Collections): ModelRegistry {
  /** Latest committed version per model name. */
  async function latestVersions(names: string[]): Promise<Map<string, number>> {
    const rows = await c.versions
      .aggregate<{ _id: string; latest: number }>([
        { $match: { modelName: { $in: names }, ...COMMITTED } },
        { $group: { _id: '$modelName', latest: { $max: '$version' } } },
      ])
      .toArray();
    return new Map(rows.map((r) => [r._id, r.latest]));
  }

  async function toModels(docs: ModelDoc[]): Promise<RegisteredModel[]> {
    const latest = await latestVersions(docs.map((d) => d._id));
    return docs.map((d) => ({ name: d._id, symbol: d.symbol, trend: d.trend, createdAt: d.createdAt, latestVersion: latest.get(d._id) ?? 0 }));
  }

  /** Creates the model if missing; refuses one that exists for another (symbol, trend). */
  async function ensureModel(name: string, symbol: string, trend: Trend): Promise<ModelDoc> {
    assertNonEmpty(name, 'registered model name');
    assertNonEmpty(symbol, `registered model ${name}: symbol`);
    if (!isTrend(trend)) throw new TypeError(`registered model ${name}: trend must be uptrend or downtrend, got ${JSON.stringify(trend)}`);
    const doc = await retryOnDuplicateKey(() =>
      c.models.findOneAndUpdate(
        { _id: name },
        { $setOnInsert: { symbol, trend, createdAt: new Date(), versionCounter: 0, aliases: {}, history: [] } },
        { upsert: true, returnDocument: 'after' },
      ),
    );
    if (!doc) throw new Error(`registered model ${name} could not be created`);
    if (doc.symbol !== symbol || doc.trend !== trend) {
      throw new TypeError(`registered model ${name} belongs to ${doc.symbol} ${doc.trend}, not ${symbol} ${trend}`);
    }
    return doc;
  }

  /**
   * The committed version an alias designates. An alias may point at a version whose registration is still pending
   * (or died); then the alias still means the version it had before, recorded in the pending marker.
   */
  async function resolveAlias(modelName: string, number: number | undefined): Promise<VersionDoc | null> {
    let current = number;
    for (let hop = 0; hop < 10 && current !== undefined; hop++) {
      const doc = await c.versions.findOne({ _id: versionKey(modelName, current) });
      if (!doc) return null;
      if (!doc.pending) return doc;
      current = doc.pending.fromVersion ?? undefined;
    }
    return null;
  }

  async function pendingNumbers(modelName: string): Promise<Set<number>> {
    const docs = await c.versions.find({ modelName, pending: { $exists: true } }, { projection: { version: 1 } }).toArray();
    return new Set(docs.map((d) => d.version));
  }

  /**
   * Moves `alias` to `version` by compare-and-set and pushes the history entry in the same update. With `expected`
   * the move happens only from that version (AliasConflictError otherwise); without it, it retries from whatever
   * the alias points at. `beforeAttempt` runs with the version being replaced (registerVersion records it).
   */
  async function casMove(
    modelName: string,
    alias: string,
    version: number,
    request: AliasMoveRequest,
    beforeAttempt?: (fromVersion: number | null) => Promise<void>,
  ): Promise<AliasMoveDoc> {
    assertFieldName(alias, 'alias name');
    const path = `aliases.${alias}`;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const model = await c.models.findOne({ _id: modelName }, { projection: { aliases: 1 } });
      if (!model) throw new NotFoundError(`registered model ${modelName} not found`);
      const current = model.aliases?.[alias] ?? null;
      if (request.expectedCurrent !== undefined && request.expectedCurrent !== current) {
        throw new AliasConflictError(
          `alias ${alias} of ${modelName} points at ${describe(current)}, not ${describe(request.expectedCurrent)} as expected; nothing was changed`,
        );
      }
      await beforeAttempt?.(current);
      const move: AliasMoveDoc = { alias, fromVersion: current, toVersion: version, reason: request.reason, actor: request.actor, at: new Date() };
      // `{ 'aliases.x': null }` also matches a missing field, i.e. an unset alias.
      const { matchedCount } = await c.models.updateOne(
        { _id: modelName, [path]: current } as Filter<ModelDoc>,
        { $set: { [path]: version }, $push: { history: move } },
      );
      if (matchedCount === 1) return move;
      // Someone moved the alias between our read and our write: look again.
    }
    throw new AliasConflictError(`alias ${alias} of ${modelName} kept changing; gave up after ${MAX_CAS_ATTEMPTS} attempts`);
  }

  return {
    async ensureRegisteredModel(name: string, symbol: string, trend: Trend): Promise<RegisteredModel> {
      const [model] = await toModels([await ensureModel(name, symbol, trend)]);
      return model!;
    },

    async getRegisteredModel(name: string): Promise<RegisteredModel | null> {
      const doc = await c.models.findOne({ _id: name });
      return doc ? (await toModels([doc]))[0]! : null;
    },

    async listRegisteredModels(filter = {}): Promise<RegisteredModel[]> {
      const query: Filter<ModelDoc> = {};
      if (filter.trend !== undefined) query.trend = filter.trend;
      if (filter.symbol !== undefined) query.symbol = filter.symbol;
      return toModels(await c.models.find(query).sort({ _id: 1 }).toArray());
    },

    async deleteRegisteredModel(name: string): Promise<boolean> {
      if (!(await c.models.findOne({ _id: name }, { projection: { _id: 1 } }))) return false;
      // Versions first: a crash in between leaves a model without versions, never versions whose numbers a
      // re-created model (counter back at 0) would collide with.
      await c.versions.deleteMany({ modelName: name });
      const { deletedCount } = await c.models.deleteOne({ _id: name });
      return deletedCount === 1;
    },

    async registerVersion(input: NewVersion): Promise<{ version: ModelVersion; promoted: boolean }> {
      assertNonEmpty(input.sourceRunId, `new version of ${input.modelName}: sourceRunId`);
      assertNonEmpty(input.artifactId, `new version of ${input.modelName}: artifactId`);
      if (input.promote) assertFieldName(input.promote.alias, 'alias name');
      await ensureModel(input.modelName, input.symbol, input.trend);

      // 1. The number: one atomic increment, distinct for every caller.
      const counted = await c.models.findOneAndUpdate({ _id: input.modelName }, { $inc: { versionCounter: 1 } }, { returnDocument: 'after' });
      if (!counted) throw new NotFoundError(`registered model ${input.modelName} disappeared during registration`);
      const number = counted.versionCounter;
      const key = versionKey(input.modelName, number);

      // 2. The version, invisible until committed.
      const doc: VersionDoc = {
        _id: key,
        modelName: input.modelName,
        version: number,
        symbol: input.symbol,
        trend: input.trend,
        sourceRunId: input.sourceRunId,
        artifactId: input.artifactId,
        tags: input.tags,
        createdAt: new Date(),
        pending: { since: new Date(), alias: input.promote?.alias ?? null, fromVersion: null },
      };
      await c.versions.insertOne(doc);

      try {
        // 3. The alias move, remembering what it replaced so a rollback can restore it.
        if (input.promote) {
          await casMove(input.modelName, input.promote.alias, number, { reason: input.promote.reason, actor: input.promote.actor }, (from) =>
            c.versions.updateOne({ _id: key }, { $set: { 'pending.fromVersion': from } }).then(() => undefined),
          );
        }
        // 4. Commit.
        await c.versions.updateOne({ _id: key }, { $unset: { pending: '' } });
      } catch (err) {
        // A failure we can see (not a crash): undo now rather than waiting for the next start-up.
        await rollBackRegistration(c, input.modelName, number).catch(() => undefined);
        throw err;
      }
      const { pending: _pending, ...committed } = doc;
      return { version: toVersion(committed), promoted: input.promote !== undefined };
    },

    async getVersion(modelName: string, version: number): Promise<ModelVersion | null> {
      const doc = await c.versions.findOne({ _id: versionKey(modelName, version), ...COMMITTED });
      return doc ? toVersion(doc) : null;
    },

    async listVersions(modelName: string): Promise<ModelVersion[]> {
      const docs = await c.versions.find({ modelName, ...COMMITTED }).sort({ version: 1 }).toArray();
      return docs.map(toVersion);
    },

    async getAlias(modelName: string, alias: string): Promise<ModelVersion | null> {
      const model = await c.models.findOne({ _id: modelName }, { projection: { aliases: 1 } });
      const doc = await resolveAlias(modelName, model?.aliases?.[alias]);
      return doc ? toVersion(doc) : null;
    },

    async setAlias(modelName: string, alias: string, version: number, request: AliasMoveRequest): Promise<AliasMove> {
      if (!(await c.models.findOne({ _id: modelName }, { projection: { _id: 1 } }))) throw new NotFoundError(`registered model ${modelName} not found`);
      if (!(await c.versions.findOne({ _id: versionKey(modelName, version), ...COMMITTED }, { projection: { _id: 1 } }))) {
        throw new NotFoundError(`model ${modelName} has no version ${version}`);
      }
      return toMove(modelName, await casMove(modelName, alias, version, request));
    },

    async aliasHistory(modelName: string, alias?: string): Promise<AliasMove[]> {
      const model = await c.models.findOne({ _id: modelName }, { projection: { history: 1 } });
      if (!model) return [];
      const hidden = await pendingNumbers(modelName);
      return (model.history ?? [])
        .filter((h) => (alias === undefined || h.alias === alias) && !hidden.has(h.toVersion))
        .map((h) => toMove(modelName, h));
    },

    async listAliased(alias: string, filter = {}): Promise<ModelVersion[]> {
      assertFieldName(alias, 'alias name');
      const query: Filter<ModelDoc> = { [`aliases.${alias}`]: { $exists: true } } as Filter<ModelDoc>;
      if (filter.trend !== undefined) query.trend = filter.trend;
      if (filter.symbol !== undefined) query.symbol = filter.symbol;
      const models = await c.models.find(query, { projection: { aliases: 1 } }).sort({ _id: 1 }).toArray();
      const out: ModelVersion[] = [];
      for (const m of models) {
        const doc = await resolveAlias(m._id, m.aliases?.[alias]);
        if (doc) out.push(toVersion(doc));
      }
      return out;
    },
  };
}

/**
 * Undoes a registration that never reached its commit point: puts the alias back where it was (only if it still
 * points at this version), removes the history entry and deletes the version. Every step is idempotent, so a crash
 * during recovery is repaired by the next recovery.
 */
async function rollBackRegistration(c: Collections, modelName: string, version: number): Promise<void> {
  const doc = await c.versions.findOne({ _id: versionKey(modelName, version) });
  if (!doc?.pending) return;
  const { alias, fromVersion } = doc.pending;
  if (alias !== null) {
    const path = `aliases.${alias}`;
    await c.models.updateOne(
      { _id: modelName, [path]: version } as Filter<ModelDoc>,
      fromVersion === null ? { $unset: { [path]: '' } } : { $set: { [path]: fromVersion } },
    );
    await c.models.updateOne({ _id: modelName }, { $pull: { history: { alias, toVersion: version } } });
  }
  await c.versions.deleteOne({ _id: doc._id, pending: { $exists: true } });
}

/** Start-up recovery: rolls back registrations left pending for longer than `olderThanMs`. Returns how many. */
export async function recoverPendingRegistrations(c: Collections, olderThanMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - olderThanMs);
  const stuck = await c.versions.find({ 'pending.since': { $lte: cutoff } }, { projection: { modelName: 1, version: 1 } }).toArray();
  for (const v of stuck) await rollBackRegistration(c, v.modelName, v.version);
  return stuck.length;
}

function describe(version: number | null): string {
  return version === null ? 'no version' : `version ${version}`;
}
