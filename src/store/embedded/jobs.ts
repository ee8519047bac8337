/**
 * Job runs on the embedded store (journal `jobs.jsonl`), keyed by (job, slot). Claiming happens under the journal's
 * mutex and is durable before it returns, so a scheduled job or a daily post runs at most once per slot, even
 * across restarts.
 */
import type { JobRun, JobRunStore, JobStatus, JsonValue } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { normalizePage, slicePage } from '../paging.ts';
import { assertNonEmpty } from '../validate.ts';
import { canReclaim, JOB_END_STATUSES } from '../job-rules.ts';
import type { JournaledState } from './journaled-state.ts';

const JOBS = 'jobs';

interface StoredJobRun {
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

const keyOf = (job: string, slot: string) => JSON.stringify([job, slot]);

const toJobRun = (s: StoredJobRun): JobRun => ({
  job: s.job,
  slot: s.slot,
  status: s.status,
  owner: s.owner,
  startedAt: new Date(s.startedAt),
  endedAt: s.endedAt === null ? null : new Date(s.endedAt),
  summary: structuredClone(s.summary),
  error: s.error,
  attempts: s.attempts,
});

export function embeddedJobs(db: JournaledState): JobRunStore {
  return {
    async claimJobRun(job, slot, owner, opts = {}) {
      assertNonEmpty(job, 'job name');
      assertNonEmpty(slot, `job ${job}: slot`);
      assertNonEmpty(owner, `job ${job}: owner`);
      return db.write<{ claimed: boolean; run: JobRun }>((state) => {
        const existing = state.get<StoredJobRun>(JOBS, keyOf(job, slot));
        if (existing && !canReclaim(existing.status, opts.retryFailed === true)) {
          return { ops: [], result: { claimed: false, run: toJobRun(existing) } };
        }
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
        return { ops: [{ op: 'put', c: JOBS, k: keyOf(job, slot), v: run }], result: { claimed: true, run: toJobRun(run) } };
      });
    },

    async finishJobRun(job, slot, result) {
      if (!JOB_END_STATUSES.includes(result.status)) throw new TypeError(`job end status must be one of ${JOB_END_STATUSES.join(', ')}`);
      return db.write((state) => {
        const existing = state.get<StoredJobRun>(JOBS, keyOf(job, slot));
        if (!existing) throw new NotFoundError(`job run ${job} for slot ${slot} not found (it was never claimed)`);
        const run: StoredJobRun = {
          ...existing,
          status: result.status,
          endedAt: new Date().toISOString(),
          summary: result.summary === undefined ? null : structuredClone(result.summary),
          error: result.error ?? null,
        };
        return { ops: [{ op: 'put', c: JOBS, k: keyOf(job, slot), v: run }], result: toJobRun(run) };
      });
    },

    async getJobRun(job, slot) {
      const run = db.read().get<StoredJobRun>(JOBS, keyOf(job, slot));
      return run ? toJobRun(run) : null;
    },

    async listJobRuns(filter = {}) {
      const page = normalizePage(filter);
      const matches = db
        .read()
        .values<StoredJobRun>(JOBS)
        .filter(
          (r) =>
            (filter.job === undefined || r.job === filter.job) &&
            (filter.jobPrefix === undefined || r.job.startsWith(filter.jobPrefix)) &&
            (filter.status === undefined || r.status === filter.status),
        )
        .sort((a, b) => cmp(b.startedAt, a.startedAt) || cmp(a.job, b.job) || cmp(b.slot, a.slot));
      const sliced = slicePage(matches, page);
      return { ...sliced, items: sliced.items.map(toJobRun) };
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
