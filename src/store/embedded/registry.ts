/**
 * The model registry on the embedded store (tables `models`, `versions`, `aliases`, `alias_moves`).
 *
 * A registered model's row carries its latest version number; each version and each alias is its own row (so
 * listAliased, behind GET /models, is one indexed join), and each alias move is appended to the promotion history. registerVersion takes the next number, inserts the version,
 * moves the alias and records the move in ONE transaction under SQLite's write lock, so concurrent registrations
 * from any number of processes get dense, distinct numbers, and after a crash all of it is there or none. setAlias's
 * compare-and-set reads and writes inside one such transaction, so of two racing movers exactly one wins.
 */
import type { Trend } from '../../data/candle.ts';
import { isTrend } from '../../data/candle.ts';
import type { AliasMove, AliasMoveRequest, ModelRegistry, ModelVersion, NewVersion, RegisteredModel, VersionTags } from '../ports.ts';
import { AliasConflictError, NotFoundError } from '../ports.ts';
import { assertFieldName, assertNonEmpty } from '../validate.ts';
import { RecordDamagedError, type StoreDatabase } from './database.ts';
import { defineTable } from './schema.ts';
import { whereClause } from './sql.ts';

export interface StoredAliasMove {
  modelName: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number;
  reason: string;
  actor: string;
  at: string;
}

export interface StoredModel {
  name: string;
  symbol: string;
  trend: Trend;
  createdAt: string;
  latestVersion: number;
}

export interface StoredAlias {
  modelName: string;
  alias: string;
  version: number;
}

export interface StoredVersion {
  modelName: string;
  version: number;
  symbol: string;
  trend: Trend;
  sourceRunId: string;
  artifactId: string;
  tags: VersionTags;
  createdAt: string;
}

export const MODELS = defineTable<StoredModel>({
  table: 'models',
  what: 'registered model',
  cached: true,
  columns: ['name', 'symbol', 'trend'],
  key: ['name'],
  mutable: [],
  valuesOf: (m) => [m.name, m.symbol, m.trend],
  idOf: (row) => String(row.name),
});

export const VERSIONS = defineTable<StoredVersion>({
  table: 'versions',
  what: 'model version',
  cached: true,
  columns: ['model_name', 'version'],
  key: ['model_name', 'version'],
  mutable: [],
  valuesOf: (v) => [v.modelName, v.version],
  idOf: (row) => `${String(row.model_name)} v${String(row.version)}`,
});

export const ALIASES = defineTable<StoredAlias>({
  table: 'aliases',
  what: 'alias',
  cached: true,
  columns: ['model_name', 'alias', 'version'],
  key: ['model_name', 'alias'],
  mutable: ['version'],
  valuesOf: (a) => [a.modelName, a.alias, a.version],
  idOf: (row) => `${String(row.model_name)} ${String(row.alias)}`,
});

export const ALIAS_MOVES = defineTable<StoredAliasMove>({
  table: 'alias_moves',
  what: 'alias move',
  columns: ['model_name', 'alias'],
  key: [],
  mutable: [],
  valuesOf: (h) => [h.modelName, h.alias],
  idOf: (row) => `${String(row.model_name)} ${String(row.alias)} #${String(row.seq ?? '?')}`,
});

type Row = { doc: string; crc: number } & Record<string, unknown>;

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
    tags: v.tags,
    createdAt: new Date(v.createdAt),
  };
}

function toMove(h: StoredAliasMove): AliasMove {
  return { modelName: h.modelName, alias: h.alias, fromVersion: h.fromVersion, toVersion: h.toVersion, reason: h.reason, actor: h.actor, at: new Date(h.at) };
}

function newModel(name: string, symbol: string, trend: Trend): StoredModel {
  assertNonEmpty(name, 'registered model name');
  assertNonEmpty(symbol, `registered model ${name}: symbol`);
  if (!isTrend(trend)) throw new TypeError(`registered model ${name}: trend must be uptrend or downtrend, got ${JSON.stringify(trend)}`);
  return { name, symbol, trend, createdAt: new Date().toISOString(), latestVersion: 0 };
}

