/**
 * Candles for the pipeline, through the provider and the store's candle cache: a refresh asks the provider only for
 * days after the newest cached one and upserts them, so a daily refresh costs one small call per coin.
 *
 * Refreshes are remembered per symbol for `freshForMs`, so bursts of API requests never trigger provider calls.
 */
import type { Candle } from '../data/candle.ts';
import type { MarketDataProvider } from '../data/providers/provider.ts';
import type { CandleCache } from '../store/ports.ts';

export interface MarketData {
  /** Refreshes from the provider (unless refreshed recently) and returns every cached candle, ascending. */
  candles(symbol: string, opts?: { force?: boolean; signal?: AbortSignal }): Promise<Candle[]>;
  /** Cached candles only; never calls the provider. */
  cached(symbol: string): Promise<Candle[]>;
}

export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function createMarketData(deps: { provider: MarketDataProvider; cache: CandleCache; now?: () => number; freshForMs?: number }): MarketData {
  const now = deps.now ?? Date.now;
  const freshFor = deps.freshForMs ?? 15 * 60_000;
  const lastRefresh = new Map<string, number>();
  const inflight = new Map<string, Promise<void>>();

  async function refresh(symbol: string, signal?: AbortSignal): Promise<void> {
    const last = await deps.cache.lastCandleDate(symbol);
    const fetched = await deps.provider.fetchDaily(symbol, { since: last ? nextDay(last) : undefined, signal });
    // Providers that cannot filter by date (CSV, Alpha Vantage) return everything; keep only the new days.
    const fresh = last ? fetched.filter((c) => c.date > last) : fetched;
    if (fresh.length > 0) await deps.cache.upsertCandles(symbol, fresh);
    lastRefresh.set(symbol, now());
  }

  return {
    async candles(symbol, opts = {}) {
      const at = lastRefresh.get(symbol);
      if (opts.force || at === undefined || now() - at > freshFor) {
        // Concurrent callers for the same symbol share one refresh.
        let p = inflight.get(symbol);
        if (!p) {
          p = refresh(symbol, opts.signal).finally(() => inflight.delete(symbol));
          inflight.set(symbol, p);
        }
        await p;
      }
      return deps.cache.getCandles(symbol);
    },
    cached: (symbol) => deps.cache.getCandles(symbol),
  };
}
