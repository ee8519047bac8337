/**
 * Imports a data directory written by the journal store (format 1: `<group>.jsonl` journals and
 * `artifacts/<id>.bin`) into the SQLite database, on first open or through `signal-pool store migrate`.
 *
 * Safety:
 * - It holds the directory's legacy LOCK (dir-lock.ts) while it works: an older Signal Pool still running on the
 *   directory is refused with a message naming its pid, none can start meanwhile, and a second new process waits
 *   for the first one's import instead of importing twice.
 * - Everything is written in ONE transaction together with a `journal_import` marker in `meta`: after a crash either
 *   all of it is in the database or nothing is, and the next open starts over or just finishes the clean-up.
 * - Nothing is deleted. The journal files, the old store.json and the artifact files are moved into
 *   `journal-backup-<time>/`; store.json is then rewritten as format 2, which older builds refuse to open.
 * - Damaged data is never dropped without a word: every journal line that fails its checksum (torn, cut short,
 *   bit-flipped, anywhere in the file) is copied byte for byte to `damaged/<file>.<time>.damaged`, recorded as a
 *   store event with its line numbers and the record ids it seems to hold, logged, and reported by
 *   `signal-pool store verify` until that file is deleted. The same goes for records that decode but cannot be
 *   stored, and for artifacts whose file is missing. An artifact file whose sha256 does not match its record is
 *   imported as it is, so reads and verify report it by id.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreLockedError } from '../ports.ts';
import type { StoreDatabase } from './database.ts';
import { acquireDirLock, describeHolder, DirLockedError, type DirLock } from './dir-lock.ts';
import { STORE_EVENTS, type StoreEvent } from './events.ts';
import { writeFormatMarker } from './format-marker.ts';
import { fsyncDir, writeFileAtomic } from './fs-durable.ts';
import { encodeJson } from './json-codec.ts';
import { readLegacyJournal, type DamagedLine, type JournalOp } from './legacy-journal.ts';
import { ARTIFACTS, artifactMismatch, type StoredArtifact } from './artifacts.ts';
import { CANDLES } from './candles.ts';
import { JOB_RUNS } from './jobs.ts';
import { PREDICTIONS } from './predictions.ts';
import { ALIAS_MOVES, ALIASES, MODELS, VERSIONS, type StoredModel, type StoredAliasMove } from './registry.ts';
import { RUNS } from './runs.ts';
import { SUBSCRIPTIONS } from './subscriptions.ts';

/** The journal files of format 1, one per group of collections. */
const GROUPS = ['runs', 'artifacts', 'registry', 'predictions', 'candles', 'subscriptions', 'jobs'] as const;
const LOCK_PURPOSE = 'journal-import';
const META_KEY = 'journal_import';

export interface ImportNotice {
  readonly level: 'info' | 'warn';
  readonly message: string;
}

export interface ImportSummary {
  readonly at: string;
  /** Where the journal files went, relative to the data directory. */
  readonly backupDir: string;
  readonly counts: Record<string, number>;
  /** One entry per problem: damaged lines moved aside, unimportable records, missing or corrupt artifacts. */
  readonly problems: string[];
}

export interface ImportOptions {
  /** Receives the one-line summary and a warning per problem. */
  readonly notify?: (notice: ImportNotice) => void;
  /** How long to wait for another process that is importing the same directory. Default 10 minutes. */
  readonly waitForOtherImportMs?: number;
}

/** True when the directory still holds journal files of format 1. */
export function hasLegacyJournals(dataDir: string): boolean {
  return GROUPS.some((g) => existsSync(join(dataDir, `${g}.jsonl`)));
}

/** Imports the journal store in `dataDir`, if there is one; returns what was imported, or null when nothing was. */
export async function importLegacyStore(dataDir: string, db: StoreDatabase, options: ImportOptions = {}): Promise<ImportSummary | null> {
  if (!hasLegacyJournals(dataDir)) return null;
  const notify = options.notify ?? (() => undefined);
  const lock = await acquireImportLock(dataDir, options.waitForOtherImportMs ?? 10 * 60_000, notify);
  try {
    const done = await db.read(() => db.statement('SELECT value FROM meta WHERE key = ?').get(META_KEY) as { value: string } | undefined);
    if (done) {
      // Committed earlier (by another process, or by one that died before its clean-up): only the clean-up is left.
      await moveJournalFiles(dataDir, (JSON.parse(done.value) as ImportSummary).backupDir);
      await writeFormatMarker(dataDir);
      return null;
    }
    if (!hasLegacyJournals(dataDir)) return null;
    const summary = await importJournals(dataDir, db);
    await moveJournalFiles(dataDir, summary.backupDir);
    await writeFormatMarker(dataDir);
    notify({ level: summary.problems.length > 0 ? 'warn' : 'info', message: describeImport(dataDir, db.path, summary) });
    for (const problem of summary.problems) notify({ level: 'warn', message: `journal import: ${problem}` });
    return summary;
  } finally {
    lock.release();
  }
}

