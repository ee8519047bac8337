import { assertPeriod, isZero, nanArray } from './common.ts';

/** TA-Lib RSI lookback (unstable period 0): `period` bars. */
export function rsiLookback(period: number): number {
  return period;
}

/**
 * TA-Lib RSI (Wilder smoothing, default compatibility): the first value averages the gains and losses of bars
 * 1..period; then avg = (avg * (period - 1) + change) / period. 0 where gains + losses count as zero in TA-Lib.
 */
export function rsi(close: Float64Array, period: number): Float64Array {
  assertPeriod('RSI', 'period', period);
  const n = close.length;
  const out = nanArray(n);
  if (n <= period) return out;
  let prevValue = close[0]!;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const change = close[i]! - prevValue;
    prevValue = close[i]!;
    if (change < 0) loss -= change;
    else gain += change;
  }
  loss /= period;
  gain /= period;
  out[period] = rsiValue(gain, loss);
  for (let i = period + 1; i < n; i++) {
    const change = close[i]! - prevValue;
    prevValue = close[i]!;
    loss *= period - 1;
    gain *= period - 1;
    if (change < 0) loss -= change;
    else gain += change;
    loss /= period;
    gain /= period;
    out[i] = rsiValue(gain, loss);
  }
  return out;
}

function rsiValue(gain: number, loss: number): number {
  const total = gain + loss;
  return isZero(total) ? 0 : 100 * (gain / total);
}
