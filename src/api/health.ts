/**
 * GET /health (readiness, per component), GET /ready (the same verdict, short body) and GET /live (liveness).
 *
 * /health tells the truth about each neighbour the service depends on (issue 19): the store (answers? damage found
 * by the start-up check?), each champion's artifact (can it be loaded: checksum and feature names), the chat
 * platforms (up, retrying, failed), market data (the last refresh of each coin, how old the cached candles are) and
 * the scheduler (the newest run of each job, the next firings).
 *
 * - `ok` (200): everything answers and is intact.
 * - `degraded` (200): the service can serve, but something is wrong (one artifact corrupt, a chat platform down,
 *   a provider failing, damage in the store, a probe that did not answer in time): details in the body.
 * - `unavailable` (503): nothing can be served: the store does not answer, or champions exist and not one of their
 *   artifacts can be loaded. A load balancer should stop sending traffic.
 *
 * Every probe has a deadline, so a hung database or a slow artifact check cannot hang the health check. Artifact
 * checks are remembered per artifact id for a while (artifacts never change once written), and a check that is
 * still running when the deadline passes keeps going in the background and is reported as unknown meanwhile.
 */
import type { SignalPoolServices } from '../app/services.ts';
import type { JobRun, ModelVersion } from '../store/ports.ts';
import { decodeArtifact } from '../store/artifact-format.ts';

export type HealthStatus = 'ok' | 'degraded' | 'unavailable';

export interface ChatPlatformHealth {
  platform: string;
  state: 'starting' | 'up' | 'retrying' | 'failed';
  attempts: number;
  last_error: string | null;
  since: string;
  next_attempt_at: string | null;
}

export interface MarketDataHealth {
  provider: string;
  /** Coins whose last refresh failed (they are served from cached candles, if any). */
  failing: { symbol: string; error: string; at: string; last_candle: string | null; age_days: number | null }[];
  /** Coins refreshed successfully since start. */
  refreshed: number;
}

export interface SchedulerHealth {
  enabled: boolean;
  next_runs: { job: string; next: string | null }[];
}

export interface StoreCheckHealth {
  intact: boolean;
  damaged: number;
  summary: string;
}

/** What /health reads besides the services: each is optional (a test or a one-off API has none of them). */
export interface HealthSources {
  chat?: () => ChatPlatformHealth[];
  marketData?: () => MarketDataHealth;
  scheduler?: () => SchedulerHealth;
  /** The start-up store check's result; null while it runs. */
  storeCheck?: () => StoreCheckHealth | null;
}

export interface ArtifactHealth {
  model: string;
  version: number;
  /** null: not checked yet (the check is still running). */
  ok: boolean | null;
  error: string | null;
}

export interface HealthReport {
  status: HealthStatus;
  /** Why the status is not ok, one short line each. */
  problems: string[];
  store: { kind: 'embedded' | 'mongo'; reachable: boolean; check: StoreCheckHealth | null };
  models: number | null;
  artifacts: ArtifactHealth[];
  chat: ChatPlatformHealth[];
  market_data: MarketDataHealth | null;
  scheduler: SchedulerHealth | null;
  last_job_runs: { job: string; slot: string; status: JobRun['status']; started_at: string; ended_at: string | null }[];
}

/** How many recent job runs to scan for the newest run of each job. */
const RECENT_RUNS = 50;
/** How long an artifact check result is trusted. */
const ARTIFACT_CHECK_TTL_MS = 10 * 60_000;

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

export interface HealthChecker {
  check(): Promise<HealthReport>;
}

type HealthServices = Pick<SignalPoolServices, 'store' | 'listChampions'>;

