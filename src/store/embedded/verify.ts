/**
 * `signal-pool store verify` and the service's start-up check: reads every record of the embedded store and says
 * what is intact and what is not, by id.
 *
 * Checked:
 * - the database file's own structure (SQLite's integrity_check, or quick_check for the faster start-up check);
 * - every record's checksum, and that its index columns agree with the record (a damaged index would make queries
 *   miss or misfile it);
 * - every artifact's size and sha256 against its record;
 * - references a reader follows: a model version's artifact, an alias's version;
 * - the store's recovery history: data moved aside by an import of an old journal store stays reported until its
 *   file is deleted (events.ts).
 *
 * Reads in chunks, each in its own snapshot, yielding to the event loop in between, so the service keeps answering
 * while it checks itself.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from './fs-durable.ts';
import { checksumOf, decodeJson } from './json-codec.ts';
import type { StoreDatabase } from './database.ts';
import type { TableSpec } from './schema.ts';
import { ARTIFACTS, artifactMismatch, type StoredArtifact } from './artifacts.ts';
import { CANDLES } from './candles.ts';
import { listStoreEvents, STORE_EVENTS, type ListedEvent } from './events.ts';
import { JOB_RUNS } from './jobs.ts';
import { PREDICTIONS } from './predictions.ts';
import { ALIAS_MOVES, ALIASES, MODELS, VERSIONS, type StoredAlias, type StoredVersion } from './registry.ts';
import { RUNS } from './runs.ts';
import { SUBSCRIPTIONS } from './subscriptions.ts';

const TABLES: readonly TableSpec<never>[] = [RUNS, ARTIFACTS, MODELS, VERSIONS, ALIASES, ALIAS_MOVES, PREDICTIONS, CANDLES, SUBSCRIPTIONS, JOB_RUNS, STORE_EVENTS] as never;
const CHUNK_ROWS = 500;

export interface VerifyProblem {
  /** What kind of record: 'run', 'artifact', 'model version'... */
  readonly what: string;
  readonly id: string;
  readonly problem: string;
}

export interface TableCount {
  readonly table: string;
  readonly what: string;
  readonly records: number;
  readonly damaged: number;
}

export interface VerifyReport {
  readonly location: string;
  readonly checkedAt: Date;
  /** SQLite's answer about the file's structure: ['ok'] when sound. */
  readonly structure: string[];
  readonly tables: TableCount[];
  readonly problems: VerifyProblem[];
  /** The store's recovery history; events with `open` set still point at moved-aside data nobody has dealt with. */
  readonly recovered: ListedEvent[];
  /** True when the structure is sound, no record has a problem and no recovery is still open. */
  readonly intact: boolean;
}

