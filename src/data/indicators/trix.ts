import { assertPeriod, nanArray } from './common.ts';
import { emaFrom, emaLookback } from './ema.ts';

/** TA-Lib TRIX lookback: three EMA warm-ups plus one bar for the rate of change (19 for period 7). */
export function trixLookback(period: number): number {
  return 3 * emaLookback(period) + 1;
}

/**
 * TA-Lib TRIX: 1-bar rate of change, in percent, of a triple EMA. Each EMA is seeded with the mean of the previous
 * EMA's first `period` values; the ROC is ((x / prev) - 1) * 100 and 0 when prev is exactly 0 (TA-Lib's ROC guard).
 */
export function trix(close: Float64Array, period: number): Float64Array {
  assertPeriod('TRIX', 'period', period, 1);
  const n = close.length;
  const out = nanArray(n);
  const lb = emaLookback(period);
  if (n <= trixLookback(period)) return out;
  const ema1 = new Float64Array(n);
  const ema2 = new Float64Array(n);
  emaFrom(close, 0, period, ema1);
  emaFrom(ema1, lb, period, ema2);
  const ema3 = ema1; // ema1 is no longer needed from here on
  emaFrom(ema2, 2 * lb, period, ema3);
  for (let i = trixLookback(period); i < n; i++) {
    const prev = ema3[i - 1]!;
    out[i] = prev !== 0 ? (ema3[i]! / prev - 1) * 100 : 0;
  }
  return out;
}
