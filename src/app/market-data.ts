/**
 * Candles for the pipeline, through the provider and the store's candle cache: a refresh asks the provider only for
 * days after the newest cached one and upserts them, so a daily refresh costs one small call per coin.
 *
 * Refreshes are remembered per symbol for `freshForMs`, so bursts of API requests never trigger provider calls.
 *
 * A provider that fails or does not answer never blocks a request (issue 19):
 * - a caller can give a `deadlineMs`; past it the caller stops waiting (the refresh itself goes on in the
 *   background, bounded by the provider's own request timeout, and fills the cache when it succeeds);
 * - with `allowStale`, a failed or late refresh answers from the cached candles, and `freshness(symbol)` says how old
 *   they are and why they were not refreshed; without cached candles it fails with the provider's error;
 * - after a failed refresh the provider is not asked again for `retryAfterFailureMs`, so a dead provider costs one
 *   timeout per coin per minute, not one per request.
 */
import type { Candle } from '../data/candle.ts';
import { NetworkError } from '../data/providers/errors.ts';
import type { MarketDataProvider } from '../data/providers/provider.ts';
import type { CandleCache } from '../store/ports.ts';

export interface CandleRequest {
  force?: boolean;
  signal?: AbortSignal;
  /** Stop waiting for a refresh after this long. Default: the market data's `requestDeadlineMs` (none if unset). */
  deadlineMs?: number;
  /** Answer from cached candles when the refresh fails or is late. Default: the market data's `allowStale`. */
  allowStale?: boolean;
}

/** How current one coin's cached candles are. */
export interface Freshness {
  symbol: string;
  /** Date of the newest cached candle, if any. */
  lastCandle: string | null;
  /** Whole days between the newest cached candle and today (UTC). */
  ageDays: number | null;
  /** Why the last refresh failed (null when it succeeded). */
  error: string | null;
  /** When the last refresh ended (ok or not). */
  at: Date | null;
  ok: boolean;
}

export interface MarketDataStatus {
  provider: string;
  refreshed: number;
  failing: { symbol: string; error: string; at: Date; lastCandle: string | null; ageDays: number | null }[];
}

export interface MarketData {
  /** Refreshes from the provider (unless refreshed recently) and returns every cached candle, ascending. */
  candles(symbol: string, opts?: CandleRequest): Promise<Candle[]>;
  /** Cached candles only; never calls the provider. */
  cached(symbol: string): Promise<Candle[]>;
  /** The outcome of the symbol's last refresh and the age of its newest cached candle. */
  freshness(symbol: string): Freshness;
  /** Per-coin refresh outcomes, for /health. */
  status(): MarketDataStatus;
}

export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function daysBetween(date: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(`${date}T00:00:00Z`)) / 86_400_000));
}

export interface MarketDataDeps {
  provider: MarketDataProvider;
  cache: CandleCache;
  now?: () => number;
  freshForMs?: number;
  /** Default deadline of a caller's wait for a refresh (e.g. the provider timeout for the request path). */
  requestDeadlineMs?: number;
  /** Default of CandleRequest.allowStale. */
  allowStale?: boolean;
  /** How long a failed refresh is remembered before the provider is asked again. Default 60 s. */
  retryAfterFailureMs?: number;
}

export function createMarketData(deps: MarketDataDeps): MarketData {
  const now = deps.now ?? Date.now;
  const freshFor = deps.freshForMs ?? 15 * 60_000;
  const retryAfterFailure = deps.retryAfterFailureMs ?? 60_000;
  const lastRefresh = new Map<string, number>();
  const lastFailure = new Map<string, { error: Error; at: number }>();
  const lastCandle = new Map<string, string | null>();
  const inflight = new Map<string, Promise<void>>();

  async function refresh(symbol: string, signal?: AbortSignal): Promise<void> {
    try {
      const last = await deps.cache.lastCandleDate(symbol);
      const fetched = await deps.provider.fetchDaily(symbol, { since: last ? nextDay(last) : undefined, signal });
      // Providers that cannot filter by date (CSV, Alpha Vantage) return everything; keep only the new days.
      const fresh = last ? fetched.filter((c) => c.date > last) : fetched;
      if (fresh.length > 0) await deps.cache.upsertCandles(symbol, fresh);
      lastRefresh.set(symbol, now());
      lastFailure.delete(symbol);
      lastCandle.set(symbol, fresh.at(-1)?.date ?? last);
    } catch (err) {
      lastFailure.set(symbol, { error: err as Error, at: now() });
      throw err;
    }
  }

  async function stale(symbol: string, err: Error): Promise<Candle[]> {
    const candles = await deps.cache.getCandles(symbol);
    if (candles.length === 0) throw err;
    lastCandle.set(symbol, candles.at(-1)!.date);
    return candles;
  }

  function freshness(symbol: string): Freshness {
    const failure = lastFailure.get(symbol);
    const last = lastCandle.get(symbol) ?? null;
    const okAt = lastRefresh.get(symbol);
    return {
      symbol,
      lastCandle: last,
      ageDays: last ? daysBetween(last, now()) : null,
      error: failure ? failure.error.message : null,
      at: failure ? new Date(failure.at) : okAt !== undefined ? new Date(okAt) : null,
      ok: !failure,
    };
  }

  return {
    async candles(symbol, opts = {}) {
      const allowStale = opts.allowStale ?? deps.allowStale ?? false;
      const deadlineMs = opts.deadlineMs ?? deps.requestDeadlineMs;
      const at = lastRefresh.get(symbol);
      const failure = lastFailure.get(symbol);
      const due = opts.force || at === undefined || now() - at > freshFor;
      if (!due) return deps.cache.getCandles(symbol);
      // Failed a moment ago: do not ask the provider again yet.
      if (!opts.force && failure && now() - failure.at < retryAfterFailure) {
        return allowStale ? stale(symbol, failure.error) : Promise.reject(failure.error);
      }
      // Concurrent callers for the same symbol share one refresh.
      let p = inflight.get(symbol);
      if (!p) {
        p = refresh(symbol, opts.signal).finally(() => inflight.delete(symbol));
        p.catch(() => undefined); // a caller that stopped waiting must not leave an unhandled rejection behind
        inflight.set(symbol, p);
      }
      try {
        if (deadlineMs === undefined || !Number.isFinite(deadlineMs)) await p;
        else {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new NetworkError(`no market data for ${symbol} within ${deadlineMs} ms`, { provider: deps.provider.name, symbol })), deadlineMs);
          });
          try {
            await Promise.race([p, late]);
          } finally {
            clearTimeout(timer);
          }
        }
      } catch (err) {
        if (allowStale) return stale(symbol, err as Error);
        throw err;
      }
      return deps.cache.getCandles(symbol);
    },
    cached: (symbol) => deps.cache.getCandles(symbol),
    freshness,
    status() {
      const failing = [...lastFailure.keys()].sort().map((symbol) => {
        const f = freshness(symbol);
        return { symbol, error: f.error!, at: f.at!, lastCandle: f.lastCandle, ageDays: f.ageDays };
      });
      return { provider: deps.provider.name, refreshed: [...lastRefresh.keys()].filter((s) => !lastFailure.has(s)).length, failing };
    },
  };
}
