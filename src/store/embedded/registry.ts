/**
 * The model registry on the embedded store (journal `registry.jsonl`).
 *
 * A registered model's document carries its latest version number, its aliases and its alias history, and each
 * version is its own document. registerVersion writes the version and the updated model document (new latest
 * number, moved alias, history entry) as ONE journal record, so after a crash both are there or neither is. The
 * journal's mutex serializes registrations, so two concurrent ones read different "latest" numbers.
 */
import type { Trend } from '../../data/candle.ts';
import { isTrend } from '../../data/candle.ts';
import type { AliasMove, AliasMoveRequest, ModelRegistry, ModelVersion, NewVersion, RegisteredModel, VersionTags } from '../ports.ts';
import { AliasConflictError, NotFoundError } from '../ports.ts';
import { assertFieldName, assertNonEmpty } from '../validate.ts';
import type { JournalOp } from './journal.ts';
import type { JournaledState } from './journaled-state.ts';
import type { MemoryState } from './memory-state.ts';

const MODELS = 'models';
const VERSIONS = 'versions';

interface StoredAliasMove {
  alias: string;
  fromVersion: number | null;
  toVersion: number;
  reason: string;
  actor: string;
  at: string;
}

interface StoredModel {
  name: string;
  symbol: string;
  trend: Trend;
  createdAt: string;
  latestVersion: number;
  aliases: Record<string, number>;
  history: StoredAliasMove[];
}

interface StoredVersion {
  modelName: string;
  version: number;
  symbol: string;
  trend: Trend;
  sourceRunId: string;
  artifactId: string;
  tags: VersionTags;
  createdAt: string;
}

const versionKey = (modelName: string, version: number) => `${modelName}#${version}`;

function toModel(m: StoredModel): RegisteredModel {
  return { name: m.name, symbol: m.symbol, trend: m.trend, createdAt: new Date(m.createdAt), latestVersion: m.latestVersion };
}

function toVersion(v: StoredVersion): ModelVersion {
  return {
    modelName: v.modelName,
    version: v.version,
    symbol: v.symbol,
    trend: v.trend,
    sourceRunId: v.sourceRunId,
    artifactId: v.artifactId,
    tags: structuredClone(v.tags),
    createdAt: new Date(v.createdAt),
  };
}

function toMove(modelName: string, h: StoredAliasMove): AliasMove {
  return { modelName, alias: h.alias, fromVersion: h.fromVersion, toVersion: h.toVersion, reason: h.reason, actor: h.actor, at: new Date(h.at) };
}

function newModel(name: string, symbol: string, trend: Trend): StoredModel {
  assertNonEmpty(name, 'registered model name');
  assertNonEmpty(symbol, `registered model ${name}: symbol`);
  if (!isTrend(trend)) throw new TypeError(`registered model ${name}: trend must be uptrend or downtrend, got ${JSON.stringify(trend)}`);
  return { name, symbol, trend, createdAt: new Date().toISOString(), latestVersion: 0, aliases: {}, history: [] };
}

/** The existing model, checked to belong to the same (symbol, trend), or a new one. */
function modelFor(state: MemoryState, name: string, symbol: string, trend: Trend): { model: StoredModel; created: boolean } {
  const existing = state.get<StoredModel>(MODELS, name);
  if (!existing) return { model: newModel(name, symbol, trend), created: true };
  if (existing.symbol !== symbol || existing.trend !== trend) {
    throw new TypeError(`registered model ${name} belongs to ${existing.symbol} ${existing.trend}, not ${symbol} ${trend}`);
  }
  return { model: existing, created: false };
}

function moveAlias(model: StoredModel, alias: string, toVersion: number, reason: string, actor: string): { model: StoredModel; move: StoredAliasMove } {
  assertFieldName(alias, 'alias name');
  const move: StoredAliasMove = { alias, fromVersion: model.aliases[alias] ?? null, toVersion, reason, actor, at: new Date().toISOString() };
  return { model: { ...model, aliases: { ...model.aliases, [alias]: toVersion }, history: [...model.history, move] }, move };
}