export interface VerifyOptions {
  /** 'quick' runs SQLite's quick_check instead of the full integrity_check (faster, skips index contents). */
  readonly structure?: 'full' | 'quick';
  /**
   * Copy what is damaged, byte for byte, under damaged/ and record it as a store event (the service's start-up
   * check does; `signal-pool store verify` changes nothing). Nothing is deleted from the database.
   */
  readonly setAside?: boolean;
  /** Called after each chunk with records checked so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export async function verifyDatabase(db: StoreDatabase, dataDir: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const pragma = options.structure === 'quick' ? 'quick_check' : 'integrity_check';
  const structure = await db
    .read(() => (db.db.pragma(pragma) as Record<string, string>[]).map((row) => Object.values(row)[0]!))
    .catch((err: Error) => [`the check itself failed: ${err.message}`]);
  const totals = await db.read(() => TABLES.map((t) => {
    try {
      return (db.statement(`SELECT count(*) AS n FROM ${t.table}`).get() as { n: number }).n;
    } catch {
      return 0; // an unreadable table is reported below
    }
  }));
  const total = totals.reduce((a, b) => a + b, 0);
  const problems: VerifyProblem[] = [];
  const tables: TableCount[] = [];
  const damagedRows: DamagedRow[] = [];
  let done = 0;
  for (const spec of TABLES) {
    let records = 0;
    let damaged = 0;
    let after = 0;
    for (;;) {
      let chunk: { rowid: number; problems: VerifyProblem[] }[];
      try {
        chunk = await db.read(() => {
          const rows = db.statement(`SELECT rowid AS _rowid, * FROM ${spec.table} WHERE rowid > ? ORDER BY rowid LIMIT ?`).all(after, CHUNK_ROWS) as Row[];
          return rows.map((row) => {
            const found = checkRow(db, spec, row);
            if (found.length > 0 && options.setAside) damagedRows.push({ table: spec.table, id: found[0]!.id, row });
            return { rowid: row._rowid, problems: found };
          });
        });
      } catch (err) {
        // A damaged database page (SQLITE_CORRUPT) makes the rest of this table unreadable; the other tables, and
        // everything that serves predictions, go on (issue 19).
        problems.push({ what: `${spec.what} table`, id: spec.table, problem: `cannot be read past row ${after}: ${(err as Error).message}` });
        damaged++;
        break;
      }
      for (const row of chunk) {
        records++;
        if (row.problems.length > 0) damaged++;
        problems.push(...row.problems);
      }
      done += chunk.length;
      options.onProgress?.(done, total);
      if (chunk.length < CHUNK_ROWS) break;
      after = chunk.at(-1)!.rowid;
      await nextTick();
    }
    tables.push({ table: spec.table, what: spec.what, records, damaged });
  }
  if (options.setAside) await setAside(db, dataDir, damagedRows, structure).catch(() => undefined);
  const recovered = await listStoreEvents(db, dataDir).catch(() => []);
  const intact = structure.length === 1 && structure[0] === 'ok' && problems.length === 0 && !recovered.some((e) => e.open);
  return { location: db.path, checkedAt: new Date(), structure, tables, problems, recovered, intact };
}

type Row = { _rowid: number; doc: string; crc: number } & Record<string, unknown>;
interface DamagedRow { table: string; id: string; row: Row }

/**
 * Copies damaged records (their exact stored text, checksum and columns; an artifact's bytes in base64) to
 * damaged/records.<time>.damaged, and the database file itself when its structure is damaged, each once: a record or
 * a structure message already in an open store event is not copied again. Records stay in the database (never
 * deleted on open); lists leave them out, reads by id name them, and verify reports them until they are dealt with.
 */
async function setAside(db: StoreDatabase, dataDir: string, rows: DamagedRow[], structure: string[]): Promise<void> {
  const events = await listStoreEvents(db, dataDir).catch(() => []);
  const known = new Set(events.filter((e) => e.open).flatMap((e) => e.ids));
  const at = new Date().toISOString();
  const stamp = at.replace(/[:.]/g, '-');
  const fresh = rows.filter((r) => !known.has(`${r.table}/${r.id}@${r.row.crc}`));
  if (fresh.length > 0) {
    const savedTo = join('damaged', `records.${stamp}.damaged`);
    const lines = fresh.map(({ table, id, row }) => JSON.stringify({
      table, id, rowid: row._rowid, crc: row.crc, doc: row.doc,
      ...(row.bytes instanceof Uint8Array ? { bytesBase64: Buffer.from(row.bytes).toString('base64') } : {}),
    }));
    await mkdir(join(dataDir, 'damaged'), { recursive: true });
    await writeFileAtomic(join(dataDir, savedTo), `${lines.join('\n')}\n`);
    const names = fresh.slice(0, 5).map((r) => `${r.table} ${r.id}`);
    const message =
      `${fresh.length} damaged record${fresh.length === 1 ? ' was' : 's were'} copied to ${savedTo} (${names.join('; ')}${fresh.length > 5 ? '; ...' : ''}); ` +
      'they stay in the database, left out of lists; restore them from a backup or by hand, then delete the file';
    await db.write(() => db.put(STORE_EVENTS, { kind: 'damaged-records', at, message, savedTo, ids: fresh.map((r) => `${r.table}/${r.id}@${r.row.crc}`) }));
  }
  const structureOk = structure.length === 1 && structure[0] === 'ok';
  const structureId = `structure:${structure.slice(0, 3).join('; ')}`;
  if (!structureOk && !known.has(structureId)) {
    const savedTo = join('damaged', `${basename(db.path)}.${stamp}.damaged`);
    await mkdir(join(dataDir, 'damaged'), { recursive: true });
    await copyFile(db.path, join(dataDir, savedTo));
    if (existsSync(`${db.path}-wal`)) await copyFile(`${db.path}-wal`, join(dataDir, `${savedTo}-wal`));
    const message =
      `the database file's structure is damaged (${structure.slice(0, 3).join('; ')}); a copy of it as found is in ${savedTo}. ` +
      'The service serves what can still be read; restore the file from a backup (or rebuild it with sqlite3 .recover), then delete the copy';
    await db.write(() => db.put(STORE_EVENTS, { kind: 'damaged-database', at, message, savedTo, ids: [structureId] }));
  }
}

function checkRow(db: StoreDatabase, spec: TableSpec<never>, row: Row): VerifyProblem[] {
  const problem = (text: string) => ({ what: spec.what, id: safeId(spec, row), problem: text });
  if (typeof row.doc !== 'string' || checksumOf(row.doc) !== row.crc) return [problem('checksum mismatch: the record was damaged after it was written')];
  let doc: unknown;
  let columns: readonly unknown[];
  try {
    doc = decodeJson(row.doc);
    columns = spec.valuesOf(doc as never);
  } catch (err) {
    return [problem(`unreadable record (${(err as Error).message})`)];
  }
  const out: VerifyProblem[] = [];
  spec.columns.forEach((column, i) => {
    if (row[column] !== columns[i]) out.push(problem(`index column ${column} holds ${JSON.stringify(row[column])} but the record says ${JSON.stringify(columns[i])}`));
  });
  if (spec === (ARTIFACTS as unknown)) {
    const bytes = row.bytes;
    const mismatch = bytes instanceof Uint8Array ? artifactMismatch(doc as StoredArtifact, bytes) : 'no content';
    if (mismatch) out.push(problem(`content does not match its record: ${mismatch}`));
  } else if (spec === (VERSIONS as unknown)) {
    const v = doc as StoredVersion;
    if (db.statement('SELECT 1 FROM artifacts WHERE id = ?').get(v.artifactId) === undefined) {
      out.push(problem(`refers to artifact ${v.artifactId}, which is not in the store: this version cannot be loaded`));
    }
  } else if (spec === (ALIASES as unknown)) {
    const a = doc as StoredAlias;
    if (db.statement('SELECT 1 FROM versions WHERE model_name = ? AND version = ?').get(a.modelName, a.version) === undefined) {
      out.push(problem(`points at version ${a.version}, which is not in the store`));
    }
  }
  return out;
}

function safeId(spec: TableSpec<never>, row: Row): string {
  try {
    return spec.idOf({ ...row, seq: row._rowid });
  } catch {
    return `row ${row._rowid}`;
  }
}

/** One line for a log: the verdict, with the first few ids. */
export function summarizeVerify(report: VerifyReport): string {
  const records = report.tables.reduce((n, t) => n + t.records, 0);
  if (report.intact) return `store check: ${records} records intact (${report.location})`;
  const parts: string[] = [];
  if (!(report.structure.length === 1 && report.structure[0] === 'ok')) parts.push(`database structure: ${report.structure.slice(0, 3).join('; ')}`);
  if (report.problems.length > 0) {
    const shown = report.problems.slice(0, 5).map((p) => `${p.what} ${p.id}: ${p.problem}`);
    parts.push(`${report.problems.length} damaged or broken record${report.problems.length === 1 ? '' : 's'} (${shown.join('; ')}${report.problems.length > 5 ? '; ...' : ''})`);
  }
  for (const e of report.recovered.filter((x) => x.open)) parts.push(`set aside: ${e.message}`);
  return `store check: NOT intact (${report.location}): ${parts.join(' | ')}. Run \`signal-pool store verify\` for the full list.`;
}
