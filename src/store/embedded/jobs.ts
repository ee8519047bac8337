/**
 * Job runs on the embedded store (table `job_runs`), keyed by (job, slot). A claim reads and writes inside one
 * transaction under SQLite's write lock and is durable before it returns, so a scheduled job or a daily post runs
 * at most once per slot, even across restarts and across service replicas sharing the data directory.
 */
import type { JobRun, JobRunStore, JobStatus, JsonValue } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { normalizePage } from '../paging.ts';
import { assertNonEmpty } from '../validate.ts';
import { canReclaim, JOB_END_STATUSES } from '../job-rules.ts';
import type { StoreDatabase } from './database.ts';
import { defineTable } from './schema.ts';
import { whereClause } from './sql.ts';

export interface StoredJobRun {
  job: string;
  slot: string;
  status: JobStatus;
  owner: string;
  startedAt: string;
  endedAt: string | null;
  summary: JsonValue | null;
  error: string | null;
  attempts: number;
}

export const JOB_RUNS = defineTable<StoredJobRun>({
  table: 'job_runs',
  what: 'job run',
  columns: ['job', 'slot', 'status', 'started_at'],
  key: ['job', 'slot'],
  mutable: ['status', 'started_at'],
  valuesOf: (r) => [r.job, r.slot, r.status, r.startedAt],
  idOf: (row) => `${String(row.job)} ${String(row.slot)}`,
});

type Row = { job: string; slot: string; doc: string; crc: number };

const toJobRun = (s: StoredJobRun): JobRun => ({
  job: s.job,
  slot: s.slot,
  status: s.status,
  owner: s.owner,
  startedAt: new Date(s.startedAt),
  endedAt: s.endedAt === null ? null : new Date(s.endedAt),
  summary: s.summary,
  error: s.error,
  attempts: s.attempts,
});

export function embeddedJobs(db: StoreDatabase): JobRunStore {
  const find = (job: string, slot: string): StoredJobRun | null => {
    const row = db.statement('SELECT job, slot, doc, crc FROM job_runs WHERE job = ? AND slot = ?').get(job, slot) as Row | undefined;
    return row ? db.decode(JOB_RUNS, row) : null;
  };

  return {
    async claimJobRun(job, slot, owner, opts = {}) {
      assertNonEmpty(job, 'job name');
      assertNonEmpty(slot, `job ${job}: slot`);
      assertNonEmpty(owner, `job ${job}: owner`);
      return db.write(() => {
        const existing = find(job, slot);
        if (existing && !canReclaim(existing.status, opts.retryFailed === true)) return { claimed: false, run: toJobRun(existing) };
        const run: StoredJobRun = {
          job,
          slot,
          status: 'RUNNING',
          owner,
          startedAt: new Date().toISOString(),
          endedAt: null,
          summary: null,
          error: null,
          attempts: (existing?.attempts ?? 0) + 1,
        };
        db.put(JOB_RUNS, run);
        return { claimed: true, run: toJobRun(run) };
      });
    },

    async finishJobRun(job, slot, result) {
      if (!JOB_END_STATUSES.includes(result.status)) throw new TypeError(`job end status must be one of ${JOB_END_STATUSES.join(', ')}`);
      return db.write(() => {
        const existing = find(job, slot);
        if (!existing) throw new NotFoundError(`job run ${job} for slot ${slot} not found (it was never claimed)`);
        const run: StoredJobRun = {
          ...existing,
          status: result.status,
          endedAt: new Date().toISOString(),
          summary: result.summary === undefined ? null : structuredClone(result.summary),
          error: result.error ?? null,
        };
        db.put(JOB_RUNS, run);
        return toJobRun(run);
      });
    },

    async getJobRun(job, slot) {
      const run = await db.read(() => find(job, slot));
      return run ? toJobRun(run) : null;
    },

    async listJobRuns(filter = {}) {
      const page = normalizePage(filter);
      const where = whereClause([
        ['job = ?', filter.job],
        // A prefix match that needs no escaping of LIKE's wildcards.
        ['substr(job, 1, length(?)) = ?', filter.jobPrefix],
        ['status = ?', filter.status],
      ]);
      const found = await db.read(() => db.page(JOB_RUNS, { select: 'job, slot', where, orderBy: 'started_at DESC, job ASC, slot DESC', page }));
      return { ...found, items: found.items.map(toJobRun) };
    },
  };
}
