/**
 * Picks and wires one market-data provider from plain options (normally built from the app config:
 * provider.kind/dataDir/..., market, rateLimits). Each HTTP provider gets its own rate limiter here, so one process
 * never exceeds the configured limits however many coins it fetches.
 */
import { createAlphaVantageProvider, API_KEY_ENV } from './alphavantage.ts';
import { createBinanceProvider } from './binance.ts';
import { createCsvProvider } from './csv-provider.ts';
import { ProviderConfigError } from './errors.ts';
import type { Clock, FetchFn, MarketDataProvider, ProviderName, Sleep } from './provider.ts';
import { TokenBucketLimiter } from './rate-limiter.ts';
import { realSleep, systemClock } from './time.ts';

export interface ProviderFactoryOptions {
  kind: ProviderName;
  /** Directory of <SYMBOL>.csv files (csv provider). */
  dataDir: string;
  alphaVantageApiKey?: string;
  alphaVantageBaseUrl: string;
  binanceBaseUrl: string;
  /** Quote asset for Binance pairs, e.g. "USDT". */
  binanceQuote: string;
  /** Alpha Vantage market currency, e.g. "USD". */
  market: string;
  limits: { alphaVantagePerMinute: number; alphaVantagePerDay: number; binancePerMinute: number };
  /** Deadline of each HTTP request (config provider.timeoutMs). Default 10 s. */
  timeoutMs?: number;
  now?: Clock;
  fetch?: FetchFn;
  sleep?: Sleep;
  onWarning?: (msg: string) => void;
}

/** Every outbound provider request gets an answer or fails within this long, unless configured otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export function createProvider(options: ProviderFactoryOptions): MarketDataProvider;
export function createProvider(kind: ProviderName, options: Omit<ProviderFactoryOptions, 'kind'>): MarketDataProvider;
export function createProvider(
  kindOrOptions: ProviderName | ProviderFactoryOptions,
  rest?: Omit<ProviderFactoryOptions, 'kind'>,
): MarketDataProvider {
  const o: ProviderFactoryOptions = typeof kindOrOptions === 'string' ? { ...rest!, kind: kindOrOptions } : kindOrOptions;
  const now = o.now ?? systemClock;
  const sleep = o.sleep ?? realSleep;
  switch (o.kind) {
    case 'csv':
      return createCsvProvider({ dir: o.dataDir, onWarning: o.onWarning });
    case 'alphavantage':
      if (!o.alphaVantageApiKey) {
        throw new ProviderConfigError(
          `SIGNAL_POOL_PROVIDER=alphavantage needs an API key: set ${API_KEY_ENV} (free key: https://www.alphavantage.co/support/#api-key), or use SIGNAL_POOL_PROVIDER=csv for the bundled offline data`,
          { provider: 'alphavantage' },
        );
      }
      return createAlphaVantageProvider({
        apiKey: o.alphaVantageApiKey,
        baseUrl: o.alphaVantageBaseUrl,
        market: o.market,
        // burst 1: evenly spaced calls never put more than perMinute into any rolling minute (see rate-limiter.ts).
        limiter: new TokenBucketLimiter({ perMinute: o.limits.alphaVantagePerMinute, burst: 1, perDay: o.limits.alphaVantagePerDay, now, sleep }),
        now,
        sleep,
        fetch: o.fetch,
        onWarning: o.onWarning,
        timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
    case 'binance':
      return createBinanceProvider({
        baseUrl: o.binanceBaseUrl,
        quote: o.binanceQuote,
        limiter: new TokenBucketLimiter({ perMinute: o.limits.binancePerMinute, now, sleep }),
        now,
        sleep,
        fetch: o.fetch,
        onWarning: o.onWarning,
        timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
    default:
      // Unreachable with a validated config; guards callers that bypass it.
      throw new Error(`unknown provider kind "${String((o as { kind: unknown }).kind)}" (expected csv, alphavantage or binance)`);
  }
}

export type { FetchOptions, MarketDataProvider, ProviderName } from './provider.ts';
export * from './errors.ts';
export { createCsvProvider } from './csv-provider.ts';
export { createAlphaVantageProvider } from './alphavantage.ts';
export { createBinanceProvider } from './binance.ts';
export { TokenBucketLimiter, DailyCapReachedError, type RateLimiter } from './rate-limiter.ts';
