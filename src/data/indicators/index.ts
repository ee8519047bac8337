/**
 * TA-Lib-exact technical indicators on Float64Arrays. Each returns arrays of the input length with NaN during
 * TA-Lib's warm-up (its `begIndex`), then TA-Lib's values for startIdx = 0. See the README.
 */
export { sma, smaFrom, smaLookback } from './sma.ts';
export { emaFrom, emaK, emaLookback } from './ema.ts';
export { macd, macdLookback, MACD_DEFAULTS, type MacdOutput, type MacdParams } from './macd.ts';
export { ppo, ppoLookback } from './ppo.ts';
export { trix, trixLookback } from './trix.ts';
export { rsi, rsiLookback } from './rsi.ts';
export { stoch, stochLookback, STOCH_DEFAULTS, type StochOutput, type StochParams } from './stoch.ts';
export { aroon, aroonLookback, type AroonOutput } from './aroon.ts';
export { adx, adxLookback, dx, dxLookback } from './directional.ts';
export { mfi, mfiLookback } from './mfi.ts';
export { bbands, bbandsLookback, type BbandsOutput } from './bbands.ts';
export { ad, obv } from './volume.ts';
