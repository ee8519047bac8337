/**
 * The embedded store's SQLite database (better-sqlite3), shared by every process that opens the data directory:
 * the service, any CLI command, a second service replica.
 *
 * - WAL mode: readers never wait for a writer and always see the last committed state, never part of a write.
 * - Durable: a write's promise resolves only after its commit is flushed to disk, as the journal store did; the flush
 *   (fdatasync of the WAL) runs on libuv's thread pool and is shared by concurrent writes (wal-flusher.ts).
 * - Every logical write (a new version AND its alias move, a whole prediction batch) is one transaction, begun with
 *   BEGIN IMMEDIATE so writers queue for SQLite's single write lock up front instead of failing half-way. A process
 *   killed inside a transaction leaves nothing of it: SQLite ignores uncommitted WAL frames, and the lock dies with
 *   the process, so the next writer proceeds.
 * - Busy handling: SQLite's own busy timeout is kept short (BUSY_SLICE_MS) because it sleeps on the calling thread,
 *   which in the service is the event loop answering HTTP requests. Past that slice the write is retried after an
 *   asynchronous back-off, for up to `lockTimeoutMs` in total, then fails with a message saying why.
 *
 * Documents are stored as checksummed JSON (see schema.ts); `decode` refuses one whose checksum does not match.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreUnavailableError, type Page } from '../ports.ts';
import { pageOf, type NormalizedPage } from '../paging.ts';
import { checksumOf, decodeJson, encodeJson } from './json-codec.ts';
import { SCHEMA_SQL, SCHEMA_VERSION, type SqlValue, type TableSpec } from './schema.ts';
import { WalFlusher } from './wal-flusher.ts';
import { DecodeCache } from './decode-cache.ts';

/** How long SQLite itself may block the thread waiting for a lock, per attempt. */
const BUSY_SLICE_MS = 25;
export const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

/** A stored record whose checksum does not match its content: damaged on disk after it was written. */
export class RecordDamagedError extends Error {
  override readonly name = 'RecordDamagedError';
}

export interface StoreDatabaseOptions {
  /** How long a write waits for other processes' writes before giving up. Default 15 s. */
  readonly lockTimeoutMs?: number;
  /** Hears about each damaged record a list skipped (once per record and process). */
  readonly onDamaged?: (error: RecordDamagedError) => void;
}

export class StoreDatabase {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly transaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Writes (until flushed) and reads waiting to retry after SQLITE_BUSY: close() lets them finish first. */
  private readonly waiting = new Set<Promise<unknown>>();
  private readonly wal: WalFlusher;
  /** Decoded registry documents (versions, aliases, models), by their text. */
  private readonly decoded = new DecodeCache(2000);
  private closed = false;
  /** Damaged records already reported by a list, so the log says it once per record. */
  private readonly reportedDamage = new Set<string>();
  onDamaged: ((error: RecordDamagedError) => void) | undefined;

  private constructor(
    readonly path: string,
    readonly db: Database.Database,
    private readonly lockTimeoutMs: number,
  ) {
    this.transaction = db.transaction((fn: () => unknown) => fn());
    this.wal = new WalFlusher(`${path}-wal`);
  }