export function describeImport(dataDir: string, dbPath: string, s: ImportSummary): string {
  const c = s.counts;
  const what =
    `${c.runs} runs, ${c.artifacts} artifacts, ${c.models} registered models with ${c.versions} versions, ` +
    `${c.predictions} predictions, ${c.candles} candles, ${c.subscriptions} subscriptions, ${c.jobRuns} job runs`;
  const problems = s.problems.length === 0 ? '' : `; ${s.problems.length} problem${s.problems.length === 1 ? '' : 's'} (see below and \`signal-pool store verify\`)`;
  return `imported the journal store in ${dataDir} into ${dbPath}: ${what}; the journal files are kept in ${join(dataDir, s.backupDir)}${problems}`;
}

async function acquireImportLock(dataDir: string, waitMs: number, notify: (n: ImportNotice) => void): Promise<DirLock> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      return acquireDirLock(dataDir, LOCK_PURPOSE);
    } catch (err) {
      if (!(err instanceof DirLockedError)) throw err;
      const holder = err.holder;
      if (holder !== null && holder.purpose !== LOCK_PURPOSE) {
        throw new StoreLockedError(
          `${dataDir} is still open in an older Signal Pool (${describeHolder(holder)}, since ${holder.since}) that writes the journal ` +
            'format. Stop it, then start this version again: it imports the journal store on first open.',
        );
      }
      if (Date.now() > deadline) throw new StoreLockedError(`${dataDir}: gave up waiting for another process to finish importing the journal store (${err.message})`);
      if (!told && holder !== null) notify({ level: 'info', message: `waiting for ${describeHolder(holder)}, which is importing the journal store in ${dataDir}` });
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Replays every journal, then writes everything it holds into the database in one transaction. */
async function importJournals(dataDir: string, db: StoreDatabase): Promise<ImportSummary> {
  const at = new Date().toISOString();
  const stamp = at.replace(/[:.]/g, '-');
  const backupDir = `journal-backup-${stamp}`;
  const state = new Map<string, Map<string, unknown>>();
  const events: StoreEvent[] = [];
  const problems: string[] = [];

  for (const group of GROUPS) {
    const file = `${group}.jsonl`;
    let content: Buffer;
    try {
      content = await readFile(join(dataDir, file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const { records, damaged } = readLegacyJournal(content);
    for (const ops of records) apply(state, ops);
    if (damaged.length > 0) {
      const savedTo = join('damaged', `${file}.${stamp}.damaged`);
      await saveAside(dataDir, savedTo, Buffer.concat(damaged.map((d) => d.bytes)));
      const event = damagedLinesEvent(file, savedTo, damaged, at);
      events.push(event);
      problems.push(event.message);
    }
  }

  const artifacts = await readArtifacts(dataDir, state.get('artifacts'));
  if (artifacts.missing.length > 0) {
    const ids = artifacts.missing.map((id) => `artifacts/${id}`);
    const message = `${artifacts.missing.length} artifact${artifacts.missing.length === 1 ? ' is' : 's are'} recorded in artifacts.jsonl but ${artifacts.missing.length === 1 ? 'its file is' : 'their files are'} missing, so ${artifacts.missing.length === 1 ? 'it was' : 'they were'} not imported: ${artifacts.missing.join(', ')}`;
    events.push({ kind: 'journal-missing-artifacts', at, message, savedTo: null, ids });
    problems.push(message);
  }
  for (const [id, why] of artifacts.corrupt) problems.push(`artifact ${id} was imported as found, but its file does not match its record (${why}); reading it fails until it is restored`);

  const storeAll = () => storeState(db, dataDir, state, artifacts.bytes);
  // Pass 1, rolled back: finds the records that decode but cannot be stored, so they are saved aside BEFORE the
  // import that leaves them out commits. Pass 2 then imports, with its events and marker, in one transaction.
  const rollback = new Error('dry run');
  let dryRun: ReturnType<typeof storeAll> | undefined;
  await db.write(() => {
    dryRun = storeAll();
    throw rollback;
  }).catch((err: unknown) => {
    if (err !== rollback) throw err;
  });
  const unimportable = dryRun!.unimportable;
  if (unimportable.length > 0) {
    const savedTo = join('damaged', `unimportable-records.${stamp}.jsonl`);
    await saveAside(dataDir, savedTo, Buffer.from(unimportable.map((u) => `${encodeJson(u)}\n`).join(''), 'utf8'));
    const shown = unimportable.slice(0, 5).map((u) => `${u.c}/${u.k} (${u.reason})`);
    const message =
      `${unimportable.length} record${unimportable.length === 1 ? '' : 's'} could not be imported and ${unimportable.length === 1 ? 'was' : 'were'} ` +
      `saved to ${savedTo}: ${shown.join('; ')}${unimportable.length > 5 ? '; ...' : ''}`;
    events.push({ kind: 'journal-unimportable-records', at, message, savedTo, ids: unimportable.map((u) => `${u.c}/${u.k}`) });
    problems.push(message);
  }
  return db.write(() => {
    const { counts } = storeAll();
    const summary: ImportSummary = { at, backupDir, counts, problems };
    for (const event of events) db.put(STORE_EVENTS, event);
    db.statement('INSERT INTO meta (key, value) VALUES (?, ?)').run(META_KEY, JSON.stringify(summary));
    return summary;
  });
}

interface Unimportable {
  readonly c: string;
  readonly k: string;
  readonly v: unknown;
  readonly reason: string;
}

/** Writes every replayed document into its table; call inside a write. Returns counts and what did not fit. */
function storeState(db: StoreDatabase, dataDir: string, state: Map<string, Map<string, unknown>>, artifactBytes: Map<string, Buffer>) {
  const existing = db.statement('SELECT (SELECT count(*) FROM runs) + (SELECT count(*) FROM models) + (SELECT count(*) FROM predictions) AS n').get() as { n: number };
  if (existing.n > 0) {
    throw new Error(
      `${dataDir} holds both journal files of the old format and an SQLite store with data (${db.path}); refusing to merge them. ` +
        'Move one of the two aside, then open the store again.',
    );
  }
  const counts: Record<string, number> = { runs: 0, artifacts: 0, models: 0, versions: 0, aliasMoves: 0, predictions: 0, candles: 0, subscriptions: 0, jobRuns: 0 };
  const unimportable: Unimportable[] = [];
  const insert = (counter: string, c: string, k: string, v: unknown, write: () => void) => {
    try {
      db.db.transaction(write)(); // nested: a savepoint, so a record that fails leaves none of its rows behind
      counts[counter]!++;
    } catch (err) {
      // A record that passed its checksum but does not fit the store: keep it aside rather than abort or drop it.
      unimportable.push({ c, k, v, reason: (err as Error).message });
    }
  };
  for (const [c, docs] of state) {
    for (const [k, v] of docs) {
      if (c === 'runs') insert('runs', c, k, v, () => db.put(RUNS, v as never));
      else if (c === 'artifacts') {
        const bytes = artifactBytes.get(k);
        if (bytes) insert('artifacts', c, k, v, () => db.put(ARTIFACTS, v as StoredArtifact, { bytes }));
      } else if (c === 'models') {
        insert('models', c, k, v, () => {
          const { history, aliases, ...model } = v as StoredModel & { aliases: Record<string, number>; history: Omit<StoredAliasMove, 'modelName'>[] };
          db.put(MODELS, model);
          for (const [alias, version] of Object.entries(aliases)) db.put(ALIASES, { modelName: model.name, alias, version });
          for (const move of history) db.put(ALIAS_MOVES, { modelName: model.name, ...move });
          counts.aliasMoves! += history.length;
        });
      } else if (c === 'versions') insert('versions', c, k, v, () => db.put(VERSIONS, v as never));
      else if (c === 'predictions') insert('predictions', c, k, v, () => db.put(PREDICTIONS, v as never));
      else if (c.startsWith('candles:')) insert('candles', c, k, v, () => db.put(CANDLES, { symbol: c.slice('candles:'.length), ...(v as object) } as never));
      else if (c === 'subscriptions') insert('subscriptions', c, k, v, () => db.put(SUBSCRIPTIONS, v as never));
      else if (c === 'jobs') insert('jobRuns', c, k, v, () => db.put(JOB_RUNS, v as never));
      else unimportable.push({ c, k, v, reason: `unknown collection ${c}` });
    }
  }
  return { counts, unimportable };
}

function apply(state: Map<string, Map<string, unknown>>, ops: readonly JournalOp[]): void {
  for (const op of ops) {
    let docs = state.get(op.c);
    if (op.op === 'put') {
      if (!docs) state.set(op.c, (docs = new Map()));
      docs.set(op.k, op.v);
    } else {
      docs?.delete(op.k);
    }
  }
}

function damagedLinesEvent(file: string, savedTo: string, damaged: readonly DamagedLine[], at: string): StoreEvent {
  const ids = [...new Set(damaged.flatMap((d) => d.keys))];
  const lines = damaged.map((d) => `line ${d.line}: ${d.reason}${d.keys.length > 0 ? ` [${d.keys.join(', ')}]` : ''}`);
  const message =
    `${file}: ${damaged.length} damaged line${damaged.length === 1 ? '' : 's'} could not be imported and ${damaged.length === 1 ? 'was' : 'were'} ` +
    `moved aside to ${savedTo} (${lines.slice(0, 5).join('; ')}${lines.length > 5 ? '; ...' : ''})`;
  return { kind: 'journal-damaged-lines', at, message, savedTo, ids };
}

async function readArtifacts(dataDir: string, records: Map<string, unknown> | undefined) {
  const bytes = new Map<string, Buffer>();
  const missing: string[] = [];
  const corrupt: [string, string][] = [];
  for (const [id, record] of records ?? []) {
    let content: Buffer;
    try {
      content = await readFile(join(dataDir, 'artifacts', `${id}.bin`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(id);
      continue;
    }
    const mismatch = artifactMismatch(record as StoredArtifact, content);
    if (mismatch) corrupt.push([id, mismatch]);
    bytes.set(id, content);
  }
  return { bytes, missing, corrupt };
}

async function saveAside(dataDir: string, relative: string, content: Buffer): Promise<void> {
  await mkdir(join(dataDir, 'damaged'), { recursive: true });
  await writeFileAtomic(join(dataDir, relative), content);
}

/**
 * Moves what the journal store left into the backup directory. Idempotent: a second run (after a crash half-way)
 * moves what is left, next to what is already there, never over it.
 */
async function moveJournalFiles(dataDir: string, backupDir: string): Promise<void> {
  const target = join(dataDir, backupDir);
  await mkdir(target, { recursive: true });
  for (const name of await readdir(dataDir)) {
    const isLegacy = name.endsWith('.jsonl') || name.endsWith('.jsonl.compact') || name === 'artifacts' || name === 'store.json';
    if (!isLegacy || (name === 'store.json' && !(await isFormat1Marker(join(dataDir, name))))) continue;
    let destination = join(target, name);
    for (let n = 1; existsSync(destination); n++) destination = join(target, `${name}.${n}`);
    await rename(join(dataDir, name), destination);
  }
  await fsyncDir(target);
  await fsyncDir(dataDir);
}

async function isFormat1Marker(path: string): Promise<boolean> {
  try {
    return (JSON.parse(await readFile(path, 'utf8')) as { version?: unknown }).version === 1;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- checking a journal store without importing it
export interface LegacyProblem {
  readonly what: 'journal line' | 'artifact';
  readonly id: string;
  readonly problem: string;
}

/**
 * What an import of this journal store would have to move aside or could not bring over, found without changing
 * anything (for `signal-pool store verify` on a directory that was not imported yet).
 */
export async function checkLegacyStore(dataDir: string): Promise<{ records: number; problems: LegacyProblem[] }> {
  const problems: LegacyProblem[] = [];
  const state = new Map<string, Map<string, unknown>>();
  let records = 0;
  for (const group of GROUPS) {
    const file = `${group}.jsonl`;
    if (!existsSync(join(dataDir, file))) continue;
    const { records: intact, damaged } = readLegacyJournal(await readFile(join(dataDir, file)));
    records += intact.length;
    for (const ops of intact) apply(state, ops);
    for (const d of damaged) {
      problems.push({ what: 'journal line', id: `${file} line ${d.line}`, problem: `${d.reason}${d.keys.length > 0 ? ` [${d.keys.join(', ')}]` : ''}` });
    }
  }
  const artifacts = await readArtifacts(dataDir, state.get('artifacts'));
  for (const id of artifacts.missing) problems.push({ what: 'artifact', id, problem: 'recorded in artifacts.jsonl, but its file is missing' });
  for (const [id, why] of artifacts.corrupt) problems.push({ what: 'artifact', id, problem: `file does not match its record: ${why}` });
  return { records, problems };
}
