import { assertPeriod, nanArray } from './common.ts';
import { emaFrom, emaLookback } from './ema.ts';

export interface MacdParams {
  readonly fastPeriod: number;
  readonly slowPeriod: number;
  readonly signalPeriod: number;
}

export const MACD_DEFAULTS: MacdParams = { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 };

export interface MacdOutput {
  readonly macd: Float64Array;
  readonly signal: Float64Array;
  readonly hist: Float64Array;
}

/** TA-Lib MACD lookback: slow EMA warm-up plus signal EMA warm-up (33 for 12/26/9). */
export function macdLookback(params: MacdParams = MACD_DEFAULTS): number {
  return emaLookback(params.slowPeriod) + emaLookback(params.signalPeriod);
}

/**
 * TA-Lib MACD (TA_MACD with EMAs). Alignment details that a textbook MACD gets wrong:
 * - both EMAs are first evaluated at `slow - 1`, and TA-Lib seeds each EMA `period` bars before its first output, so
 *   the fast EMA is seeded with the mean of close[slow - fast .. slow - 1] (bars 14..25 for 12/26), not of the first
 *   12 bars;
 * - the signal EMA is seeded with the mean of the first `signal` MACD values (bars 25..33);
 * - all three outputs start at the signal's first value (bar 33), although the MACD line is known from bar 25.
 */
export function macd(close: Float64Array, params: MacdParams = MACD_DEFAULTS): MacdOutput {
  const { fastPeriod, slowPeriod, signalPeriod } = params;
  assertPeriod('MACD', 'fastPeriod', fastPeriod);
  assertPeriod('MACD', 'slowPeriod', slowPeriod);
  assertPeriod('MACD', 'signalPeriod', signalPeriod, 1);
  if (fastPeriod >= slowPeriod) {
    throw new RangeError(`MACD: fastPeriod (${fastPeriod}) must be smaller than slowPeriod (${slowPeriod})`);
  }
  const n = close.length;
  const out: MacdOutput = { macd: nanArray(n), signal: nanArray(n), hist: nanArray(n) };
  const lookback = macdLookback(params);
  if (n <= lookback) return out;

  const lineStart = emaLookback(slowPeriod);
  const fast = new Float64Array(n);
  const slow = new Float64Array(n);
  emaFrom(close, lineStart - emaLookback(fastPeriod), fastPeriod, fast);
  emaFrom(close, 0, slowPeriod, slow);
  const line = fast; // reused: fast - slow in place
  for (let i = lineStart; i < n; i++) line[i] = fast[i]! - slow[i]!;
  emaFrom(line, lineStart, signalPeriod, out.signal);
  for (let i = lookback; i < n; i++) {
    out.macd[i] = line[i]!;
    out.hist[i] = line[i]! - out.signal[i]!;
  }
  return out;
}