export function createHealthChecker(
  services: HealthServices,
  opts: { timeoutMs: number; onProbeError: (probe: string, err: unknown) => void; sources?: HealthSources; now?: () => number },
): HealthChecker {
  const now = opts.now ?? Date.now;
  const sources = opts.sources ?? {};
  /** artifact id -> result of its last check. */
  const checked = new Map<string, { ok: boolean; error: string | null; at: number }>();
  const running = new Map<string, Promise<void>>();

  const checkArtifact = (v: ModelVersion): Promise<void> => {
    let p = running.get(v.artifactId);
    if (!p) {
      p = (async () => {
        try {
          // What a prediction needs: the bytes (sha256 checked by the store), the format's own checksum, and the
          // feature names the service will supply.
          decodeArtifact(await services.store.getArtifact(v.artifactId), { expectedFeatureNames: [...(v.tags.featureNames ?? [])] });
          checked.set(v.artifactId, { ok: true, error: null, at: now() });
        } catch (err) {
          checked.set(v.artifactId, { ok: false, error: err instanceof Error ? err.message : String(err), at: now() });
        }
      })().finally(() => running.delete(v.artifactId));
      running.set(v.artifactId, p);
    }
    return p;
  };

  const checkArtifacts = async (champions: ModelVersion[]): Promise<void> => {
    // One at a time: a few MB of hashing each, and the service has requests to answer meanwhile.
    for (const v of champions) {
      const known = checked.get(v.artifactId);
      if (known && now() - known.at < ARTIFACT_CHECK_TTL_MS) continue;
      await checkArtifact(v);
    }
  };

  return {
    async check(): Promise<HealthReport> {
      const probe = async <T>(name: string, run: () => Promise<T>, fallback: T): Promise<{ value: T; ok: boolean }> => {
        try {
          return { value: await withDeadline(run(), opts.timeoutMs, name), ok: true };
        } catch (err) {
          opts.onProbeError(name, err);
          return { value: fallback, ok: false };
        }
      };
      const [ping, models, runs, champions] = await Promise.all([
        probe('store.ping', () => services.store.ping(), false),
        probe('listChampions', async () => (await services.listChampions()).length, null as number | null),
        probe('listJobRuns', async () => (await services.store.listJobRuns({ limit: RECENT_RUNS })).items, [] as JobRun[]),
        probe('champions', () => services.store.listAliased('champion'), null as ModelVersion[] | null),
      ]);
      let artifactsOk = true;
      if (champions.value) {
        const all = checkArtifacts(champions.value);
        // Not a failure when it takes longer: it finishes in the background and the next /health has it.
        artifactsOk = await withDeadline(all, opts.timeoutMs, 'artifacts').then(() => true, () => false);
      }
      const artifacts: ArtifactHealth[] = (champions.value ?? [])
        .sort((a, b) => a.modelName.localeCompare(b.modelName))
        .map((v) => {
          const c = checked.get(v.artifactId);
          return { model: v.modelName, version: v.version, ok: c ? c.ok : null, error: c?.error ?? null };
        });

      const safe = <T>(name: string, read: (() => T) | undefined): T | null => {
        if (!read) return null;
        try {
          return read();
        } catch (err) {
          opts.onProbeError(name, err);
          return null;
        }
      };
      const chat = safe('chat', sources.chat) ?? [];
      const marketData = safe('marketData', sources.marketData);
      const scheduler = safe('scheduler', sources.scheduler);
      const storeCheck = safe('storeCheck', sources.storeCheck);

      const reachable = ping.ok && ping.value;
      const newestPerJob = new Map<string, JobRun>();
      for (const run of runs.value) {
        const seen = newestPerJob.get(run.job);
        if (!seen || run.startedAt > seen.startedAt) newestPerJob.set(run.job, run);
      }
      const lastJobRuns = [...newestPerJob.values()].sort((a, b) => a.job.localeCompare(b.job));

      const problems: string[] = [];
      if (!reachable) problems.push('the store does not answer');
      if (!models.ok || !runs.ok || !champions.ok) problems.push('a store query did not answer in time');
      const broken = artifacts.filter((a) => a.ok === false);
      for (const a of broken) problems.push(`${a.model} v${a.version}: artifact cannot be loaded (${a.error})`);
      if (!artifactsOk) problems.push('the artifact check is still running');
      if (storeCheck && !storeCheck.intact) problems.push(`store check: ${storeCheck.damaged} damaged record(s) or set-aside data; run signal-pool store verify`);
      for (const p of chat) if (p.state !== 'up') problems.push(`${p.platform} is ${p.state}${p.last_error ? ` (${p.last_error})` : ''}`);
      for (const f of marketData?.failing ?? []) problems.push(`market data for ${f.symbol}: ${f.error}`);
      for (const r of lastJobRuns) if (r.status === 'FAILED') problems.push(`the last ${r.job} job failed${r.error ? `: ${r.error}` : ''}`);

      // Nothing can be served: no store, or champions exist and not one of their artifacts loads.
      const nothingServable = !reachable || (artifacts.length > 0 && artifacts.every((a) => a.ok === false));
      const status: HealthStatus = nothingServable ? 'unavailable' : problems.length > 0 ? 'degraded' : 'ok';
      return {
        status,
        problems,
        store: { kind: services.store.kind, reachable, check: storeCheck },
        models: models.value,
        artifacts,
        chat,
        market_data: marketData,
        scheduler,
        last_job_runs: lastJobRuns.map((r) => ({
          job: r.job,
          slot: r.slot,
          status: r.status,
          started_at: r.startedAt.toISOString(),
          ended_at: r.endedAt ? r.endedAt.toISOString() : null,
        })),
      };
    },
  };
}

/** /health's view of the market data's refresh outcomes (src/app/market-data.ts). */
export function marketDataHealth(status: {
  provider: string; refreshed: number; failing: { symbol: string; error: string; at: Date; lastCandle: string | null; ageDays: number | null }[];
}): MarketDataHealth {
  return {
    provider: status.provider,
    refreshed: status.refreshed,
    failing: status.failing.map((f) => ({ symbol: f.symbol, error: f.error, at: f.at.toISOString(), last_candle: f.lastCandle, age_days: f.ageDays })),
  };
}

/** One-off check (kept for callers that have no long-lived checker). */
export function checkHealth(
  services: HealthServices,
  opts: { timeoutMs: number; onProbeError: (probe: string, err: unknown) => void; sources?: HealthSources },
): Promise<HealthReport> {
  return createHealthChecker(services, opts).check();
}
