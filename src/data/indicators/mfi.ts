import { assertPeriod, assertSameLength, nanArray } from './common.ts';

/** TA-Lib MFI lookback (unstable period 0): `period` bars. */
export function mfiLookback(period: number): number {
  return period;
}

/**
 * TA-Lib MFI: typical price (h + l + c) / 3 times volume is positive or negative money flow depending on the
 * direction of the typical price; MFI = 100 * positive / (positive + negative) over the last `period` flows.
 * TA-Lib returns 0 when the total flow is below 1.0 (an absolute threshold: tiny prices times small volumes give 0).
 */
export function mfi(high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, period: number): Float64Array {
  assertPeriod('MFI', 'period', period);
  const n = assertSameLength('MFI', high, low, close, volume);
  const out = nanArray(n);
  if (n <= period) return out;
  // Ring buffer of the last `period` flows, same order of subtraction/addition as TA-Lib's CIRCBUF.
  const positive = new Float64Array(period);
  const negative = new Float64Array(period);
  let slot = 0;
  let posSum = 0;
  let negSum = 0;
  let prevTypical = (high[0]! + low[0]! + close[0]!) / 3;
  for (let today = 1; today < n; today++) {
    if (today > period) {
      posSum -= positive[slot]!;
      negSum -= negative[slot]!;
    }
    const typical = (high[today]! + low[today]! + close[today]!) / 3;
    const change = typical - prevTypical;
    prevTypical = typical;
    const flow = typical * volume[today]!;
    if (change < 0) {
      negative[slot] = flow;
      negSum += flow;
      positive[slot] = 0;
    } else if (change > 0) {
      positive[slot] = flow;
      posSum += flow;
      negative[slot] = 0;
    } else {
      positive[slot] = 0;
      negative[slot] = 0;
    }
    if (today >= period) {
      const total = posSum + negSum;
      out[today] = total < 1 ? 0 : 100 * (posSum / total);
    }
    slot = slot + 1 === period ? 0 : slot + 1;
  }
  return out;
}
