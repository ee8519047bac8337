/** Experiments and runs on the embedded store (table `runs`). */
import { randomUUID } from 'node:crypto';
import type { ExperimentStore, JsonValue, NewRun, Run, RunFilter, RunPatch, RunStatus } from '../ports.ts';
import { NotFoundError } from '../ports.ts';
import { normalizePage } from '../paging.ts';
import { assertDate, assertMapKeys, assertMetrics, assertNonEmpty } from '../validate.ts';
import type { StoreDatabase } from './database.ts';
import { defineTable } from './schema.ts';
import { whereClause } from './sql.ts';
import { processOwner } from '../run-leases.ts';

/** A run as stored: dates as ISO strings. */
export interface StoredRun {
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
  /** `host:pid` of the creating process (absent in runs written before issue 19). */
  owner?: string | null;
  updatedAt?: string;
}

export const RUNS = defineTable<StoredRun>({
  table: 'runs',
  what: 'run',
  columns: ['id', 'experiment', 'parent_run_id', 'symbol', 'trend', 'status', 'start_time'],
  key: ['id'],
  mutable: ['status'],
  valuesOf: (r) => [r.id, r.experiment, r.parentRunId, r.symbol, r.trend, r.status, r.startTime],
  idOf: (row) => String(row.id),
});

type Row = { doc: string; crc: number; id: string };

function toRun(s: StoredRun): Run {
  return {
    id: s.id,
    experiment: s.experiment,
    parentRunId: s.parentRunId,
    name: s.name,
    symbol: s.symbol,
    trend: s.trend,
    params: s.params,
    metrics: s.metrics,
    tags: s.tags,
    status: s.status,
    error: s.error,
    startTime: new Date(s.startTime),
    endTime: s.endTime === null ? null : new Date(s.endTime),
    artifactId: s.artifactId,
    // Absent from runs written before owners were recorded (and from imported journal stores).
    ...(s.owner !== undefined ? { owner: s.owner } : {}),
    ...(s.updatedAt !== undefined ? { updatedAt: new Date(s.updatedAt) } : {}),
  };
}

export function embeddedRuns(db: StoreDatabase): ExperimentStore {
  const find = (id: string): StoredRun | null => {
    const row = db.statement('SELECT id, doc, crc FROM runs WHERE id = ?').get(id) as Row | undefined;
    return row ? db.decode(RUNS, row) : null;
  };
  const existing = (id: string): StoredRun => {
    const run = find(id);
    if (!run) throw new NotFoundError(`run ${id} not found`);
    return run;
  };
  const save = (run: StoredRun): Run => {
    const stamped = { ...run, updatedAt: new Date().toISOString() };
    db.put(RUNS, stamped);
    return toRun(stamped);
  };

  return {
    async createRun(input: NewRun): Promise<Run> {
      assertNonEmpty(input.experiment, 'run experiment');
      assertNonEmpty(input.name, 'run name');
      if (input.startTime !== undefined) assertDate(input.startTime, 'run startTime');
      assertMapKeys(input.params, 'run params');
      assertMapKeys(input.tags, 'run tags');
      return db.write(() => {
        const parentRunId = input.parentRunId ?? null;
        if (parentRunId !== null) existing(parentRunId);
        return save({
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
          owner: processOwner(),
        });
      });
    },

    async updateRun(id: string, patch: RunPatch): Promise<Run> {
      assertMapKeys(patch.params, `run ${id} params`);
      assertMetrics(patch.metrics, `run ${id} metric`);
      assertMapKeys(patch.tags, `run ${id} tags`);
      return db.write(() => {
        const old = existing(id);
        return save({
          ...old,
          params: { ...old.params, ...patch.params },
          metrics: { ...old.metrics, ...patch.metrics },
          tags: { ...old.tags, ...patch.tags },
          artifactId: patch.artifactId === undefined ? old.artifactId : patch.artifactId,
        });
      });
    },

    async endRun(id: string, status: Exclude<RunStatus, 'RUNNING'>, error?: string): Promise<Run> {
      if (status !== 'FINISHED' && status !== 'FAILED') throw new TypeError(`run end status must be FINISHED or FAILED, got ${String(status)}`);
      return db.write(() => save({ ...existing(id), status, error: error ?? null, endTime: new Date().toISOString() }));
    },

    async abandonRun(id: string, reason: string): Promise<Run | null> {
      return db.write(() => {
        const run = find(id);
        if (!run || run.status !== 'RUNNING') return null;
        return save({ ...run, status: 'ABANDONED', error: reason, endTime: new Date().toISOString() });
      });
    },

    async getRun(id: string): Promise<Run | null> {
      const run = await db.read(() => find(id));
      return run ? toRun(run) : null;
    },

    async listRuns(filter: RunFilter = {}) {
      const page = normalizePage(filter);
      const where = whereClause([
        ['experiment = ?', filter.experiment],
        ['symbol = ?', filter.symbol],
        ['trend = ?', filter.trend],
        ['status = ?', filter.status],
        // null selects parent runs only.
        filter.parentRunId === null ? ['parent_run_id IS NULL', true] : ['parent_run_id = ?', filter.parentRunId],
        ['start_time >= ?', filter.startedAfter?.toISOString()],
        ['start_time < ?', filter.startedBefore?.toISOString()],
      ]);
      // Newest first; ISO-8601 strings of the same shape sort like the instants they name.
      const found = await db.read(() => db.page(RUNS, { select: 'id', where, orderBy: 'start_time DESC, id DESC', page }));
      return { ...found, items: found.items.map(toRun) };
    },

    async deleteRun(id: string): Promise<boolean> {
      // A deployment's child runs go with it: they mean nothing without their parent.
      return db.write(() => {
        if (db.statement('SELECT 1 FROM runs WHERE id = ?').get(id) === undefined) return false;
        db.statement('DELETE FROM runs WHERE id = ? OR parent_run_id = ?').run(id, id);
        return true;
      });
    },
  };
}
