import { assertPeriod, isZero, nanArray } from './common.ts';
import { smaFrom, smaLookback } from './sma.ts';

/** TA-Lib PPO lookback with SMA averages: the slow SMA's warm-up (25 for 12/26). */
export function ppoLookback(fastPeriod = 12, slowPeriod = 26): number {
  return smaLookback(Math.max(fastPeriod, slowPeriod));
}

/**
 * TA-Lib PPO with MA type SMA (the seed's setting): ((fastSMA - slowSMA) / slowSMA) * 100, and 0 where TA-Lib
 * considers the slow SMA zero (|slow| < 1e-14).
 */
export function ppo(close: Float64Array, fastPeriod = 12, slowPeriod = 26): Float64Array {
  assertPeriod('PPO', 'fastPeriod', fastPeriod);
  assertPeriod('PPO', 'slowPeriod', slowPeriod);
  if (fastPeriod >= slowPeriod) {
    throw new RangeError(`PPO: fastPeriod (${fastPeriod}) must be smaller than slowPeriod (${slowPeriod})`);
  }
  const n = close.length;
  const out = nanArray(n);
  const fast = new Float64Array(n);
  smaFrom(close, 0, fastPeriod, fast);
  smaFrom(close, 0, slowPeriod, out);
  for (let i = ppoLookback(fastPeriod, slowPeriod); i < n; i++) {
    const slow = out[i]!;
    out[i] = isZero(slow) ? 0 : ((fast[i]! - slow) / slow) * 100;
  }
  return out;
}
