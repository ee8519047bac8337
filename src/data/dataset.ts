/**
 * Joins features and labels of one coin into the training set (labeled rows) and the prediction rows (the newest
 * candles, whose future is not known yet). Everything stays chronological so callers can split by time.
 */
import type { Candle, Trend } from './candle.ts';
import { takeRows, type Matrix } from '../models/matrix.ts';
import { computeFeatures, featureWarmup, type FeatureOptions } from './features.ts';
import { LABEL_SMA_PERIOD, trendTargets } from './labels.ts';

export interface DatasetOptions {
  readonly trend: Trend;
  /** Days ahead of the label (see labels.ts). */
  readonly window: number;
  /** Signed fractional label threshold (0.05 uptrend, -0.05 downtrend). */
  readonly targetPct: number;
  /** Period of the "7_day_*" indicators. */
  readonly period: number;
}

export interface Dataset {
  symbol: string;
  trend: Trend;
  featureNames: readonly string[];
  /** Labeled rows only, chronological. */
  dates: string[];
  X: Matrix;
  y: Uint8Array;
  /** The fractional SMA change behind each label. */
  pct: Float64Array;
  /** The newest rows, whose label is not known yet: the rows to predict. */
  unlabeled: { dates: string[]; X: Matrix };
  /** Candles without a feature row (warm-up plus non-finite values). */
  dropped: number;
  /** First and last candle date of the input. */
  range: { from: string; to: string };
}

/** Fewest candles that can give one labeled row: feature warm-up, then `window` days to see the future SMA. */
export function minCandlesForDataset(opts: Pick<DatasetOptions, 'window' | 'period'>): number {
  return Math.max(featureWarmup(opts.period), LABEL_SMA_PERIOD - 1) + opts.window + 1;
}

export function buildDataset(symbol: string, candles: readonly Candle[], opts: DatasetOptions): Dataset {
  const features = computeFeatures(candles, { period: opts.period });
  const targets = trendTargets(candles, { window: opts.window, targetPct: opts.targetPct, trend: opts.trend });
  const n = candles.length;

  const labeledRows: number[] = [];
  const unlabeledRows: number[] = [];
  for (let r = 0; r < features.candleIndex.length; r++) {
    const ci = features.candleIndex[r]!;
    if (targets.label[ci]! >= 0) labeledRows.push(r);
    else if (ci + opts.window >= n) unlabeledRows.push(r);
  }
  if (labeledRows.length === 0) {
    throw new Error(
      `buildDataset(${symbol}): ${n} candles give no labeled row; at least ${minCandlesForDataset(opts)} are needed ` +
        `(feature warm-up ${featureWarmup(opts.period)} + label window ${opts.window} + 1)` +
        (features.dropped > features.warmup ? `, and ${features.dropped - features.warmup} rows had non-finite features` : ''),
    );
  }

  const y = new Uint8Array(labeledRows.length);
  const pct = new Float64Array(labeledRows.length);
  for (let k = 0; k < labeledRows.length; k++) {
    const ci = features.candleIndex[labeledRows[k]!]!;
    y[k] = targets.label[ci]!;
    pct[k] = targets.pct[ci]!;
  }
  return {
    symbol,
    trend: opts.trend,
    featureNames: features.featureNames,
    dates: labeledRows.map((r) => features.dates[r]!),
    X: takeRows(features.X, labeledRows),
    y,
    pct,
    unlabeled: { dates: unlabeledRows.map((r) => features.dates[r]!), X: takeRows(features.X, unlabeledRows) },
    dropped: features.dropped,
    range: { from: candles[0]!.date, to: candles[n - 1]!.date },
  };
}

/** The newest candle with a complete feature row (usually the last candle), or null if there is none. */
export function latestFeatureRow(candles: readonly Candle[], opts: FeatureOptions): { date: string; values: Float64Array } | null {
  const features = computeFeatures(candles, opts);
  const rows = features.X.nRows;
  if (rows === 0) return null;
  const nCols = features.X.nCols;
  return { date: features.dates[rows - 1]!, values: features.X.data.slice((rows - 1) * nCols, rows * nCols) };
}
