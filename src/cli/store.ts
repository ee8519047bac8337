/**
 * `signal-pool store verify` and `signal-pool store migrate`: maintenance of the embedded store.
 *
 * verify reads every record and artifact and prints what is intact and what is not, by id; it exits 1 when
 * anything is damaged or an earlier recovery still has data set aside. On a journal store that was not imported
 * yet it reports what the import would have to set aside, and changes nothing.
 * migrate imports a journal store (format 1) into the SQLite store; opening the store does the same on first use.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATABASE_FILE, openEmbeddedStore } from '../store/embedded/embedded-store.ts';
import { checkLegacyStore, describeImport, hasLegacyJournals } from '../store/embedded/legacy-import.ts';
import type { VerifyReport } from '../store/embedded/verify.ts';
import { renderTable } from '../util/table.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';
import { createProgress } from './progress.ts';

export interface StoreCommandOptions {
  /** The data directory; default the configured one (SIGNAL_POOL_DATA_DIR, var/store). */
  readonly dir?: string;
  readonly json?: boolean;
}

/** Records below which verify shows no progress bar (it finishes in well under a second). */
const PROGRESS_FROM_RECORDS = 50_000;

function dataDirOf(ctx: CliContext, opts: StoreCommandOptions, command: string): string {
  if (opts.dir === undefined && ctx.config.store.mongoUri) {
    throw new CliError(
      `store ${command} works on the embedded store, but MONGODB_URI is set, so Signal Pool uses MongoDB (check it with MongoDB's own tools). ` +
        'Pass --dir <data directory> to work on an embedded store anyway.',
      2,
    );
  }
  return resolve(opts.dir ?? ctx.config.store.dataDir);
}

const notify = (n: { message: string }) => process.stderr.write(`signal-pool: store: ${n.message}\n`);

export async function verifyStoreCommand(ctx: CliContext, opts: StoreCommandOptions, out: (line: string) => void): Promise<number> {
  const dir = dataDirOf(ctx, opts, 'verify');
  if (hasLegacyJournals(dir)) return verifyJournalStore(dir, opts, out);
  if (!existsSync(join(dir, DATABASE_FILE))) throw new CliError(`no Signal Pool store in ${dir} (no ${DATABASE_FILE}); nothing to verify`);
  const store = await openEmbeddedStore({ dataDir: dir, onNotice: notify });
  let report: VerifyReport;
  const progress = opts.json ? null : createProgress();
  let started = false;
  try {
    report = await store.verify({
      onProgress: (done, total) => {
        if (!progress || total < PROGRESS_FROM_RECORDS) return;
        if (!started) progress.start(total, 'records checked');
        started = true;
        progress.update(done, 'records checked');
      },
    });
  } finally {
    if (started) progress!.stop();
    await store.close();
  }
  out(opts.json ? JSON.stringify(report, null, 2) : formatVerifyReport(report));
  return report.intact ? 0 : 1;
}

export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [`Store ${report.location} (checked ${report.checkedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`, ''];
  const structureOk = report.structure.length === 1 && report.structure[0] === 'ok';
  lines.push(`database structure: ${structureOk ? 'ok' : report.structure.join('; ')}`, '');
  lines.push(
    renderTable(
      ['records', 'intact', 'damaged'],
      report.tables.map((t) => [t.table, String(t.records - t.damaged), String(t.damaged)]),
    ),
  );
  if (report.problems.length > 0) {
    lines.push('', `Damaged or broken (${report.problems.length}):`);
    for (const p of report.problems) lines.push(`  ${p.what} ${p.id}: ${p.problem}`);
  }
  const open = report.recovered.filter((e) => e.open);
  if (open.length > 0) {
    lines.push('', 'Recovered earlier, data set aside (delete the file once you have dealt with it):');
    for (const e of open) lines.push(`  ${e.at.slice(0, 10)} ${e.message}`);
  }
  lines.push('', report.intact ? 'Intact: every record and artifact checks out.' : 'NOT intact: see above.');
  return lines.join('\n');
}

async function verifyJournalStore(dir: string, opts: StoreCommandOptions, out: (line: string) => void): Promise<number> {
  const { records, problems } = await checkLegacyStore(dir);
  if (opts.json) {
    out(JSON.stringify({ location: dir, format: 'journal (not imported yet)', records, problems, intact: problems.length === 0 }, null, 2));
  } else {
    const lines = [`Store ${dir}: a journal store (format 1), not imported yet; \`signal-pool store migrate\` imports it.`, '', `${records} journal records intact.`];
    if (problems.length > 0) {
      lines.push('', `Damaged (${problems.length}); the import moves these aside to ${join(dir, 'damaged')} and reports them:`);
      for (const p of problems) lines.push(`  ${p.what} ${p.id}: ${p.problem}`);
    }
    lines.push('', problems.length === 0 ? 'Intact.' : 'NOT intact: see above.');
    out(lines.join('\n'));
  }
  return problems.length === 0 ? 0 : 1;
}

export async function migrateStoreCommand(ctx: CliContext, opts: StoreCommandOptions, out: (line: string) => void): Promise<number> {
  const dir = dataDirOf(ctx, opts, 'migrate');
  if (!hasLegacyJournals(dir)) {
    if (existsSync(join(dir, DATABASE_FILE))) {
      out(`Nothing to migrate: ${dir} is already an SQLite store (${DATABASE_FILE}).`);
      return 0;
    }
    throw new CliError(`no Signal Pool store in ${dir}: neither journal files (*.jsonl) nor ${DATABASE_FILE}`);
  }
  const store = await openEmbeddedStore({ dataDir: dir }); // opening imports it
  try {
    if (store.imported === null) {
      out(`Nothing to migrate: another process imported ${dir} meanwhile.`);
      return 0;
    }
    out(describeImport(dir, join(dir, DATABASE_FILE), store.imported));
    for (const problem of store.imported.problems) notify({ message: `journal import: ${problem}` });
    return store.imported.problems.length === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}
