import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Matrix } from '../../src/models/matrix.ts';
import { createRng } from '../../src/models/rng.ts';
import { applyLink, predictEnsembleRaw } from '../../src/models/tree/tree.ts';
import { xgboostFactory } from '../../src/models/xgboost.ts';
import { accuracy } from './fixtures.ts';

/** Class 1 inside a ball, class 0 outside, plus noise features. */
function ball(n: number, d: number, seed: number): { X: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    do {
      for (let j = 0; j < d; j++) data[i * d + j] = rng() * 2 - 1;
      r2 = data[i * d]! ** 2 + data[i * d + 1]! ** 2;
    } while (Math.abs(r2 - 0.5) < 0.05);
    y[i] = r2 < 0.5 ? 1 : 0;
  }
  return { X: { nRows: n, nCols: d, data }, y };
}

const train = ball(1000, 4, 1);
const holdout = ball(300, 4, 2);

test('XGBoost learns a separable problem', async () => {
  const model = xgboostFactory.create();
  await model.fit(train.X, train.y, { seed: 1 });
  assert.ok(accuracy(model.predict(holdout.X), holdout.y) > 0.95);
});

test('XGBoost round-trips through JSON with identical probabilities', async () => {
  const model = xgboostFactory.create({ nEstimators: 30 });
  await model.fit(train.X, train.y, { seed: 1 });
  const state = JSON.parse(JSON.stringify(model.toJSON()));
  const loaded = xgboostFactory.fromJSON(state);
  assert.deepEqual(loaded.predictProba(holdout.X), model.predictProba(holdout.X));
  assert.equal(loaded.params.nEstimators, 30);
});

test('the same seed gives the same model, also with row/column subsampling', async () => {
  const fit = async (seed: number) => {
    const m = xgboostFactory.create({ nEstimators: 20, subsample: 0.7, colsampleByTree: 0.6 });
    await m.fit(train.X, train.y, { seed });
    return m.predictProba(holdout.X);
  };
  const a = await fit(5);
  assert.deepEqual(await fit(5), a);
  assert.notDeepEqual(await fit(6), a);
});

test('predictProba is the logistic of the exposed tree ensemble (what TreeSHAP explains)', async () => {
  const model = xgboostFactory.create({ nEstimators: 10 });
  await model.fit(train.X, train.y, { seed: 1 });
  const ensemble = model.treeEnsemble!();
  assert.equal(ensemble.trees.length, 10);
  assert.equal(ensemble.link, 'logistic');
  const p = model.predictProba(holdout.X);
  for (let i = 0; i < holdout.X.nRows; i++) {
    const x = holdout.X.data.subarray(i * 4, i * 4 + 4);
    assert.equal(applyLink('logistic', predictEnsembleRaw(ensemble, x)), p[i]);
  }
});

test('scale_pos_weight (from class weights) changes the model; balanced is the default', async () => {
  const meanP = async (options: { classWeight?: { 0: number; 1: number } }) => {
    const m = xgboostFactory.create({ nEstimators: 10 });
    await m.fit(train.X, train.y, { seed: 1, ...options });
    return m.predictProba(holdout.X).reduce((a, b) => a + b, 0) / holdout.X.nRows;
  };
  const up = await meanP({ classWeight: { 0: 1, 1: 5 } });
  const down = await meanP({ classWeight: { 0: 5, 1: 1 } });
  assert.ok(up > down + 0.01, `mean P(1) ${up} vs ${down}`);
  // Balanced weights = scale_pos_weight neg/pos, the same as passing those class weights explicitly.
  const pos = train.y.reduce((a, b) => a + b, 0);
  const neg = train.y.length - pos;
  assert.equal(await meanP({}), await meanP({ classWeight: { 0: 1, 1: neg / pos } }));
});

test('NaN inputs are treated as missing; sample weights are refused', async () => {
  const X = { ...train.X, data: Float64Array.from(train.X.data) };
  for (let i = 0; i < X.nRows; i += 5) X.data[i * 4 + 2] = NaN;
  const model = xgboostFactory.create({ nEstimators: 10 });
  await model.fit(X, train.y, { seed: 1 });
  const p = model.predictProba({ nRows: 1, nCols: 4, data: Float64Array.of(0, 0, NaN, NaN) });
  assert.ok(p[0]! > 0.5, 'the centre of the ball is class 1 even with missing noise features');
  await assert.rejects(xgboostFactory.create().fit(train.X, train.y, { seed: 1, sampleWeight: new Float64Array(1000).fill(1) }), /sampleWeight is not supported/);
  assert.throws(() => xgboostFactory.create({ maxDepth: 0 }), /XGBoost: invalid parameters/);
  assert.throws(() => xgboostFactory.fromJSON({ kind: 'XGBoost', params: {}, state: { model: 'AAAA' } }), /XGBoost model: truncated/);
});
