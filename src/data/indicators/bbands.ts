import { assertPeriod, isZeroOrNeg, nanArray } from './common.ts';
import { smaFrom, smaLookback } from './sma.ts';

export interface BbandsOutput {
  readonly upper: Float64Array;
  readonly middle: Float64Array;
  readonly lower: Float64Array;
}

/** TA-Lib BBANDS lookback with an SMA middle band: period - 1. */
export function bbandsLookback(period: number): number {
  return smaLookback(period);
}

/**
 * TA-Lib BBANDS with an SMA middle band. TA-Lib's standard deviation here is the population one computed as
 * sqrt(mean(x^2) - sma^2) from running sums of squares (TA_INT_stddev_using_precalc_ma), set to 0 when the variance
 * is below 1e-14 in absolute terms, so prices around 1e-8 get zero-width bands exactly like TA-Lib.
 */
export function bbands(close: Float64Array, period: number, nbDevUp = 2, nbDevDn = 2): BbandsOutput {
  assertPeriod('BBANDS', 'period', period);
  const n = close.length;
  const out: BbandsOutput = { upper: nanArray(n), middle: nanArray(n), lower: nanArray(n) };
  const lookback = bbandsLookback(period);
  if (n <= lookback) return out;
  smaFrom(close, 0, period, out.middle);

  let sumSquares = 0;
  for (let i = 0; i < lookback; i++) sumSquares += close[i]! * close[i]!;
  for (let i = lookback, trailing = 0; i < n; i++, trailing++) {
    sumSquares += close[i]! * close[i]!;
    let variance = sumSquares / period;
    sumSquares -= close[trailing]! * close[trailing]!;
    const mid = out.middle[i]!;
    variance -= mid * mid;
    const stddev = isZeroOrNeg(variance) ? 0 : Math.sqrt(variance);
    // TA-Lib's branches for the multipliers, so 1.0 skips the multiplication exactly as it does.
    out.upper[i] = mid + (nbDevUp === 1 ? stddev : stddev * nbDevUp);
    out.lower[i] = mid - (nbDevDn === 1 ? stddev : stddev * nbDevDn);
  }
  return out;
}
