import { assertPeriod, assertSameLength, nanArray } from './common.ts';

export interface AroonOutput {
  readonly down: Float64Array;
  readonly up: Float64Array;
}

/** TA-Lib AROON lookback: `period` (the window spans period + 1 bars). */
export function aroonLookback(period: number): number {
  return period;
}

/**
 * TA-Lib AROON: 100 / period * (period - bars since the highest high / lowest low) over the last period + 1 bars.
 * On ties TA-Lib takes the MOST RECENT extreme (<= / >=), which changes the value, so the tie rules are copied.
 */
export function aroon(high: Float64Array, low: Float64Array, period: number): AroonOutput {
  assertPeriod('AROON', 'period', period);
  const n = assertSameLength('AROON', high, low);
  const out: AroonOutput = { down: nanArray(n), up: nanArray(n) };
  const factor = 100 / period;
  let lowestIdx = -1;
  let highestIdx = -1;
  let lowest = 0;
  let highest = 0;
  for (let today = period, trailing = 0; today < n; today++, trailing++) {
    const l = low[today]!;
    if (lowestIdx < trailing) {
      lowestIdx = trailing;
      lowest = low[trailing]!;
      for (let i = trailing + 1; i <= today; i++) {
        if (low[i]! <= lowest) {
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
        if (high[i]! >= highest) {
          highestIdx = i;
          highest = high[i]!;
        }
      }
    } else if (h >= highest) {
      highestIdx = today;
      highest = h;
    }
    out.up[today] = factor * (period - (today - highestIdx));
    out.down[today] = factor * (period - (today - lowestIdx));
  }
  return out;
}
