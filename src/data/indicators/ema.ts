/** TA-Lib's smoothing factor k = 2 / (period + 1) (PER_TO_K). */
export function emaK(period: number): number {
  return 2 / (period + 1);
}

/** Bars TA-Lib's EMA needs before its first value. */
export function emaLookback(period: number): number {
  return period - 1;
}

/**
 * TA-Lib EMA (default compatibility): seeded with the plain mean of src[seedStart .. seedStart + period - 1], written
 * at index seedStart + period - 1, then prev + (x - prev) * k. TA-Lib seeds an EMA `period` bars before the first
 * output it was asked for, which is why MACD's fast EMA is NOT the standalone EMA(12): see macd.ts.
 */
export function emaFrom(src: Float64Array, seedStart: number, period: number, out: Float64Array): void {
  const n = src.length;
  const first = seedStart + period - 1;
  if (seedStart < 0 || first >= n) return;
  const k = emaK(period);
  let total = 0;
  for (let i = seedStart; i <= first; i++) total += src[i]!;
  let prev = total / period;
  out[first] = prev;
  for (let i = first + 1; i < n; i++) {
    prev = (src[i]! - prev) * k + prev;
    out[i] = prev;
  }
}
