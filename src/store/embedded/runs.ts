/** Experiments and runs on the embedded store (journal `runs.jsonl`). */
import { randomUUID } from 'node:crypto';
import type { ExperimentStore, JsonValue, NewRun, Run, RunFilter, RunPatch, RunStatus } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { normalizePage, slicePage } from '../paging.ts';
import { assertDate, assertMapKeys, assertMetrics, assertNonEmpty } from '../validate.ts';
import type { JournaledState } from './journaled-state.ts';

const RUNS = 'runs';

/** A run as written to the journal: dates as ISO strings. */
interface StoredRun {
  id: string;
  experiment: string;
  parentRunId: string | null;
  name: string;
  symbol: string | null;
  trend: Run['trend'];
  params: Record<string, JsonValue>;
  metrics: Record<string, number>;
  tags: Record<string, JsonValue>;
  status: RunStatus;
  error: string | null;
  startTime: string;
  endTime: string | null;
  artifactId: string | null;
}

function toRun(s: StoredRun): Run {
  return {
    id: s.id,
    experiment: s.experiment,
    parentRunId: s.parentRunId,
    name: s.name,
    symbol: s.symbol,
    trend: s.trend,
    params: structuredClone(s.params),
    metrics: structuredClone(s.metrics),
    tags: structuredClone(s.tags),
    status: s.status,
    error: s.error,
    startTime: new Date(s.startTime),
    endTime: s.endTime === null ? null : new Date(s.endTime),
    artifactId: s.artifactId,
  };
}

export function embeddedRuns(db: JournaledState): ExperimentStore {
  function existing(runs: { get<T>(c: string, k: string): T | undefined }, id: string): StoredRun {
    const run = runs.get<StoredRun>(RUNS, id);
    if (!run) throw new NotFoundError(`run ${id} not found`);
    return run;
  }

  return {
    async createRun(input: NewRun): Promise<Run> {
      assertNonEmpty(input.experiment, 'run experiment');
      assertNonEmpty(input.name, 'run name');
      if (input.startTime !== undefined) assertDate(input.startTime, 'run startTime');
      assertMapKeys(input.params, 'run params');
      assertMapKeys(input.tags, 'run tags');
      return db.write((state) => {
        const parentRunId = input.parentRunId ?? null;
        if (parentRunId !== null) existing(state, parentRunId);
        const run: StoredRun = {
          id: randomUUID(),
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
          startTime: (input.startTime ?? new Date()).toISOString(),
          endTime: null,
          artifactId: null,
        };
        return { ops: [{ op: 'put', c: RUNS, k: run.id, v: run }], result: toRun(run) };
      });
    },

    async updateRun(id: string, patch: RunPatch): Promise<Run> {
      assertMapKeys(patch.params, `run ${id} params`);
      assertMetrics(patch.metrics, `run ${id} metric`);
      assertMapKeys(patch.tags, `run ${id} tags`);
      return db.write((state) => {
        const old = existing(state, id);
        const run: StoredRun = {
          ...old,
          params: { ...old.params, ...patch.params },
          metrics: { ...old.metrics, ...patch.metrics },
          tags: { ...old.tags, ...patch.tags },
          artifactId: patch.artifactId === undefined ? old.artifactId : patch.artifactId,
        };
        return { ops: [{ op: 'put', c: RUNS, k: id, v: run }], result: toRun(run) };
      });
    },

    async endRun(id: string, status: Exclude<RunStatus, 'RUNNING'>, error?: string): Promise<Run> {
      if (status !== 'FINISHED' && status !== 'FAILED') throw new TypeError(`run end status must be FINISHED or FAILED, got ${String(status)}`);
      return db.write((state) => {
        const run: StoredRun = { ...existing(state, id), status, error: error ?? null, endTime: new Date().toISOString() };
        return { ops: [{ op: 'put', c: RUNS, k: id, v: run }], result: toRun(run) };
      });
    },

    async getRun(id: string): Promise<Run | null> {
      const run = db.read().get<StoredRun>(RUNS, id);
      return run ? toRun(run) : null;
    },

    async listRuns(filter: RunFilter = {}): Promise<{ items: Run[]; total: number; nextOffset: number | null }> {
      const page = normalizePage(filter);
      const after = filter.startedAfter?.toISOString();
      const before = filter.startedBefore?.toISOString();
      const matches = db
        .read()
        .values<StoredRun>(RUNS)
        .filter(
          (r) =>
            (filter.experiment === undefined || r.experiment === filter.experiment) &&
            (filter.symbol === undefined || r.symbol === filter.symbol) &&
            (filter.trend === undefined || r.trend === filter.trend) &&
            (filter.status === undefined || r.status === filter.status) &&
            (filter.parentRunId === undefined || r.parentRunId === filter.parentRunId) &&
            (after === undefined || r.startTime >= after) &&
            (before === undefined || r.startTime < before),
        )
        // Newest first; ISO-8601 strings of the same shape sort like the instants they name.
        .sort((a, b) => (a.startTime === b.startTime ? cmp(b.id, a.id) : cmp(b.startTime, a.startTime)));
      const sliced = slicePage(matches, page);
      return { ...sliced, items: sliced.items.map(toRun) };
    },

    async deleteRun(id: string): Promise<boolean> {
      return db.write((state) => {
        if (!state.has(RUNS, id)) return { ops: [], result: false };
        // A deployment's child runs go with it: they mean nothing without their parent.
        const children = state.values<StoredRun>(RUNS).filter((r) => r.parentRunId === id);
        const ops = [id, ...children.map((c) => c.id)].map((k) => ({ op: 'del' as const, c: RUNS, k }));
        return { ops, result: true };
      });
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
