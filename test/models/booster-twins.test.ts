/**
 * LightGBM and HistGradientBoosting on the shared engine: the twin check says "identical" only when the fits are
 * identical, and a twin re-labelled from one fit predicts exactly what its own fit would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDataset } from '../../src/data/dataset.ts';
import { asTwin, fitsIdentically } from '../../src/models/booster-twins.ts';
import { createClassifier } from '../../src/models/registry.ts';
import { sliceRows, type Matrix } from '../../src/models/matrix.ts';
import { bundledCandles, testConfig } from '../helpers/system.ts';

const config = testConfig({ symbols: ['SOL', 'BTC'] });

async function rows(symbol: string, n?: number): Promise<{ X: Matrix; y: Uint8Array }> {
  const candles = await bundledCandles(config)(symbol);
  const data = buildDataset(symbol, candles, { trend: 'uptrend', window: 10, targetPct: 0.05, period: 7 });
  const end = n ?? data.y.length;
  return { X: sliceRows(data.X, 0, end), y: data.y.subarray(0, end) };
}

test('on real rows whose bins coincide (all of BTC), the check says identical and the two kinds fit the same trees', async () => {
  const { X, y } = await rows('BTC');
  const lgb = createClassifier('LightGBM'), hgb = createClassifier('HistGradientBoosting');
  assert.equal(fitsIdentically(lgb, hgb, [X]), true);
  await lgb.fit(X, y, { seed: 1 });
  await hgb.fit(X, y, { seed: 1 });
  assert.deepEqual(lgb.toJSON().state, hgb.toJSON().state);
  const twin = asTwin(hgb, 'LightGBM');
  assert.equal(twin.kind, 'LightGBM');
  assert.deepEqual(twin.params, lgb.params);
  assert.deepEqual(Array.from(twin.predictProba(X)), Array.from(lgb.predictProba(X)));
});

test('where min_data_in_bin merges a bin (SOL\'s first 1,200 rows: tied MFI values), the check says no, and the fits differ', async () => {
  const { X, y } = await rows('SOL', 1200);
  const all = await rows('BTC');
  const lgb = createClassifier('LightGBM'), hgb = createClassifier('HistGradientBoosting');
  assert.equal(fitsIdentically(lgb, hgb, [X]), false);
  assert.equal(fitsIdentically(lgb, hgb, [all.X, X]), false, 'one differing training set is enough');
  await lgb.fit(X, y, { seed: 1 });
  await hgb.fit(X, y, { seed: 1 });
  assert.notDeepEqual(lgb.toJSON().state, hgb.toJSON().state);
});

test('different engine requests (params) or a kind off the engine are never twins', async () => {
  const { X } = await rows('BTC');
  assert.equal(fitsIdentically(createClassifier('LightGBM', { numLeaves: 15 }), createClassifier('HistGradientBoosting'), [X]), false);
  assert.equal(fitsIdentically(createClassifier('XGBoost'), createClassifier('HistGradientBoosting'), [X]), false);
  assert.equal(fitsIdentically(createClassifier('LightGBM', { classWeight: 'none' }), createClassifier('HistGradientBoosting'), [X]), false);
});
