/**
 * Helpers shared by the TA-Lib-exact indicators.
 *
 * Every indicator in this folder takes Float64Arrays and returns a Float64Array of the input length whose first
 * `lookback` entries are NaN (TA-Lib's warm-up, "begIndex"), followed by exactly the values TA-Lib computes for
 * startIdx = 0, endIdx = n - 1 with the default compatibility mode and unstable period 0. The loops copy TA-Lib's
 * arithmetic operation by operation (running sums, division order, zero guards) so results are bit-identical,
 * not just close: downstream label thresholds and model inputs then do not depend on where a value was computed.
 */

/** TA-Lib's TA_EPSILON: its division guards treat |v| < 1e-14 as zero (an absolute, not relative, threshold). */
export const TA_EPSILON = 1e-14;

/** TA-Lib's TA_IS_ZERO. */
export function isZero(v: number): boolean {
  return -TA_EPSILON < v && v < TA_EPSILON;
}

/** TA-Lib's TA_IS_ZERO_OR_NEG. */
export function isZeroOrNeg(v: number): boolean {
  return v < TA_EPSILON;
}

/** A Float64Array of length n filled with NaN (the "no value yet" marker of every indicator output). */
export function nanArray(n: number): Float64Array {
  const out = new Float64Array(n);
  out.fill(NaN);
  return out;
}

/** Throws a RangeError naming the indicator unless `period` is an integer >= min (TA-Lib's own parameter ranges). */
export function assertPeriod(indicator: string, parameter: string, period: number, min = 2): void {
  if (!Number.isInteger(period) || period < min || period > 100_000) {
    throw new RangeError(`${indicator}: ${parameter} must be an integer between ${min} and 100000, got ${period}`);
  }
}

/** Throws unless all series have the same length (OHLCV columns of one coin). */
export function assertSameLength(indicator: string, ...series: Float64Array[]): number {
  const n = series[0]!.length;
  for (const s of series) {
    if (s.length !== n) throw new RangeError(`${indicator}: input series have different lengths (${n} vs ${s.length})`);
  }
  return n;
}
