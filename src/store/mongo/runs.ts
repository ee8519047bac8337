/** Experiments and runs on MongoDB (collection `runs`). */
import { randomUUID } from 'node:crypto';
import type { Filter } from 'mongodb';
import type { ExperimentStore, NewRun, Run, RunFilter, RunPatch, RunStatus } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { normalizePage, pageOf } from '../paging.ts';
import { assertDate, assertMapKeys, assertMetrics, assertNonEmpty } from '../validate.ts';
import type { Collections, RunDoc } from './collections.ts';
import { processOwner } from '../run-leases.ts';

function toRun(d: RunDoc): Run {
  return {
    id: d._id,
    experiment: d.experiment,
    parentRunId: d.parentRunId,
    name: d.name,
    symbol: d.symbol,
    trend: d.trend,
    params: d.params ?? {},
    metrics: d.metrics ?? {},
    tags: d.tags ?? {},
    status: d.status,
    error: d.error,
    startTime: d.startTime,
    endTime: d.endTime,
    artifactId: d.artifactId,
    ...(d.owner !== undefined ? { owner: d.owner } : {}),
    ...(d.updatedAt !== undefined ? { updatedAt: d.updatedAt } : {}),
  };
}

/** `{ 'params.a': 1, 'params.b': 2 }`: merges into the stored map instead of replacing it. */
function dotted(prefix: string, map: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map ?? {})) out[`${prefix}.${k}`] = v;
  return out;
}

export function mongoRuns(c: Collections): ExperimentStore {
  return {
    async createRun(input: NewRun): Promise<Run> {
      assertNonEmpty(input.experiment, 'run experiment');
      assertNonEmpty(input.name, 'run name');
      if (input.startTime !== undefined) assertDate(input.startTime, 'run startTime');
      assertMapKeys(input.params, 'run params');
      assertMapKeys(input.tags, 'run tags');
      const parentRunId = input.parentRunId ?? null;
      if (parentRunId !== null && !(await c.runs.findOne({ _id: parentRunId }, { projection: { _id: 1 } }))) {
        throw new NotFoundError(`run ${parentRunId} not found`);
      }
      const doc: RunDoc = {
        _id: randomUUID(),
        experiment: input.experiment,
        parentRunId,
        name: input.name,
        symbol: input.symbol ?? null,
        trend: input.trend ?? null,
        params: { ...input.params },
        metrics: {},
        tags: { ...input.tags },
        status: 'RUNNING',
        error: null,
        startTime: new Date(input.startTime ?? Date.now()),
        endTime: null,
        artifactId: null,
        owner: processOwner(),
        updatedAt: new Date(),
      };
      await c.runs.insertOne(doc);
      return toRun(doc);
    },

    async updateRun(id: string, patch: RunPatch): Promise<Run> {
      assertMapKeys(patch.params, `run ${id} params`);
      assertMetrics(patch.metrics, `run ${id} metric`);
      assertMapKeys(patch.tags, `run ${id} tags`);
      const set = {
        ...dotted('params', patch.params),
        ...dotted('metrics', patch.metrics),
        ...dotted('tags', patch.tags),
        ...(patch.artifactId === undefined ? {} : { artifactId: patch.artifactId }),
        updatedAt: new Date(),
      };
      const doc =
        Object.keys(set).length === 0
          ? await c.runs.findOne({ _id: id })
          : await c.runs.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' });
      if (!doc) throw new NotFoundError(`run ${id} not found`);
      return toRun(doc);
    },

    async endRun(id: string, status: Exclude<RunStatus, 'RUNNING'>, error?: string): Promise<Run> {
      if (status !== 'FINISHED' && status !== 'FAILED') throw new TypeError(`run end status must be FINISHED or FAILED, got ${String(status)}`);
      const doc = await c.runs.findOneAndUpdate(
        { _id: id },
        { $set: { status, error: error ?? null, endTime: new Date(), updatedAt: new Date() } },
        { returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError(`run ${id} not found`);
      return toRun(doc);
    },

    async abandonRun(id: string, reason: string): Promise<Run | null> {
      const now = new Date();
      const doc = await c.runs.findOneAndUpdate(
        { _id: id, status: 'RUNNING' },
        { $set: { status: 'ABANDONED', error: reason, endTime: now, updatedAt: now } },
        { returnDocument: 'after' },
      );
      return doc ? toRun(doc) : null;
    },

    async getRun(id: string): Promise<Run | null> {
      const doc = await c.runs.findOne({ _id: id });
      return doc ? toRun(doc) : null;
    },

    async listRuns(filter: RunFilter = {}) {
      const page = normalizePage(filter);
      const query: Filter<RunDoc> = {};
      if (filter.experiment !== undefined) query.experiment = filter.experiment;
      if (filter.symbol !== undefined) query.symbol = filter.symbol;
      if (filter.trend !== undefined) query.trend = filter.trend;
      if (filter.status !== undefined) query.status = filter.status;
      if (filter.parentRunId !== undefined) query.parentRunId = filter.parentRunId;
      if (filter.startedAfter !== undefined || filter.startedBefore !== undefined) {
        query.startTime = {
          ...(filter.startedAfter === undefined ? {} : { $gte: filter.startedAfter }),
          ...(filter.startedBefore === undefined ? {} : { $lt: filter.startedBefore }),
        };
      }
      const [docs, total] = await Promise.all([
        c.runs.find(query).sort({ startTime: -1, _id: -1 }).skip(page.offset).limit(page.limit).toArray(),
        c.runs.countDocuments(query),
      ]);
      return pageOf(docs.map(toRun), total, page);
    },

    async deleteRun(id: string): Promise<boolean> {
      // A deployment's child runs go with it, as in the embedded store.
      const { deletedCount } = await c.runs.deleteOne({ _id: id });
      if (deletedCount === 0) return false;
      await c.runs.deleteMany({ parentRunId: id });
      return true;
    },
  };
}
