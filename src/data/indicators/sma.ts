import { assertPeriod, nanArray } from './common.ts';

/** Bars TA-Lib's SMA needs before its first value. */
export function smaLookback(period: number): number {
  return period - 1;
}

/**
 * Simple moving average, TA-Lib's running-sum algorithm: add the newest value, emit total / period, then subtract the
 * oldest. (A fresh sum per window would round differently.)
 */
export function sma(input: Float64Array, period: number): Float64Array {
  assertPeriod('SMA', 'period', period);
  const out = nanArray(input.length);
  smaFrom(input, 0, period, out);
  return out;
}

/**
 * TA-Lib SMA of src[from..] (as if src started at `from`): writes out[from + period - 1 ..]. Used directly by
 * indicators that smooth another indicator's output, whose valid values start at `from`.
 */
export function smaFrom(src: Float64Array, from: number, period: number, out: Float64Array): void {
  const n = src.length;
  const first = from + period - 1;
  if (first >= n) return;
  let total = 0;
  let i = from;
  while (i < first) total += src[i++]!;
  let trailing = from;
  for (; i < n; i++) {
    total += src[i]!;
    const windowTotal = total;
    total -= src[trailing++]!;
    out[i] = windowTotal / period;
  }
}
