import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Candle } from '../../src/data/candle.ts';
import { computeFeatures, FEATURE_NAMES, featureWarmup, pandasPctChange, pctDiff } from '../../src/data/features.ts';
import { candlesFromSeries, loadCandles, toSeries, type Series } from './indicators/load-csv.ts';
import { assertMatches } from './indicators/talib-oracle.ts';

const talib = createRequire(import.meta.url)('talib') as {
  execute(p: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]> };
};

/** One TA-Lib output spread to full length (NaN before begIndex). */
function ta(s: Series, name: string, output: string, options: Record<string, number> = {}): Float64Array {
  const n = s.close.length;
  const res = talib.execute({
    name, startIdx: 0, endIdx: n - 1, inReal: Array.from(s.close), high: Array.from(s.high), low: Array.from(s.low),
    close: Array.from(s.close), volume: Array.from(s.volume), ...options,
  });
  const out = new Float64Array(n).fill(NaN);
  res.result[output]!.forEach((v, k) => (out[res.begIndex + k] = v));
  return out;
}

const map = (a: Float64Array, f: (v: number, i: number) => number) => Float64Array.from(a, f);

/** The 19 features from TA-Lib values with the seed's formulas, written out independently of src/data/features.ts. */
function expectedColumns(s: Series, p: number): Float64Array[] {
  const pct = (a: Float64Array, b: Float64Array) => map(a, (v, i) => ((v - b[i]!) / b[i]!) * 100);
  const change = (a: Float64Array) => map(a, (v, i) => (i === 0 ? NaN : (v / a[i - 1]! - 1) * 100));
  const macd = (o: string) => ta(s, 'MACD', o, { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 });
  const stoch = (o: string) => ta(s, 'STOCH', o, { optInFastK_Period: 5, optInSlowK_Period: 3, optInSlowK_MAType: 0, optInSlowD_Period: 3, optInSlowD_MAType: 0 });
  const bb = (o: string) => ta(s, 'BBANDS', o, { optInTimePeriod: p, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 });
  const sma = (q: number) => ta(s, 'SMA', 'outReal', { optInTimePeriod: q });
  return [
    ta(s, 'ADX', 'outReal', { optInTimePeriod: p }),
    ta(s, 'AROON', 'outAroonDown', { optInTimePeriod: p }),
    ta(s, 'AROON', 'outAroonUp', { optInTimePeriod: p }),
    macd('outMACD'),
    macd('outMACDSignal'),
    macd('outMACDHist'),
    ta(s, 'RSI', 'outReal', { optInTimePeriod: p }),
    stoch('outSlowK'),
    stoch('outSlowD'),
    ta(s, 'MFI', 'outReal', { optInTimePeriod: p }),
    ta(s, 'DX', 'outReal', { optInTimePeriod: p }),
    map(ta(s, 'TRIX', 'outReal', { optInTimePeriod: p }), (v) => v * 100),
    ta(s, 'PPO', 'outReal', { optInFastPeriod: 12, optInSlowPeriod: 26, optInMAType: 0 }),
    change(ta(s, 'OBV', 'outReal')),
    change(ta(s, 'AD', 'outReal')),
    pct(bb('outRealUpperBand'), bb('outRealLowerBand')),
    pct(sma(2), sma(10)),
    pct(sma(2), sma(20)),
    pct(sma(10), sma(20)),
  ];
}

function assertFeaturesMatchTalib(candles: Candle[], period: number, what: string): void {
  const table = computeFeatures(candles, { period });
  const expected = expectedColumns(toSeries(candles), period);
  // Rows kept are exactly the candles where all expected values are finite.
  const finite = candles.map((_, i) => expected.every((col) => Number.isFinite(col[i]!)));
  assert.deepEqual(Array.from(table.candleIndex), finite.flatMap((ok, i) => (ok ? [i] : [])), `${what}: kept rows`);
  assert.equal(table.dropped, candles.length - table.X.nRows);
  for (let j = 0; j < FEATURE_NAMES.length; j++) {
    const column = Float64Array.from(table.candleIndex, (_, r) => table.X.data[r * table.X.nCols + j]!);
    const want = Float64Array.from(table.candleIndex, (ci) => expected[j]![ci]!);
    assertMatches(column, want, `${what} ${FEATURE_NAMES[j]}`);
  }
}

