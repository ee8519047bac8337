/**
 * Trend labels, as the seed defined them: compare the 10-day SMA `window` days ahead with today's 10-day SMA.
 *
 *   pct[t] = (sma10[t + window] - sma10[t]) / sma10[t]
 *   uptrend:   label 1 if pct >= targetPct (targetPct > 0, e.g. 0.05), else 0
 *   downtrend: label 1 if pct <= targetPct (targetPct < 0, e.g. -0.05), else 0
 *
 * Days without a future SMA (the last `window` candles) or without a current SMA (the first 9) have NO label
 * (-1, pct NaN). They are never 0: "we do not know yet" must not be trained on as "no trend".
 * The SMA is TA-Lib's (the same running-sum SMA as the features), so thresholds match the seed's Alpha Vantage data.
 */
import { isTrend, type Candle, type Trend } from './candle.ts';
import { sma } from './indicators/index.ts';

/** Period of the moving average whose future change defines a trend. */
export const LABEL_SMA_PERIOD = 10;

/** Label value for candles whose outcome is not known. */
export const UNKNOWN_LABEL = -1;

export interface TrendTargetOptions {
  /** Days ahead to look (the seed: 10). */
  readonly window: number;
  /** Signed fractional threshold: positive for uptrend (0.05 = +5 %), negative for downtrend (-0.05). */
  readonly targetPct: number;
  readonly trend: Trend;
}

export interface TrendTargets {
  /** Fractional SMA change per candle, NaN if unknown. */
  pct: Float64Array;
  /** Per candle: 1 (trend), 0 (no trend) or -1 (unknown). */
  label: Int8Array;
}

export function trendTargets(candles: readonly Candle[], opts: TrendTargetOptions): TrendTargets {
  validateTargetOptions(opts);
  const n = candles.length;
  const close = new Float64Array(n);
  for (let i = 0; i < n; i++) close[i] = candles[i]!.close;
  const avg = sma(close, LABEL_SMA_PERIOD);

  const { window, targetPct, trend } = opts;
  const pct = new Float64Array(n);
  const label = new Int8Array(n);
  for (let t = 0; t < n; t++) {
    const future = t + window < n ? avg[t + window]! : NaN;
    const current = avg[t]!;
    // Computed exactly as (future - sma) / sma so a value sitting on the threshold compares the same way as in the seed.
    const change = (future - current) / current;
    if (!Number.isFinite(change)) {
      pct[t] = NaN;
      label[t] = UNKNOWN_LABEL;
      continue;
    }
    pct[t] = change;
    label[t] = (trend === 'uptrend' ? change >= targetPct : change <= targetPct) ? 1 : 0;
  }
  return { pct, label };
}

function validateTargetOptions(opts: TrendTargetOptions): void {
  const { window, targetPct, trend } = opts;
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(`trendTargets: window must be a positive integer number of days, got ${window}`);
  }
  if (!isTrend(trend)) {
    throw new RangeError(`trendTargets: trend must be 'uptrend' or 'downtrend', got ${String(trend)}`);
  }
  if (!Number.isFinite(targetPct) || (trend === 'uptrend' ? targetPct <= 0 : targetPct >= 0)) {
    const expected = trend === 'uptrend' ? 'a positive fraction such as 0.05' : 'a negative fraction such as -0.05';
    throw new RangeError(`trendTargets: targetPct for ${trend} must be ${expected}, got ${targetPct}`);
  }
}
