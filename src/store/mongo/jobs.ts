/**
 * Job runs on MongoDB (collection `job_runs`, one document per job and slot). Claiming is an insert on the unique
 * _id: exactly one of several concurrent claimers succeeds, across processes and restarts.
 */
import type { Filter } from 'mongodb';
import type { JobRun, JobRunStore } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { normalizePage, pageOf } from '../paging.ts';
import { assertNonEmpty } from '../validate.ts';
import { canReclaim, JOB_END_STATUSES } from '../job-rules.ts';
import { isDuplicateKeyError, type Collections, type JobRunDoc } from './collections.ts';

const keyOf = (job: string, slot: string) => JSON.stringify([job, slot]);

function toJobRun(d: JobRunDoc): JobRun {
  return {
    job: d.job,
    slot: d.slot,
    status: d.status,
    owner: d.owner,
    startedAt: d.startedAt,
    endedAt: d.endedAt,
    summary: d.summary ?? null,
    error: d.error,
    attempts: d.attempts,
  };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function mongoJobs(c: Collections): JobRunStore {
  return {
    async claimJobRun(job, slot, owner, opts = {}) {
      assertNonEmpty(job, 'job name');
      assertNonEmpty(slot, `job ${job}: slot`);
      assertNonEmpty(owner, `job ${job}: owner`);
      const fresh: JobRunDoc = {
        _id: keyOf(job, slot),
        job,
        slot,
        status: 'RUNNING',
        owner,
        startedAt: new Date(),
        endedAt: null,
        summary: null,
        error: null,
        attempts: 1,
      };
      try {
        await c.jobRuns.insertOne(fresh);
        return { claimed: true, run: toJobRun(fresh) };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const existing = await c.jobRuns.findOne({ _id: fresh._id });
      if (!existing) throw new Error(`job run ${job} for slot ${slot} vanished while being claimed`);
      if (!canReclaim(existing.status, opts.retryFailed === true)) return { claimed: false, run: toJobRun(existing) };
      // Re-claim, filtered on the failed state so that of two concurrent retriers only one wins.
      const reclaimed = await c.jobRuns.findOneAndUpdate(
        { _id: fresh._id, status: { $in: ['FAILED', 'ABANDONED'] } },
        { $set: { status: 'RUNNING', owner, startedAt: new Date(), endedAt: null, summary: null, error: null }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
      if (reclaimed) return { claimed: true, run: toJobRun(reclaimed) };
      const now = await c.jobRuns.findOne({ _id: fresh._id });
      return { claimed: false, run: toJobRun(now ?? existing) };
    },

    async finishJobRun(job, slot, result) {
      if (!JOB_END_STATUSES.includes(result.status)) throw new TypeError(`job end status must be one of ${JOB_END_STATUSES.join(', ')}`);
      const doc = await c.jobRuns.findOneAndUpdate(
        { _id: keyOf(job, slot) },
        { $set: { status: result.status, endedAt: new Date(), summary: result.summary ?? null, error: result.error ?? null } },
        { returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError(`job run ${job} for slot ${slot} not found (it was never claimed)`);
      return toJobRun(doc);
    },

    async getJobRun(job, slot) {
      const doc = await c.jobRuns.findOne({ _id: keyOf(job, slot) });
      return doc ? toJobRun(doc) : null;
    },

    async listJobRuns(filter = {}) {
      const page = normalizePage(filter);
      const query: Filter<JobRunDoc> = {};
      if (filter.job !== undefined) query.job = filter.job;
      else if (filter.jobPrefix !== undefined) query.job = { $regex: `^${escapeRegex(filter.jobPrefix)}` };
      if (filter.job !== undefined && filter.jobPrefix !== undefined && !filter.job.startsWith(filter.jobPrefix)) {
        return pageOf([], 0, page);
      }
      if (filter.status !== undefined) query.status = filter.status;
      const [docs, total] = await Promise.all([
        c.jobRuns.find(query).sort({ startedAt: -1, job: 1, slot: -1 }).skip(page.offset).limit(page.limit).toArray(),
        c.jobRuns.countDocuments(query),
      ]);
      return pageOf(docs.map(toJobRun), total, page);
    },
  };
}
