/**
 * The embedded store's tables. Every record is one row holding:
 * - `doc`: the whole document as JSON text (json-codec.ts), the only thing reads decode;
 * - `crc`: the CRC-32 of that text, checked on every read and by `signal-pool store verify`;
 * - a few columns copied from the document for the indexes that filtered and sorted queries need. They are derived
 *   from the document on every write (TableSpec.valuesOf), and verify re-derives them, so an index that disagrees
 *   with its record is reported too.
 *
 * Versioned with PRAGMA user_version; a database from a newer schema is refused rather than misread.
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY NOT NULL, experiment TEXT NOT NULL, parent_run_id TEXT, symbol TEXT, trend TEXT,
  status TEXT NOT NULL, start_time TEXT NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (start_time, id);
CREATE INDEX IF NOT EXISTS runs_by_parent ON runs (parent_run_id, start_time);

CREATE TABLE IF NOT EXISTS artifacts (
  id TEXT PRIMARY KEY NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL,
  bytes BLOB NOT NULL);

CREATE TABLE IF NOT EXISTS models (
  name TEXT PRIMARY KEY NOT NULL, symbol TEXT NOT NULL, trend TEXT NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS versions (
  model_name TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL,
  PRIMARY KEY (model_name, version));

CREATE TABLE IF NOT EXISTS aliases (
  model_name TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL,
  PRIMARY KEY (model_name, alias));
CREATE INDEX IF NOT EXISTS aliases_by_alias ON aliases (alias, model_name);

CREATE TABLE IF NOT EXISTS alias_moves (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, model_name TEXT NOT NULL, alias TEXT NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS alias_moves_by_model ON alias_moves (model_name, alias, seq);

CREATE TABLE IF NOT EXISTS predictions (
  id TEXT PRIMARY KEY NOT NULL, model_name TEXT NOT NULL, version INTEGER NOT NULL, symbol TEXT NOT NULL,
  trend TEXT NOT NULL, as_of TEXT NOT NULL, has_outcome INTEGER NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL,
  UNIQUE (model_name, version, as_of));
CREATE INDEX IF NOT EXISTS predictions_by_symbol ON predictions (symbol, trend, as_of);
CREATE INDEX IF NOT EXISTS predictions_by_as_of ON predictions (as_of);

CREATE TABLE IF NOT EXISTS candles (
  symbol TEXT NOT NULL, date TEXT NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY (symbol, date));

CREATE TABLE IF NOT EXISTS subscriptions (
  platform TEXT NOT NULL, chat_id TEXT NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL, PRIMARY KEY (platform, chat_id));

CREATE TABLE IF NOT EXISTS job_runs (
  job TEXT NOT NULL, slot TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, doc TEXT NOT NULL,
  crc INTEGER NOT NULL, PRIMARY KEY (job, slot));
CREATE INDEX IF NOT EXISTS job_runs_by_start ON job_runs (started_at);

CREATE TABLE IF NOT EXISTS store_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, at TEXT NOT NULL, doc TEXT NOT NULL, crc INTEGER NOT NULL);
`;

export type SqlValue = string | number | null;

/** How one kind of document maps onto its table. */
export interface TableSpec<D> {
  readonly table: string;
  /** What one record is called in messages and reports: 'run', 'model version'... */
  readonly what: string;
  /** Columns copied from the document, in the order valuesOf returns them. */
  readonly columns: readonly string[];
  /** The columns forming the primary key (empty for append-only tables keyed by an automatic sequence). */
  readonly key: readonly string[];
  /**
   * The columns an update of an existing record can change (besides doc and crc). The others are fixed once the
   * record exists, so an update leaves their index entries alone: fewer pages written per commit.
   */
  readonly mutable: readonly string[];
  readonly valuesOf: (doc: D) => readonly SqlValue[];
  /** A record's id for reports, from its columns (which stay readable when the document is damaged). */
  readonly idOf: (row: Record<string, unknown>) => string;
  /** Keep decoded documents (decode-cache.ts): for small, hot, rarely changing tables (the registry). */
  readonly cached?: boolean;
}

export function defineTable<D>(spec: TableSpec<D>): TableSpec<D> {
  return spec;
}
