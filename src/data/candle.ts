/** One daily OHLCV bar. `date` is the UTC day of the candle, YYYY-MM-DD. Volume is in base-asset units. */
export interface Candle {
  readonly date: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export type Trend = 'uptrend' | 'downtrend';
export const TRENDS: readonly Trend[] = ['uptrend', 'downtrend'];

export function isTrend(value: unknown): value is Trend {
  return value === 'uptrend' || value === 'downtrend';
}