export function embeddedRegistry(db: StoreDatabase): ModelRegistry {
  const model = (name: string): StoredModel | null => {
    const row = db.statement('SELECT name, doc, crc FROM models WHERE name = ?').get(name) as Row | undefined;
    return row ? db.decode(MODELS, row) : null;
  };
  const version = (name: string, number: number): StoredVersion | null => {
    const row = db.statement('SELECT model_name, version, doc, crc FROM versions WHERE model_name = ? AND version = ?').get(name, number) as Row | undefined;
    return row ? db.decode(VERSIONS, row) : null;
  };
  const aliasOf = (name: string, alias: string): number | null => {
    const row = db.statement('SELECT model_name, alias, doc, crc FROM aliases WHERE model_name = ? AND alias = ?').get(name, alias) as Row | undefined;
    return row ? db.decode(ALIASES, row).version : null;
  };
  /** The versions an alias designates, one query for all models (GET /models runs this on every request). */
  const aliased = (alias: string, filter: { symbol?: string; trend?: Trend }, name?: string): StoredVersion[] => {
    const where = whereClause([['a.alias = ?', alias], ['a.model_name = ?', name], ['m.symbol = ?', filter.symbol], ['m.trend = ?', filter.trend]]);
    const rows = db
      .statement(
        'SELECT a.model_name, a.alias, a.version AS alias_version, a.doc AS alias_doc, a.crc AS alias_crc, v.version, v.doc, v.crc ' +
          'FROM aliases a JOIN models m ON m.name = a.model_name JOIN versions v ON v.model_name = a.model_name AND v.version = a.version ' +
          `${where.sql} ORDER BY a.model_name`,
      )
      .all(...where.params) as (Row & { alias_doc: string; alias_crc: number; alias_version: number })[];
    const check = (a: StoredAlias, row: { alias_version: number }): boolean => {
      // The join followed the alias row's version column: make sure the record says the same.
      if (a.version === row.alias_version) return true;
      const err = new RecordDamagedError(`alias ${a.alias} of ${a.modelName} is damaged in ${db.path} (its index column disagrees with its record); run \`signal-pool store verify\``);
      if (name !== undefined) throw err;
      db.onDamaged?.(err);
      return false;
    };
    if (name !== undefined) {
      // One model asked for by name: a damaged record is an error naming it, not "no champion".
      return rows.filter((row) => check(db.decode(ALIASES, { ...row, doc: row.alias_doc, crc: row.alias_crc }), row)).map((row) => db.decode(VERSIONS, row));
    }
    // A list: a damaged alias or version leaves that model out (reported once), never the whole list, so GET /models
    // and the daily batch keep serving the others (issue 19).
    const intact = db.decodeEach(ALIASES, rows.map((row) => ({ ...row, doc: row.alias_doc, crc: row.alias_crc })));
    const byModel = new Map(intact.map((a) => [a.modelName, a]));
    return db.decodeEach(VERSIONS, rows.filter((row) => {
      const a = byModel.get(String(row.model_name));
      return a !== undefined && check(a, row);
    }));
  };
  /** The model, created when missing; refuses one that exists for another (symbol, trend). Inside a write. */
  const ensureModel = (name: string, symbol: string, trend: Trend): StoredModel => {
    const existing = model(name);
    if (!existing) {
      const created = newModel(name, symbol, trend);
      db.put(MODELS, created);
      return created;
    }
    if (existing.symbol !== symbol || existing.trend !== trend) {
      throw new TypeError(`registered model ${name} belongs to ${existing.symbol} ${existing.trend}, not ${symbol} ${trend}`);
    }
    return existing;
  };
  /** Points `alias` at `toVersion` and appends the move to the history. Inside a write. */
  const moveAlias = (name: string, alias: string, toVersion: number, reason: string, actor: string): StoredAliasMove => {
    assertFieldName(alias, 'alias name');
    const move: StoredAliasMove = { modelName: name, alias, fromVersion: aliasOf(name, alias), toVersion, reason, actor, at: new Date().toISOString() };
    db.put(ALIASES, { modelName: name, alias, version: toVersion });
    db.put(ALIAS_MOVES, move);
    return move;
  };

  return {
    async ensureRegisteredModel(name: string, symbol: string, trend: Trend): Promise<RegisteredModel> {
      return toModel(await db.write(() => ensureModel(name, symbol, trend)));
    },

    async getRegisteredModel(name: string): Promise<RegisteredModel | null> {
      const m = await db.read(() => model(name));
      return m ? toModel(m) : null;
    },

    async listRegisteredModels(filter = {}): Promise<RegisteredModel[]> {
      const where = whereClause([['symbol = ?', filter.symbol], ['trend = ?', filter.trend]]);
      const rows = await db.read(() => db.statement(`SELECT name, doc, crc FROM models ${where.sql} ORDER BY name`).all(...where.params) as Row[]);
      return db.decodeEach(MODELS, rows).map(toModel);
    },

    async deleteRegisteredModel(name: string): Promise<boolean> {
      return db.write(() => {
        if (db.statement('DELETE FROM models WHERE name = ?').run(name).changes === 0) return false;
        db.statement('DELETE FROM versions WHERE model_name = ?').run(name);
        db.statement('DELETE FROM aliases WHERE model_name = ?').run(name);
        db.statement('DELETE FROM alias_moves WHERE model_name = ?').run(name);
        return true;
      });
    },

    async registerVersion(input: NewVersion): Promise<{ version: ModelVersion; promoted: boolean }> {
      assertNonEmpty(input.sourceRunId, `new version of ${input.modelName}: sourceRunId`);
      assertNonEmpty(input.artifactId, `new version of ${input.modelName}: artifactId`);
      if (input.promote) assertFieldName(input.promote.alias, 'alias name');
      const stored = await db.write(() => {
        const m = ensureModel(input.modelName, input.symbol, input.trend);
        const number = m.latestVersion + 1;
        const v: StoredVersion = {
          modelName: input.modelName,
          version: number,
          symbol: input.symbol,
          trend: input.trend,
          sourceRunId: input.sourceRunId,
          artifactId: input.artifactId,
          tags: input.tags,
          createdAt: new Date().toISOString(),
        };
        db.put(VERSIONS, v);
        db.put(MODELS, { ...m, latestVersion: number });
        if (input.promote) moveAlias(m.name, input.promote.alias, number, input.promote.reason, input.promote.actor);
        return v;
      });
      // Built from the stored form, so the caller's tags object is not shared with what it gets back.
      return { version: toVersion(structuredClone(stored)), promoted: input.promote !== undefined };
    },

    async getVersion(modelName: string, number: number): Promise<ModelVersion | null> {
      const v = await db.read(() => version(modelName, number));
      return v ? toVersion(v) : null;
    },

    async listVersions(modelName: string): Promise<ModelVersion[]> {
      const rows = await db.read(
        () => db.statement('SELECT model_name, version, doc, crc FROM versions WHERE model_name = ? ORDER BY version').all(modelName) as Row[],
      );
      return db.decodeEach(VERSIONS, rows).map(toVersion);
    },

    async getAlias(modelName: string, alias: string): Promise<ModelVersion | null> {
      const [v] = await db.read(() => aliased(alias, {}, modelName));
      return v ? toVersion(v) : null;
    },

    async setAlias(modelName: string, alias: string, number: number, request: AliasMoveRequest): Promise<AliasMove> {
      const move = await db.write(() => {
        if (!model(modelName)) throw new NotFoundError(`registered model ${modelName} not found`);
        if (!version(modelName, number)) throw new NotFoundError(`model ${modelName} has no version ${number}`);
        const current = aliasOf(modelName, alias);
        if (request.expectedCurrent !== undefined && request.expectedCurrent !== current) {
          throw new AliasConflictError(
            `alias ${alias} of ${modelName} points at ${describe(current)}, not ${describe(request.expectedCurrent)} as expected; nothing was changed`,
          );
        }
        return moveAlias(modelName, alias, number, request.reason, request.actor);
      });
      return toMove(move);
    },

    async aliasHistory(modelName: string, alias?: string): Promise<AliasMove[]> {
      const where = whereClause([['model_name = ?', modelName], ['alias = ?', alias]]);
      const rows = await db.read(() => db.statement(`SELECT seq, model_name, alias, doc, crc FROM alias_moves ${where.sql} ORDER BY seq`).all(...where.params) as Row[]);
      return db.decodeEach(ALIAS_MOVES, rows).map(toMove);
    },

    async listAliased(alias: string, filter = {}): Promise<ModelVersion[]> {
      return (await db.read(() => aliased(alias, filter))).map(toVersion);
    },
  };
}

function describe(version: number | null): string {
  return version === null ? 'no version' : `version ${version}`;
}
