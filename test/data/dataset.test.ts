import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDataset, latestFeatureRow, minCandlesForDataset } from '../../src/data/dataset.ts';
import { computeFeatures, FEATURE_NAMES } from '../../src/data/features.ts';
import { trendTargets } from '../../src/data/labels.ts';
import { rowOf } from '../../src/models/matrix.ts';
import { loadCandles } from './indicators/load-csv.ts';

const OPTS = { window: 10, targetPct: 0.05, period: 7, trend: 'uptrend' as const };

test('labeled rows, prediction rows and counts for a full coin', () => {
  const candles = loadCandles('ADA');
  const n = candles.length;
  const ds = buildDataset('ADA', candles, OPTS);
  assert.equal(ds.symbol, 'ADA');
  assert.equal(ds.trend, 'uptrend');
  assert.deepEqual(ds.featureNames, FEATURE_NAMES);
  assert.equal(ds.dropped, 33);
  assert.equal(ds.X.nRows, n - 33 - 10);
  assert.equal(ds.y.length, ds.X.nRows);
  assert.equal(ds.pct.length, ds.X.nRows);
  assert.equal(ds.dates.length, ds.X.nRows);
  assert.equal(ds.dates[0], candles[33]!.date);
  assert.equal(ds.dates.at(-1), candles[n - 11]!.date);
  // The last `window` candles have no future SMA: they are the rows to predict.
  assert.deepEqual(ds.unlabeled.dates, candles.slice(n - 10).map((c) => c.date));
  assert.equal(ds.unlabeled.X.nRows, 10);
  assert.deepEqual(ds.range, { from: candles[0]!.date, to: candles[n - 1]!.date });
  for (let i = 1; i < ds.dates.length; i++) assert.ok(ds.dates[i - 1]! < ds.dates[i]!, 'chronological');
});

test('rows, labels and pct line up with computeFeatures and trendTargets by date', () => {
  const candles = loadCandles('ATOM');
  for (const trend of ['uptrend', 'downtrend'] as const) {
    const opts = { ...OPTS, trend, targetPct: trend === 'uptrend' ? 0.05 : -0.05 };
    const ds = buildDataset('ATOM', candles, opts);
    const features = computeFeatures(candles, opts);
    const targets = trendTargets(candles, opts);
    const byDate = new Map(candles.map((c, i) => [c.date, i]));
    const rowByDate = new Map(features.dates.map((d, r) => [d, r]));
    ds.dates.forEach((date, k) => {
      const ci = byDate.get(date)!;
      assert.equal(ds.y[k], targets.label[ci]);
      assert.equal(ds.pct[k], targets.pct[ci]);
      assert.deepEqual(rowOf(ds.X, k), rowOf(features.X, rowByDate.get(date)!));
    });
    ds.unlabeled.dates.forEach((date, k) => assert.deepEqual(rowOf(ds.unlabeled.X, k), rowOf(features.X, rowByDate.get(date)!)));
    const positives = ds.y.reduce((a, b) => a + b, 0);
    assert.ok(positives > 0 && positives < ds.y.length, `${trend}: both classes occur`);
  }
});

test('too few candles: a clear error naming the symbol and the counts; one more candle gives one row', () => {
  const candles = loadCandles('BTC');
  const needed = minCandlesForDataset(OPTS);
  assert.equal(needed, 44); // 33 warm-up + 10 window + 1
  assert.throws(
    () => buildDataset('BTC', candles.slice(0, needed - 1), OPTS),
    /buildDataset\(BTC\): 43 candles give no labeled row; at least 44 are needed \(feature warm-up 33 \+ label window 10 \+ 1\)/,
  );
  assert.throws(() => buildDataset('BTC', [], OPTS), /buildDataset\(BTC\): 0 candles/);
  const ds = buildDataset('BTC', candles.slice(0, needed), OPTS);
  assert.equal(ds.X.nRows, 1);
  assert.equal(ds.unlabeled.X.nRows, 10);
});

test('latestFeatureRow is the newest complete feature row', () => {
  const candles = loadCandles('XLM');
  const latest = latestFeatureRow(candles, { period: 7 })!;
  const features = computeFeatures(candles, { period: 7 });
  assert.equal(latest.date, candles.at(-1)!.date);
  assert.deepEqual(latest.values, rowOf(features.X, features.X.nRows - 1));
  assert.equal(latest.values.length, 19);
  assert.equal(latestFeatureRow(candles.slice(0, 33), { period: 7 }), null);
  assert.equal(latestFeatureRow(candles.slice(0, 34), { period: 7 })!.date, candles[33]!.date);
});
