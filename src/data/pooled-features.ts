/**
 * The pooled feature set: features that mean the same thing on every coin, so that one model can learn from the rows
 * of all coins at once (the cross-coin "global" candidates), plus the market context of the same date.
 *
 * The seed's 19 features cannot be pooled as they are: MACD and OBV/A-D are in price or volume units, so a value
 * means one thing on BTC and another on DOGE. Here every feature is scale-free: log returns, ratios of averages,
 * volatilities, bounded oscillators (divided by 100), volume relative to its own average, and money flows as a share
 * of the volume traded.
 *
 * No look-ahead: the value on day t reads candles dated t or earlier only (of the coin itself and, for the context,
 * of BTC and the other coins), so truncating the data at any date leaves every earlier row unchanged. A test checks
 * exactly that.
 */
import type { Candle } from './candle.ts';
import type { Matrix } from '../models/matrix.ts';
import type { FeatureTable } from './features.ts';
import { adx, aroon, bbands, mfi, ppo, rsi, sma, stoch, trix, macd, obv, ad, dx } from './indicators/index.ts';
import { assertPeriod } from './indicators/common.ts';
import { logReturn, rollingExtreme, rollingStd, rollingSum } from './series.ts';
import type { MarketContext } from './market-context.ts';
import { CONTEXT_FEATURE_NAMES } from './market-context.ts';

/** The coin's own scale-free features, in column order. */
export const OWN_FEATURE_NAMES = [
  'ret_1d', 'ret_3d', 'ret_7d', 'ret_14d', 'ret_30d',
  'close_vs_sma10', 'close_vs_sma20', 'close_vs_sma50', 'sma10_vs_sma20', 'sma10_change_10d',
  'volatility_7d', 'volatility_30d', 'volatility_ratio', 'range_14d_pct', 'ret_7d_zscore',
  'rsi_7', 'rsi_14', 'stoch_k', 'stoch_d', 'mfi_7', 'adx_7', 'dx_7', 'aroon_up_7', 'aroon_down_7',
  'macd_pct', 'macd_hist_pct', 'ppo_pct', 'trix_7', 'bb_width_7', 'bb_position_7',
  'volume_vs_avg20', 'obv_flow_10d', 'ad_flow_10d', 'drawdown_90d', 'rise_90d',
] as const;

/** The coin's 10-day return against the market's median: relative strength. */
const RELATIVE_FEATURE_NAMES = ['ret_10d_vs_market'] as const;

export const POOLED_FEATURE_NAMES: readonly string[] = [...OWN_FEATURE_NAMES, ...CONTEXT_FEATURE_NAMES, ...RELATIVE_FEATURE_NAMES];

/**
 * Rows before this are dropped as warm-up: the longest fixed look-back is the 50-day average. The 90-day high and low
 * use what history there is before day 90, so that a coin with a short history gets pooled features early (a global
 * model can then give it a signal before its own models could learn anything).
 */
export const POOLED_WARMUP = 50;
const EXTREMES_DAYS = 90;

/** The name under which a feature set is recorded on a model version. */
export const POOLED_FEATURE_SET = 'pooled-v1';

