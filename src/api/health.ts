/**
 * GET /health: is the store answering, how many models are deployed, when did the scheduled jobs last run.
 * Every probe has a deadline so that a hung database makes /health answer "degraded" quickly instead of hanging the
 * load balancer's check.
 */
import type { SignalPoolServices } from '../app/services.ts';
import type { JobRun } from '../store/ports.ts';

export interface HealthReport {
  status: 'ok' | 'degraded';
  store: { kind: 'embedded' | 'mongo'; reachable: boolean };
  models: number | null;
  last_job_runs: { job: string; slot: string; status: JobRun['status']; started_at: string; ended_at: string | null }[];
}

/** How many recent job runs to scan for the newest run of each job. */
const RECENT_RUNS = 50;

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the probes in parallel; a failed probe degrades the status and is reported to `onProbeError`. */
export async function checkHealth(
  services: Pick<SignalPoolServices, 'store' | 'listChampions'>,
  opts: { timeoutMs: number; onProbeError: (probe: string, err: unknown) => void },
): Promise<HealthReport> {
  const probe = async <T>(name: string, run: () => Promise<T>, fallback: T): Promise<{ value: T; ok: boolean }> => {
    try {
      return { value: await withDeadline(run(), opts.timeoutMs, name), ok: true };
    } catch (err) {
      opts.onProbeError(name, err);
      return { value: fallback, ok: false };
    }
  };
  const [ping, models, runs] = await Promise.all([
    probe('store.ping', () => services.store.ping(), false),
    probe('listChampions', async () => (await services.listChampions()).length, null as number | null),
    probe('listJobRuns', async () => (await services.store.listJobRuns({ limit: RECENT_RUNS })).items, [] as JobRun[]),
  ]);
  const reachable = ping.ok && ping.value;
  const newestPerJob = new Map<string, JobRun>();
  for (const run of runs.value) {
    const seen = newestPerJob.get(run.job);
    if (!seen || run.startedAt > seen.startedAt) newestPerJob.set(run.job, run);
  }
  return {
    status: reachable && models.ok && runs.ok ? 'ok' : 'degraded',
    store: { kind: services.store.kind, reachable },
    models: models.value,
    last_job_runs: [...newestPerJob.values()]
      .sort((a, b) => a.job.localeCompare(b.job))
      .map((r) => ({
        job: r.job,
        slot: r.slot,
        status: r.status,
        started_at: r.startedAt.toISOString(),
        ended_at: r.endedAt ? r.endedAt.toISOString() : null,
      })),
  };
}