export function embeddedRegistry(db: JournaledState): ModelRegistry {
  const versionsOf = (state: MemoryState, name: string) =>
    state
      .values<StoredVersion>(VERSIONS)
      .filter((v) => v.modelName === name)
      .sort((a, b) => a.version - b.version);

  const matches = (m: StoredModel, filter: { trend?: Trend; symbol?: string }) =>
    (filter.trend === undefined || m.trend === filter.trend) && (filter.symbol === undefined || m.symbol === filter.symbol);

  return {
    async ensureRegisteredModel(name: string, symbol: string, trend: Trend): Promise<RegisteredModel> {
      return db.write((state) => {
        const { model, created } = modelFor(state, name, symbol, trend);
        return { ops: created ? [{ op: 'put', c: MODELS, k: name, v: model }] : [], result: toModel(model) };
      });
    },

    async getRegisteredModel(name: string): Promise<RegisteredModel | null> {
      const model = db.read().get<StoredModel>(MODELS, name);
      return model ? toModel(model) : null;
    },

    async listRegisteredModels(filter = {}): Promise<RegisteredModel[]> {
      return db
        .read()
        .values<StoredModel>(MODELS)
        .filter((m) => matches(m, filter))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(toModel);
    },

    async deleteRegisteredModel(name: string): Promise<boolean> {
      return db.write((state) => {
        if (!state.has(MODELS, name)) return { ops: [], result: false };
        const ops: JournalOp[] = [
          ...versionsOf(state, name).map((v) => ({ op: 'del' as const, c: VERSIONS, k: versionKey(name, v.version) })),
          { op: 'del', c: MODELS, k: name },
        ];
        return { ops, result: true };
      });
    },

    async registerVersion(input: NewVersion): Promise<{ version: ModelVersion; promoted: boolean }> {
      assertNonEmpty(input.sourceRunId, `new version of ${input.modelName}: sourceRunId`);
      assertNonEmpty(input.artifactId, `new version of ${input.modelName}: artifactId`);
      return db.write((state) => {
        let { model } = modelFor(state, input.modelName, input.symbol, input.trend);
        const number = model.latestVersion + 1;
        const version: StoredVersion = {
          modelName: input.modelName,
          version: number,
          symbol: input.symbol,
          trend: input.trend,
          sourceRunId: input.sourceRunId,
          artifactId: input.artifactId,
          tags: structuredClone(input.tags),
          createdAt: new Date().toISOString(),
        };
        model = { ...model, latestVersion: number };
        if (input.promote) model = moveAlias(model, input.promote.alias, number, input.promote.reason, input.promote.actor).model;
        // One record: the version, the new latest number and the alias move become durable together.
        const ops: JournalOp[] = [
          { op: 'put', c: VERSIONS, k: versionKey(input.modelName, number), v: version },
          { op: 'put', c: MODELS, k: input.modelName, v: model },
        ];
        return { ops, result: { version: toVersion(version), promoted: input.promote !== undefined } };
      });
    },

    async getVersion(modelName: string, version: number): Promise<ModelVersion | null> {
      const v = db.read().get<StoredVersion>(VERSIONS, versionKey(modelName, version));
      return v ? toVersion(v) : null;
    },

    async listVersions(modelName: string): Promise<ModelVersion[]> {
      return versionsOf(db.read(), modelName).map(toVersion);
    },

    async getAlias(modelName: string, alias: string): Promise<ModelVersion | null> {
      const state = db.read();
      const number = state.get<StoredModel>(MODELS, modelName)?.aliases[alias];
      const v = number === undefined ? undefined : state.get<StoredVersion>(VERSIONS, versionKey(modelName, number));
      return v ? toVersion(v) : null;
    },

    async setAlias(modelName: string, alias: string, version: number, request: AliasMoveRequest): Promise<AliasMove> {
      return db.write((state) => {
        const model = state.get<StoredModel>(MODELS, modelName);
        if (!model) throw new NotFoundError(`registered model ${modelName} not found`);
        if (!state.has(VERSIONS, versionKey(modelName, version))) throw new NotFoundError(`model ${modelName} has no version ${version}`);
        const current = model.aliases[alias] ?? null;
        if (request.expectedCurrent !== undefined && request.expectedCurrent !== current) {
          throw new AliasConflictError(
            `alias ${alias} of ${modelName} points at ${describe(current)}, not ${describe(request.expectedCurrent)} as expected; nothing was changed`,
          );
        }
        const moved = moveAlias(model, alias, version, request.reason, request.actor);
        return { ops: [{ op: 'put', c: MODELS, k: modelName, v: moved.model }], result: toMove(modelName, moved.move) };
      });
    },

    async aliasHistory(modelName: string, alias?: string): Promise<AliasMove[]> {
      const model = db.read().get<StoredModel>(MODELS, modelName);
      if (!model) return [];
      return model.history.filter((h) => alias === undefined || h.alias === alias).map((h) => toMove(modelName, h));
    },

    async listAliased(alias: string, filter = {}): Promise<ModelVersion[]> {
      const state = db.read();
      const out: ModelVersion[] = [];
      for (const model of state.values<StoredModel>(MODELS)) {
        const number = model.aliases[alias];
        if (number === undefined || !matches(model, filter)) continue;
        const v = state.get<StoredVersion>(VERSIONS, versionKey(model.name, number));
        if (v) out.push(toVersion(v));
      }
      return out.sort((a, b) => (a.modelName < b.modelName ? -1 : a.modelName > b.modelName ? 1 : 0));
    },
  };
}

function describe(version: number | null): string {
  return version === null ? 'no version' : `version ${version}`;
}