interface Columns {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

function columnsOf(candles: readonly Candle[]): Columns {
  const n = candles.length;
  const c: Columns = { high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const k = candles[i]!;
    c.high[i] = k.high;
    c.low[i] = k.low;
    c.close[i] = k.close;
    c.volume[i] = k.volume;
  }
  return c;
}

const nanArray = (n: number) => new Float64Array(n).fill(Number.NaN);

const ratioMinusOne = (a: Float64Array, b: Float64Array) => a.map((v, i) => v / b[i]! - 1);
const divide = (a: Float64Array, b: Float64Array) => a.map((v, i) => v / b[i]!);
const scaled = (a: Float64Array, f: number) => a.map((v) => v * f);

/** Change of x over k rows divided by the volume traded over those rows: a money flow in [-1, 1]. */
function flow(x: Float64Array, volume: Float64Array, k: number): Float64Array {
  const traded = rollingSum(volume, k);
  const out = nanArray(x.length);
  for (let i = k; i < x.length; i++) out[i] = traded[i]! > 0 ? (x[i]! - x[i - k]!) / traded[i]! : 0;
  return out;
}

/** The coin's own scale-free feature columns (full candle length, NaN where undefined), in OWN_FEATURE_NAMES order. */
export function ownFeatureColumns(candles: readonly Candle[], period: number): Float64Array[] {
  assertPeriod('pooled features', 'period', period);
  const { high, low, close, volume } = columnsOf(candles);
  const r1 = logReturn(close, 1);
  const sma10 = sma(close, 10);
  const sma20 = sma(close, 20);
  const sma50 = sma(close, 50);
  const vol7 = rollingStd(r1, 7);
  const vol30 = rollingStd(r1, 30);
  const ret7 = logReturn(close, 7);
  const trueRange = close.map((_, i) => (i === 0 ? high[i]! - low[i]! : Math.max(high[i]!, close[i - 1]!) - Math.min(low[i]!, close[i - 1]!)));
  const aroonOut = aroon(high, low, period);
  const macdOut = macd(close);
  const stochOut = stoch(high, low, close);
  const bands = bbands(close, period, 2, 2);
  const hi90 = rollingExtreme(high, EXTREMES_DAYS, Math.max);
  const lo90 = rollingExtreme(low, EXTREMES_DAYS, Math.min);
  const volumeAvg20 = sma(volume, 20);
  const columns = [
    r1, logReturn(close, 3), ret7, logReturn(close, 14), logReturn(close, 30),
    ratioMinusOne(close, sma10), ratioMinusOne(close, sma20), ratioMinusOne(close, sma50), ratioMinusOne(sma10, sma20),
    sma10.map((v, i) => (i >= 10 ? v / sma10[i - 10]! - 1 : Number.NaN)),
    vol7, vol30, divide(vol7, vol30), divide(sma(trueRange, 14), close), ret7.map((v, i) => v / (vol30[i]! * Math.sqrt(7))),
    scaled(rsi(close, period), 0.01), scaled(rsi(close, 14), 0.01), scaled(stochOut.slowK, 0.01), scaled(stochOut.slowD, 0.01),
    scaled(mfi(high, low, close, volume, period), 0.01), scaled(adx(high, low, close, period), 0.01), scaled(dx(high, low, close, period), 0.01),
    scaled(aroonOut.up, 0.01), scaled(aroonOut.down, 0.01),
    divide(macdOut.macd, close), divide(macdOut.hist, close), scaled(ppo(close), 0.01), trix(close, period),
    bands.upper.map((u, i) => (u - bands.lower[i]!) / bands.middle[i]!),
    close.map((c, i) => (c - bands.lower[i]!) / (bands.upper[i]! - bands.lower[i]!)),
    volume.map((v, i) => Math.log((v + 1e-12) / (volumeAvg20[i]! + 1e-12))),
    flow(obv(close, volume), volume, 10), flow(ad(high, low, close, volume), volume, 10),
    ratioMinusOne(close, hi90), ratioMinusOne(close, lo90),
  ];
  if (columns.length !== OWN_FEATURE_NAMES.length) throw new Error('ownFeatureColumns out of sync with OWN_FEATURE_NAMES');
  return columns;
}

/**
 * The pooled features of one coin: its own columns joined with the market context of the same date. A row exists for
 * every candle whose values are all finite (the context must know the date, too), after the 90-day warm-up.
 */
export function computePooledFeatures(candles: readonly Candle[], context: MarketContext, opts: { period: number }): FeatureTable {
  const own = ownFeatureColumns(candles, opts.period);
  const ret10 = logReturn(Float64Array.from(candles, (c) => c.close), 10);
  const medianRet10 = CONTEXT_FEATURE_NAMES.indexOf('market_median_ret_10d');
  const nOwn = own.length;
  const nCtx = CONTEXT_FEATURE_NAMES.length;
  const nCols = nOwn + nCtx + RELATIVE_FEATURE_NAMES.length;
  const n = candles.length;
  const rows: number[] = [];
  const values: number[] = [];
  const row = new Float64Array(nCols);
  for (let i = POOLED_WARMUP - 1; i < n; i++) {
    const ctx = context.at(candles[i]!.date);
    if (!ctx) continue;
    let ok = true;
    for (let j = 0; j < nOwn && ok; j++) { row[j] = own[j]![i]!; ok = Number.isFinite(row[j]!); }
    for (let j = 0; j < nCtx && ok; j++) { row[nOwn + j] = ctx[j]!; ok = Number.isFinite(ctx[j]!); }
    row[nOwn + nCtx] = ret10[i]! - ctx[medianRet10]!;
    ok &&= Number.isFinite(row[nOwn + nCtx]!);
    if (!ok) continue;
    rows.push(i);
    for (let j = 0; j < nCols; j++) values.push(row[j]!);
  }
  const X: Matrix = { nRows: rows.length, nCols, data: Float64Array.from(values) };
  return {
    dates: rows.map((i) => candles[i]!.date),
    X,
    candleIndex: Int32Array.from(rows),
    dropped: n - rows.length,
    warmup: Math.min(POOLED_WARMUP - 1, n),
    featureNames: POOLED_FEATURE_NAMES,
  };
}
