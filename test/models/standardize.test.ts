import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrixFromRows } from '../../src/models/matrix.ts';
import {
  assertFinite, assertTrainingSet, fitStandardizer, standardize, standardizerFromJSON, standardizerToJSON,
} from '../../src/models/standardize.ts';

test('fitStandardizer computes column means and population standard deviations', () => {
  const X = matrixFromRows([[1, 10, 5], [3, 20, 5], [5, 60, 5]]);
  const s = fitStandardizer(X, 'test');
  assert.deepEqual(Array.from(s.mean), [3, 30, 5]);
  // Population std (ddof 0): sqrt(((1-3)^2 + 0 + (5-3)^2) / 3) = sqrt(8/3).
  assert.ok(Math.abs(s.scale[0]! - Math.sqrt(8 / 3)) < 1e-12);
  assert.ok(Math.abs(s.scale[1]! - Math.sqrt((400 + 100 + 900) / 3)) < 1e-12);
  assert.equal(s.scale[2], 1, 'a constant column keeps scale 1 instead of dividing by zero');
  const Z = standardize(s, X, 'test');
  for (let j = 0; j < 2; j++) {
    let m = 0, v = 0;
    for (let i = 0; i < 3; i++) m += Z.data[i * 3 + j]! / 3;
    for (let i = 0; i < 3; i++) v += (Z.data[i * 3 + j]! - m) ** 2 / 3;
    assert.ok(Math.abs(m) < 1e-12 && Math.abs(v - 1) < 1e-12, `column ${j} has mean ${m}, variance ${v}`);
  }
  assert.deepEqual([Z.data[2], Z.data[5], Z.data[8]], [0, 0, 0]);
});

test('standardize does not modify its input and checks the feature count', () => {
  const X = matrixFromRows([[1, 2], [3, 4]]);
  const copy = Float64Array.from(X.data);
  const s = fitStandardizer(X, 'test');
  standardize(s, X, 'test');
  assert.deepEqual(X.data, copy);
  assert.throws(() => standardize(s, matrixFromRows([[1, 2, 3]]), 'Ridge'), /Ridge: expected 2 features, got 3/);
});

test('non-finite values are rejected with their row and column', () => {
  const X = matrixFromRows([[1, 2], [3, NaN]]);
  assert.throws(() => fitStandardizer(X, 'MLP'), /MLP: non-finite value NaN at row 1, column 1/);
  assert.throws(() => assertFinite(matrixFromRows([[Infinity]]), 'kNN'), /row 0, column 0/);
});

test('the scaler survives JSON exactly', () => {
  const X = matrixFromRows([[0.1, 1e6], [0.7, 3e6], [0.3, -2e6]]);
  const s = fitStandardizer(X, 'test');
  const back = standardizerFromJSON(JSON.parse(JSON.stringify(standardizerToJSON(s))), 'test');
  assert.deepEqual(standardize(back, X, 'test').data, standardize(s, X, 'test').data);
  assert.throws(() => standardizerFromJSON({ mean: [1], scale: [] }, 'SVM'), /SVM: artifact has no valid scaler/);
});

test('assertTrainingSet names what is wrong', () => {
  const X = matrixFromRows([[1], [2]]);
  assert.throws(() => assertTrainingSet(X, Uint8Array.of(0), { seed: 1 }, 'Ridge'), /Ridge: 2 rows but 1 labels/);
  assert.throws(() => assertTrainingSet(X, Uint8Array.of(0, 2), { seed: 1 }, 'Ridge'), /label at row 1 is 2/);
  assert.throws(() => assertTrainingSet(X, Uint8Array.of(0, 1), { seed: 1, sampleWeight: Float64Array.of(1) }, 'Ridge'), /1 sample weights/);
  assert.throws(() => assertTrainingSet(X, Uint8Array.of(0, 1), { seed: 1, sampleWeight: Float64Array.of(1, -1) }, 'Ridge'), /sample weight at row 1 is -1/);
  assert.throws(() => assertTrainingSet({ nRows: 0, nCols: 1, data: new Float64Array(0) }, new Uint8Array(0), { seed: 1 }, 'Ridge'), /empty training matrix/);
  assert.throws(() => assertTrainingSet(matrixFromRows([[NaN], [1]]), Uint8Array.of(0, 1), { seed: 1 }, 'Ridge'), /non-finite/);
  assertTrainingSet(matrixFromRows([[NaN], [1]]), Uint8Array.of(0, 1), { seed: 1 }, 'XGBoost', { allowNaN: true });
});
