/**
 * Wilder's directional movement family as TA-Lib computes it: DX and ADX share the same smoothed +DM, -DM and
 * true range; this module keeps that arithmetic in one place (DirectionalState) so both stay TA-Lib-exact.
 */
import { assertPeriod, assertSameLength, isZero, nanArray } from './common.ts';

/** TA-Lib DX lookback (unstable period 0): `period` bars. */
export function dxLookback(period: number): number {
  return period;
}

/** TA-Lib ADX lookback (unstable period 0): 2 * period - 1 bars (13 for period 7). */
export function adxLookback(period: number): number {
  return 2 * period - 1;
}

/** Running Wilder sums of +DM, -DM and true range. */
class DirectionalState {
  plusDM = 0;
  minusDM = 0;
  tr = 0;
  private prevHigh: number;
  private prevLow: number;
  private prevClose: number;

  constructor(
    private readonly high: Float64Array,
    private readonly low: Float64Array,
    private readonly close: Float64Array,
    private readonly period: number,
  ) {
    this.prevHigh = high[0]!;
    this.prevLow = low[0]!;
    this.prevClose = close[0]!;
  }

  /** Bar `today` during the first period - 1 bars: plain sums. */
  accumulate(today: number): void {
    this.step(today, false);
  }

  /** Bar `today` afterwards: Wilder smoothing, sum - sum / period + new. */
  smooth(today: number): void {
    this.step(today, true);
  }

  /** DX of the current sums, or NaN where TA-Lib's zero guards apply (callers pick TA-Lib's fallback). */
  dx(): number {
    if (isZero(this.tr)) return NaN;
    const minusDI = 100 * (this.minusDM / this.tr);
    const plusDI = 100 * (this.plusDM / this.tr);
    const sum = minusDI + plusDI;
    if (isZero(sum)) return NaN;
    return 100 * (Math.abs(minusDI - plusDI) / sum);
  }

  private step(today: number, wilder: boolean): void {
    const h = this.high[today]!;
    const l = this.low[today]!;
    const diffP = h - this.prevHigh;
    const diffM = this.prevLow - l;
    this.prevHigh = h;
    this.prevLow = l;
    if (wilder) {
      this.minusDM -= this.minusDM / this.period;
      this.plusDM -= this.plusDM / this.period;
    }
    if (diffM > 0 && diffP < diffM) this.minusDM += diffM;
    else if (diffP > 0 && diffP > diffM) this.plusDM += diffP;
    // True range against the previous close, compared in TA-Lib's order.
    let tr = h - l;
    const up = Math.abs(h - this.prevClose);
    if (up > tr) tr = up;
    const down = Math.abs(l - this.prevClose);
    if (down > tr) tr = down;
    this.tr = wilder ? this.tr - this.tr / this.period + tr : this.tr + tr;
    this.prevClose = this.close[today]!;
  }
}

/**
 * TA-Lib DX. The first value (bar `period`) uses one Wilder step after period - 1 plain sums; when TA-Lib's zero
 * guards trigger the first value is 0 and later values repeat the previous one.
 */
export function dx(high: Float64Array, low: Float64Array, close: Float64Array, period: number): Float64Array {
  assertPeriod('DX', 'period', period);
  const n = assertSameLength('DX', high, low, close);
  const out = nanArray(n);
  if (n <= period) return out;
  const state = new DirectionalState(high, low, close, period);
  for (let today = 1; today < period; today++) state.accumulate(today);
  state.smooth(period);
  const first = state.dx();
  out[period] = Number.isNaN(first) ? 0 : first;
  for (let today = period + 1; today < n; today++) {
    state.smooth(today);
    const value = state.dx();
    out[today] = Number.isNaN(value) ? out[today - 1]! : value;
  }
  return out;
}

/**
 * TA-Lib ADX: the first value (bar 2 * period - 1) is the mean of the DX of bars period .. 2 * period - 1 (a DX
 * hitting a zero guard counts as 0), then adx = (adx * (period - 1) + dx) / period, skipped when DX is undefined.
 */
export function adx(high: Float64Array, low: Float64Array, close: Float64Array, period: number): Float64Array {
  assertPeriod('ADX', 'period', period);
  const n = assertSameLength('ADX', high, low, close);
  const out = nanArray(n);
  const lookback = adxLookback(period);
  if (n <= lookback) return out;
  const state = new DirectionalState(high, low, close, period);
  for (let today = 1; today < period; today++) state.accumulate(today);
  let sumDX = 0;
  for (let today = period; today <= lookback; today++) {
    state.smooth(today);
    const value = state.dx();
    if (!Number.isNaN(value)) sumDX += value;
  }
  let prevADX = sumDX / period;
  out[lookback] = prevADX;
  for (let today = lookback + 1; today < n; today++) {
    state.smooth(today);
    const value = state.dx();
    if (!Number.isNaN(value)) prevADX = (prevADX * (period - 1) + value) / period;
    out[today] = prevADX;
  }
  return out;
}