test('19 features in the seed order', () => {
  assert.equal(FEATURE_NAMES.length, 19);
  assert.deepEqual([...FEATURE_NAMES], [
    '7_day_ADX', 'AroonDown', 'AroonUp', 'MACD', 'MACD_Signal', 'MACD_Hist', '7_day_RSI', 'SlowK', 'SlowD',
    '7_day_MFI', '7_day_DX', '7_day_TRIX', 'PPO', 'OBV_pct_change', 'AD_pct_change', 'BBANDS_distance_pct',
    '2_day_SMA_10_day_SMA_pct_diff', '2_day_SMA_20_day_SMA_pct_diff', '10_day_SMA_20_day_SMA_pct_diff',
  ]);
  const table = computeFeatures(loadCandles('SOL'), { period: 7 });
  assert.deepEqual(table.featureNames, FEATURE_NAMES);
  assert.equal(table.X.nCols, 19);
});

test('BTC features equal the seed formulas applied to TA-Lib values', () => {
  const candles = loadCandles('BTC');
  assertFeaturesMatchTalib(candles, 7, 'BTC');
  const table = computeFeatures(candles, { period: 7 });
  // No zero volumes in the bundled data: only the 33-bar MACD warm-up is lost.
  assert.equal(table.warmup, 33);
  assert.equal(table.dropped, 33);
  assert.equal(table.candleIndex[0], 33);
  assert.equal(table.dates[0], candles[33]!.date);
  assert.equal(table.dates.at(-1), candles.at(-1)!.date);
});

test('the period option drives the "7_day" indicators and the warm-up', () => {
  const candles = loadCandles('DOGE');
  assertFeaturesMatchTalib(candles, 14, 'DOGE period 14');
  assert.equal(featureWarmup(7), 33);
  assert.equal(featureWarmup(14), 40); // TRIX(14): 3 * 13 + 1
  assert.equal(computeFeatures(candles, { period: 14 }).dropped, 40);
});

test('zero volume makes OBV/AD percent changes divide by zero: those rows are dropped and counted', () => {
  const base = toSeries(loadCandles('ETH').slice(0, 120));
  // Volume 0 for the first 50 bars keeps OBV and AD at exactly 0: 0/0 is NaN, and the first move away is x/0 = ±Inf.
  const volume = Float64Array.from(base.volume, (v, i) => (i < 50 ? 0 : v));
  const candles = candlesFromSeries({ ...base, volume });
  const table = computeFeatures(candles, { period: 7 });
  assert.equal(table.warmup, 33);
  assert.equal(table.dropped, 51); // bars 0..50: warm-up plus 18 division-by-zero rows
  assert.equal(table.candleIndex[0], 51);
  assertFeaturesMatchTalib(candles, 7, 'zero volume');
});

test('pct_change follows pandas, including division by zero', () => {
  const out = pandasPctChange(Float64Array.from([2, 3, 0, 0, 4, -4]));
  assert.ok(Number.isNaN(out[0]));
  assert.equal(out[1], 50);
  assert.equal(out[2], -100);
  assert.ok(Number.isNaN(out[3])); // 0 / 0
  assert.equal(out[4], Infinity); // 4 / 0
  assert.equal(out[5], -200);
  assert.deepEqual(Array.from(pctDiff(Float64Array.from([110, 90]), Float64Array.from([100, 100]))).map((v) => Math.round(v * 1e9) / 1e9), [10, -10]);
});

test('short input gives an empty table, not an error', () => {
  const candles = loadCandles('BTC').slice(0, 33);
  const table = computeFeatures(candles, { period: 7 });
  assert.equal(table.X.nRows, 0);
  assert.equal(table.dropped, 33);
  assert.equal(computeFeatures([], { period: 7 }).X.nRows, 0);
});

test('misuse fails loudly', () => {
  const candles = loadCandles('BTC').slice(0, 50);
  assert.throws(() => computeFeatures(candles, { period: 1 }), /computeFeatures: period must be an integer/);
  const swapped = [...candles];
  [swapped[10], swapped[11]] = [swapped[11]!, swapped[10]!];
  assert.throws(() => computeFeatures(swapped, { period: 7 }), /ascending date order; candle 11 \(2017-08-27\) follows 2017-08-28/);
  const broken = candles.map((c, i) => (i === 5 ? { ...c, close: Number.NaN } : c));
  assert.throws(() => computeFeatures(broken, { period: 7 }), /candle 5 \(2017-08-22\) has a non-finite/);
});