  static async open(path: string, options: StoreDatabaseOptions = {}): Promise<StoreDatabase> {
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: BUSY_SLICE_MS });
    } catch (err) {
      throw new StoreUnavailableError(`cannot open the embedded store database ${path}: ${(err as Error).message}`);
    }
    const store = new StoreDatabase(path, db, lockTimeoutMs);
    store.onDamaged = options.onDamaged;
    try {
      await store.retryWhileBusy('open the database', () => {
        // Persistent in the file; a no-op when it is already in WAL mode.
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (String(mode).toLowerCase() !== 'wal') throw new Error(`SQLite refused WAL mode (journal_mode is ${String(mode)})`);
      });
      // Commits are flushed by WalFlusher, off the event loop; SQLite still flushes around every checkpoint.
      db.pragma('synchronous = NORMAL');
      // Up to 32 MiB of page cache (SQLite's default is 2 MiB): a 10,000-prediction batch then stays in memory until
      // its commit instead of spilling pages to the WAL half-way.
      db.pragma('cache_size = -32768');
      // After a checkpoint SQLite truncates the WAL back to this size, so one 20 MB artifact does not leave a 20 MB
      // WAL file behind for good.
      db.pragma('journal_size_limit = 33554432');
      await store.ensureSchema();
    } catch (err) {
      db.close();
      if (isSqliteError(err, 'SQLITE_NOTADB') || isSqliteError(err, 'SQLITE_CORRUPT')) {
        throw new StoreUnavailableError(
          `${path} is not a readable SQLite database (${(err as Error).message}). Restore it from a backup, or move it aside to start an empty store.`,
        );
      }
      throw err;
    }
    return store;
  }

  /** Runs `fn` on one consistent snapshot of the committed data. */
  read<T>(fn: () => T): Promise<T> {
    return this.attempt('read', () => this.transaction.deferred(fn) as T);
  }

  /**
   * Runs `fn` as one transaction holding the write lock: all of its changes are committed, or none. Resolves once
   * the commit is on disk.
   */
  write<T>(fn: () => T): Promise<T> {
    return this.track(
      (async () => {
        const result = await this.attempt('write', () => this.transaction.immediate(fn) as T);
        try {
          await this.wal.flush();
        } catch (err) {
          throw new Error(`the write to ${this.path} was committed but could not be flushed to disk: ${(err as Error).message}`);
        }
        return result;
      })(),
    );
  }

  /** A prepared statement, cached by its SQL text. */
  statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /**
   * Inserts or replaces (by primary key) one document with its checksum and index columns, plus any `extra`
   * columns that are not part of the document (an artifact's bytes).
   */
  put<D>(spec: TableSpec<D>, doc: D, extra: Readonly<Record<string, SqlValue | Buffer>> = {}): void {
    const json = encodeJson(doc);
    const extraColumns = Object.keys(extra);
    this.statement(upsertSql(spec, extraColumns)).run(...spec.valuesOf(doc), json, checksumOf(json), ...Object.values(extra));
  }

  /**
   * One page of a filtered, sorted list, and how many records match in all; call inside read(). `select` names the
   * columns spec.idOf needs besides doc and crc.
   */
  page<D>(spec: TableSpec<D>, query: { select: string; where: { sql: string; params: SqlValue[] }; orderBy: string; page: NormalizedPage }): Page<D> {
    const { select, where, orderBy, page } = query;
    const total = (this.statement(`SELECT count(*) AS n FROM ${spec.table} ${where.sql}`).get(...where.params) as { n: number }).n;
    const rows = this.statement(`SELECT ${select}, doc, crc FROM ${spec.table} ${where.sql} ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
      .all(...where.params, page.limit, page.offset) as ({ doc: string; crc: number } & Record<string, unknown>)[];
    return pageOf(this.decodeEach(spec, rows), total, page, rows.length);
  }

  /**
   * Decodes the rows of a list, leaving out (and reporting once) any record that fails its checksum: one damaged run
   * or version must not take down the whole list, e.g. GET /models (issue 19). A read by id still throws
   * RecordDamagedError, naming the record.
   */
  decodeEach<D>(spec: TableSpec<D>, rows: readonly ({ doc: string; crc: number } & Record<string, unknown>)[]): D[] {
    const out: D[] = [];
    for (const row of rows) {
      try {
        out.push(this.decode(spec, row));
      } catch (err) {
        if (!(err instanceof RecordDamagedError)) throw err;
        const key = `${spec.table}:${spec.idOf(row)}`;
        if (!this.reportedDamage.has(key)) {
          this.reportedDamage.add(key);
          this.onDamaged?.(new RecordDamagedError(`${err.message}; it is left out of lists until it is dealt with`));
        }
      }
    }
    return out;
  }

  /** Decodes a row's document after checking its checksum; a mismatch names the record. */
  decode<D>(spec: TableSpec<D>, row: { doc: string; crc: number } & Record<string, unknown>): D {
    if (spec.cached) {
      const known = this.decoded.get<D>(row.doc);
      if (known !== undefined) return known;
    }
    if (checksumOf(row.doc) !== row.crc) {
      throw new RecordDamagedError(
        `${spec.what} ${spec.idOf(row)} is damaged in ${this.path} (checksum mismatch); run \`signal-pool store verify\` to list every damaged record`,
      );
    }
    const doc = decodeJson<D>(row.doc);
    return spec.cached ? this.decoded.set(row.doc, doc) : doc;
  }

  /** True when the database file is still there and answers a query. */
  ping(): boolean {
    if (this.closed || !existsSync(this.path)) return false;
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Lets reads and writes that are waiting for a lock finish, then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.waiting]);
    await this.wal.close();
    try {
      this.db.pragma('optimize');
    } catch {
      /* only a query-planner hint; closing matters more */
    }
    this.db.close();
  }

  private async ensureSchema(): Promise<void> {
    const current = () => Number(this.db.pragma('user_version', { simple: true }));
    if (current() > SCHEMA_VERSION) throw newerSchemaError(this.path, current());
    if (current() === SCHEMA_VERSION) return;
    // Several processes may open a new data directory at once: create the tables under the write lock, once.
    await this.write(() => {
      const version = current();
      if (version > SCHEMA_VERSION) throw newerSchemaError(this.path, version);
      if (version === SCHEMA_VERSION) return;
      this.db.exec(SCHEMA_SQL);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    });
  }

  /** Runs `fn` now; only when it has to wait for a lock does it become a pending operation that close() awaits. */
  private attempt<T>(what: string, fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`the embedded store is closed (${this.path})`));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      if (!isSqliteError(err, 'SQLITE_BUSY')) return Promise.reject(err);
    }
    return this.track(this.retryWhileBusy(what, fn));
  }

  /** Registers an operation that close() must let finish. */
  private track<T>(operation: Promise<T>): Promise<T> {
    this.waiting.add(operation);
    void operation.then(
      () => this.waiting.delete(operation),
      () => this.waiting.delete(operation),
    );
    return operation;
  }

  private async retryWhileBusy<T>(what: string, fn: () => T): Promise<T> {
    const deadline = Date.now() + this.lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (err) {
        if (!isSqliteError(err, 'SQLITE_BUSY')) throw err;
        if (Date.now() >= deadline) {
          throw new StoreUnavailableError(
            `could not ${what} the embedded store ${this.path}: another process kept it locked for ${this.lockTimeoutMs} ms`,
          );
        }
        // Exponential back-off with jitter, so queued writers of several processes do not retry in lock-step.
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, 2 ** attempt) * (0.5 + Math.random())));
      }
    }
  }

}

function upsertSql(spec: TableSpec<never>, extraColumns: readonly string[]): string {
  const columns = [...spec.columns, 'doc', 'crc', ...extraColumns];
  const insert = `INSERT INTO ${spec.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  if (spec.key.length === 0) return insert;
  const updates = [...spec.mutable, 'doc', 'crc', ...extraColumns].map((c) => `${c} = excluded.${c}`);
  return `${insert} ON CONFLICT (${spec.key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

/** better-sqlite3 errors carry SQLite's extended code, e.g. SQLITE_BUSY_SNAPSHOT for SQLITE_BUSY. */
export function isSqliteError(err: unknown, code: string): boolean {
  const actual = (err as { code?: unknown } | null)?.code;
  return typeof actual === 'string' && (actual === code || actual.startsWith(`${code}_`));
}

function newerSchemaError(path: string, version: number): Error {
  return new Error(`${path} was written by a newer Signal Pool (schema ${version}, this build reads ${SCHEMA_VERSION}); upgrade signal-pool`);
}

export type { SqlValue };
