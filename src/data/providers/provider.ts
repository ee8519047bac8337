/**
 * The port every market-data source implements. The pipeline only ever sees this interface, so switching between
 * the bundled CSV files, Alpha Vantage and Binance is a configuration choice (SIGNAL_POOL_PROVIDER).
 */
import type { Candle } from '../candle.ts';

export type ProviderName = 'csv' | 'alphavantage' | 'binance';

export interface FetchOptions {
  /** YYYY-MM-DD: only candles on/after this date are needed (providers return nothing older). */
  since?: string;
  signal?: AbortSignal;
}

export interface MarketDataProvider {
  readonly name: ProviderName;
  /**
   * Complete daily candles of `symbol` (a coin ticker such as "BTC"), sorted ascending and validated. The day still in
   * progress is never included. Failures are ProviderError subclasses (see errors.ts); an aborted signal rejects with
   * the signal's reason.
   */
  fetchDaily(symbol: string, opts?: FetchOptions): Promise<Candle[]>;
}

/** Injected time source; tests pass a fixed or fake clock. */
export type Clock = () => Date;

/** Injected sleep; must reject with the signal's reason when aborted. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export type FetchFn = typeof globalThis.fetch;
