/**
 * The 19 model features, defined exactly as the seed project defined them from Alpha Vantage's TA-Lib indicator
 * values, but computed locally from one OHLCV series (see the README for why).
 *
 * A feature row exists for every candle whose 19 values are all finite. Rows lost to indicator warm-up (the first
 * `featureWarmup(period)` candles) and rows with NaN/±Infinity (e.g. OBV going 0 -> x, a division by zero in the
 * percent change) are dropped and counted.
 */
import type { Candle } from './candle.ts';
import type { Matrix } from '../models/matrix.ts';
import {
  ad,
  adx,
  adxLookback,
  aroon,
  bbands,
  dx,
  macd,
  macdLookback,
  mfi,
  obv,
  ppo,
  ppoLookback,
  rsi,
  sma,
  stoch,
  trix,
  trixLookback,
} from './indicators/index.ts';
import { assertPeriod } from './indicators/common.ts';

export const FEATURE_NAMES = [
  '7_day_ADX',
  'AroonDown',
  'AroonUp',
  'MACD',
  'MACD_Signal',
  'MACD_Hist',
  '7_day_RSI',
  'SlowK',
  'SlowD',
  '7_day_MFI',
  '7_day_DX',
  '7_day_TRIX',
  'PPO',
  'OBV_pct_change',
  'AD_pct_change',
  'BBANDS_distance_pct',
  '2_day_SMA_10_day_SMA_pct_diff',
  '2_day_SMA_20_day_SMA_pct_diff',
  '10_day_SMA_20_day_SMA_pct_diff',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface FeatureOptions {
  /** Period of the "7_day_*" indicators (ADX, AROON, RSI, MFI, DX, TRIX, BBANDS). The names keep "7_day" whatever it is. */
  readonly period: number;
}

export interface FeatureTable {
  /** Candle date of each row, chronological. */
  dates: string[];
  /** One row per kept candle, columns in FEATURE_NAMES order. */
  X: Matrix;
  /** Index into the input candles for each row. */
  candleIndex: Int32Array;
  /** Candles without a feature row: warm-up plus rows with a NaN or ±Infinity value. */
  dropped: number;
  /** The part of `dropped` that is indicator warm-up (always the first candles). */
  warmup: number;
  featureNames: readonly string[];
}

/** Candles at the start that can never have a feature row: the longest indicator lookback (33, MACD, for period 7). */
export function featureWarmup(period: number): number {
  return Math.max(
    macdLookback(),
    ppoLookback(),
    19, // SMA 20
    adxLookback(period),
    trixLookback(period),
    period, // AROON, RSI, MFI, DX
    1, // percent changes
  );
}

/** Column arrays of one coin, so every indicator loop runs on typed arrays. */
interface Ohlcv {
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/**
 * Computes the 19 features for each candle. Candles must be chronological (validated data from a provider); they
 * are checked for order and finiteness here only to fail loudly on misuse.
 */
export function computeFeatures(candles: readonly Candle[], opts: FeatureOptions): FeatureTable {
  assertPeriod('computeFeatures', 'period', opts.period);
  const series = toColumns(candles);
  const columns = featureColumns(series, opts.period);
  const n = candles.length;
  const nCols = columns.length;

  const keep = new Uint8Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    let ok = 1;
    for (let j = 0; j < nCols; j++) {
      if (!Number.isFinite(columns[j]![i]!)) {
        ok = 0;
        break;
      }
    }
    keep[i] = ok;
    kept += ok;
  }

  const data = new Float64Array(kept * nCols);
  const candleIndex = new Int32Array(kept);
  const dates: string[] = new Array<string>(kept);
  for (let i = 0, r = 0; i < n; i++) {
    if (keep[i] === 0) continue;
    const base = r * nCols;
    for (let j = 0; j < nCols; j++) data[base + j] = columns[j]![i]!;
    candleIndex[r] = i;
    dates[r] = candles[i]!.date;
    r++;
  }
  return {
    dates,
    X: { nRows: kept, nCols, data },
    candleIndex,
    dropped: n - kept,
    warmup: Math.min(featureWarmup(opts.period), n),
    featureNames: FEATURE_NAMES,
  };
}

/** The 19 feature columns (full candle length, NaN where undefined), in FEATURE_NAMES order. */
function featureColumns(s: Ohlcv, period: number): Float64Array[] {
  const { high, low, close, volume } = s;
  const aroonOut = aroon(high, low, period);
  const macdOut = macd(close);
  const stochOut = stoch(high, low, close);
  const bands = bbands(close, period, 2, 2);
  const sma2 = sma(close, 2);
  const sma10 = sma(close, 10);
  const sma20 = sma(close, 20);
  const columns = [
    adx(high, low, close, period),
    aroonOut.down,
    aroonOut.up,
    macdOut.macd,
    macdOut.signal,
    macdOut.hist,
    rsi(close, period),
    stochOut.slowK,
    stochOut.slowD,
    mfi(high, low, close, volume, period),
    dx(high, low, close, period),
    scale(trix(close, period), 100), // the seed multiplied TA-Lib's TRIX (already a percentage) by 100 again
    ppo(close),
    pandasPctChange(obv(close, volume)),
    pandasPctChange(ad(high, low, close, volume)),
    pctDiff(bands.upper, bands.lower),
    pctDiff(sma2, sma10),
    pctDiff(sma2, sma20),
    pctDiff(sma10, sma20),
  ];
  if (columns.length !== FEATURE_NAMES.length) throw new Error('featureColumns out of sync with FEATURE_NAMES');
  return columns;
}

/**
 * pandas `Series.pct_change() * 100`, in pandas' own arithmetic order (x_t / x_{t-1} - 1), which is
 * (x_t - x_{t-1}) / x_{t-1} up to rounding. A zero previous value gives ±Infinity or NaN, as in pandas; such rows are
 * dropped later. The first element is NaN.
 */
export function pandasPctChange(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  if (x.length > 0) out[0] = NaN;
  for (let i = 1; i < x.length; i++) out[i] = (x[i]! / x[i - 1]! - 1) * 100;
  return out;
}

/** (a - b) / b * 100 element-wise; NaN propagates from either input. */
export function pctDiff(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = ((a[i]! - b[i]!) / b[i]!) * 100;
  return out;
}

function scale(x: Float64Array, factor: number): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * factor;
  return x;
}

function toColumns(candles: readonly Candle[]): Ohlcv {
  const n = candles.length;
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let prevDate = '';
  for (let i = 0; i < n; i++) {
    const c = candles[i]!;
    if (!(c.date > prevDate)) {
      throw new Error(`computeFeatures: candles must be in strictly ascending date order; candle ${i} (${c.date}) follows ${prevDate}`);
    }
    prevDate = c.date;
    if (!(Number.isFinite(c.high) && Number.isFinite(c.low) && Number.isFinite(c.close) && Number.isFinite(c.volume))) {
      throw new Error(`computeFeatures: candle ${i} (${c.date}) has a non-finite high/low/close/volume`);
    }
    high[i] = c.high;
    low[i] = c.low;
    close[i] = c.close;
    volume[i] = c.volume;
  }
  return { high, low, close, volume };
}
