/** Cumulative volume indicators. Neither has a warm-up: both start at bar 0 like TA-Lib. */
import { assertSameLength } from './common.ts';

/** TA-Lib OBV: starts at volume[0]; adds the volume on up closes, subtracts it on down closes, keeps it on ties. */
export function obv(close: Float64Array, volume: Float64Array): Float64Array {
  const n = assertSameLength('OBV', close, volume);
  const out = new Float64Array(n);
  if (n === 0) return out;
  let prevClose = close[0]!;
  let total = volume[0]!;
  for (let i = 0; i < n; i++) {
    const c = close[i]!;
    if (c > prevClose) total += volume[i]!;
    else if (c < prevClose) total -= volume[i]!;
    out[i] = total;
    prevClose = c;
  }
  return out;
}

/**
 * TA-Lib AD (Chaikin accumulation/distribution line): running sum of ((c - l) - (h - c)) / (h - l) * volume;
 * zero-range bars (h == l) add nothing.
 */
export function ad(high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array): Float64Array {
  const n = assertSameLength('AD', high, low, close, volume);
  const out = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const range = h - l;
    if (range > 0) total += ((c - l - (h - c)) / range) * volume[i]!;
    out[i] = total;
  }
  return out;
}
