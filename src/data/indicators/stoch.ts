import { assertPeriod, assertSameLength, nanArray } from './common.ts';
import { smaFrom, smaLookback } from './sma.ts';

export interface StochParams {
  readonly fastKPeriod: number;
  readonly slowKPeriod: number;
  readonly slowDPeriod: number;
}

export const STOCH_DEFAULTS: StochParams = { fastKPeriod: 5, slowKPeriod: 3, slowDPeriod: 3 };

export interface StochOutput {
  readonly slowK: Float64Array;
  readonly slowD: Float64Array;
}

/** TA-Lib STOCH lookback with SMA smoothing: (fastK - 1) + (slowK - 1) + (slowD - 1), 8 for 5/3/3. */
export function stochLookback(params: StochParams = STOCH_DEFAULTS): number {
  return params.fastKPeriod - 1 + smaLookback(params.slowKPeriod) + smaLookback(params.slowDPeriod);
}

/**
 * TA-Lib STOCH with SMA smoothing. Fast %K = (close - lowest low) / ((highest high - lowest low) / 100) over
 * `fastKPeriod` bars, 0 when the range is 0; slow %K = SMA(fast %K); slow %D = SMA(slow %K). Both outputs start at
 * the lookback (slow %K is known two bars earlier but TA-Lib aligns it with %D).
 */
export function stoch(high: Float64Array, low: Float64Array, close: Float64Array, params: StochParams = STOCH_DEFAULTS): StochOutput {
  const { fastKPeriod, slowKPeriod, slowDPeriod } = params;
  assertPeriod('STOCH', 'fastKPeriod', fastKPeriod, 1);
  assertPeriod('STOCH', 'slowKPeriod', slowKPeriod, 1);
  assertPeriod('STOCH', 'slowDPeriod', slowDPeriod, 1);
  const n = assertSameLength('STOCH', high, low, close);
  const out: StochOutput = { slowK: nanArray(n), slowD: nanArray(n) };
  const lookback = stochLookback(params);
  if (n <= lookback) return out;

  const fastK = new Float64Array(n);
  const kStart = fastKPeriod - 1;
  // Rolling extremes, exactly TA-Lib's scheme: keep the index of the extreme and rescan only when it leaves the window.
  let lowestIdx = -1;
  let highestIdx = -1;
  let lowest = 0;
  let highest = 0;
  for (let today = kStart, trailing = 0; today < n; today++, trailing++) {
    const l = low[today]!;
    if (lowestIdx < trailing) {
      lowestIdx = trailing;
      lowest = low[trailing]!;
      for (let i = trailing + 1; i <= today; i++) {
        if (low[i]! < lowest) {
          lowestIdx = i;
          lowest = low[i]!;
        }
      }
    } else if (l <= lowest) {
      lowestIdx = today;
      lowest = l;
    }
    const h = high[today]!;
    if (highestIdx < trailing) {
      highestIdx = trailing;
      highest = high[trailing]!;
      for (let i = trailing + 1; i <= today; i++) {
        if (high[i]! > highest) {
          highestIdx = i;
          highest = high[i]!;
        }
      }
    } else if (h >= highest) {
      highestIdx = today;
      highest = h;
    }
    const diff = (highest - lowest) / 100;
    fastK[today] = diff !== 0 ? (close[today]! - lowest) / diff : 0;
  }

  const slowKFrom = kStart + smaLookback(slowKPeriod);
  const slowK = new Float64Array(n);
  smaFrom(fastK, kStart, slowKPeriod, slowK);
  smaFrom(slowK, slowKFrom, slowDPeriod, out.slowD);
  out.slowK.set(slowK.subarray(lookback), lookback);
  return out;
}
