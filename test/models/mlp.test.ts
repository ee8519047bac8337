import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Matrix } from '../../src/models/matrix.ts';
import { mlpFactory } from '../../src/models/mlp.ts';
import { createRng } from '../../src/models/rng.ts';

/** XOR of the signs of x0 and x1 (needs the hidden layer), plus noise features; a margin around the axes. */
function xor(n: number, d: number, seed: number): { X: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = rng() * 2 - 1;
    for (const j of [0, 1]) if (Math.abs(data[i * d + j]!) < 0.15) data[i * d + j] = Math.sign(data[i * d + j]! || 1) * 0.15;
    y[i] = data[i * d]! * data[i * d + 1]! > 0 ? 1 : 0;
  }
  return { X: { nRows: n, nCols: d, data }, y };
}

function accuracy(pred: Uint8Array, y: Uint8Array): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) ok += pred[i] === y[i] ? 1 : 0;
  return ok / y.length;
}

const train = xor(800, 4, 1);
const holdout = xor(400, 4, 2);

test('MLP learns a separable problem that is not linearly separable (XOR)', async () => {
  const model = mlpFactory.create();
  await model.fit(train.X, train.y, { seed: 1 });
  assert.ok(accuracy(model.predict(holdout.X), holdout.y) > 0.95);
});

test('the same seed gives the same network; another seed a different one', async () => {
  const fit = async (seed: number) => {
    const m = mlpFactory.create({ maxIter: 20 });
    await m.fit(train.X, train.y, { seed });
    return m.predictProba(holdout.X);
  };
  const a = await fit(7);
  assert.deepEqual(await fit(7), a);
  assert.notDeepEqual(await fit(8), a);
});

test('MLP round-trips through JSON with identical probabilities', async () => {
  const model = mlpFactory.create({ maxIter: 30, hiddenUnits: 16 });
  await model.fit(train.X, train.y, { seed: 3 });
  const loaded = mlpFactory.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
  const p = model.predictProba(holdout.X);
  assert.deepEqual(loaded.predictProba(holdout.X), p);
  assert.equal(loaded.params.hiddenUnits, 16);
  // Rows are evaluated in blocks of four: a 3-row matrix (a padded block) gives the same values.
  const three = { nRows: 3, nCols: 4, data: holdout.X.data.subarray(4 * 5, 4 * 8) };
  assert.deepEqual(Array.from(model.predictProba(three)), Array.from(p.subarray(5, 8)));
});

test('training stops after n_iter_no_change epochs without a tol improvement (scikit-learn rule)', async () => {
  // With a huge tol only the first epoch improves on the initial best loss (infinity); every later epoch counts
  // as "no change", and training stops when that count exceeds nIterNoChange: after 1 + (4 + 1) epochs.
  const model = mlpFactory.create({ tol: 1e9, nIterNoChange: 4 });
  await model.fit(train.X, train.y, { seed: 1 });
  assert.equal((model.toJSON().state as { epochs: number }).epochs, 6);
  const capped = mlpFactory.create({ tol: 0, maxIter: 3 });
  await capped.fit(train.X, train.y, { seed: 1 });
  assert.equal((capped.toJSON().state as { epochs: number }).epochs, 3);
});

test('balanced class weights raise the minority class probabilities', async () => {
  // 10% positives, heavily overlapping: weighting the loss shifts the predicted probabilities up.
  const rng = createRng(5);
  const n = 600;
  const data = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.1 ? 1 : 0;
    data[i * 2] = y[i]! * 0.5 + rng() * 2;
    data[i * 2 + 1] = rng();
  }
  const X = { nRows: n, nCols: 2, data };
  const meanP = async (classWeight: 'balanced' | 'none') => {
    const m = mlpFactory.create({ classWeight, maxIter: 100, hiddenUnits: 8, learningRate: 0.01 });
    await m.fit(X, y, { seed: 1 });
    return m.predictProba(X).reduce((a, b) => a + b, 0) / n;
  };
  const balanced = await meanP('balanced');
  const none = await meanP('none');
  assert.ok(balanced > 0.35 && none < 0.2, `mean P(1): balanced ${balanced}, unweighted ${none}`);
});

test('MLP validates params and artifacts', () => {
  assert.throws(() => mlpFactory.create({ hiddenUnits: 0 }), /MLP: invalid params/);
  const bad = { kind: 'MLP' as const, params: {}, state: { scaler: { mean: [0], scale: [1] }, w1: [1], b1: [1], w2: [1], b2: 0, epochs: 1, loss: 1 } };
  assert.throws(() => mlpFactory.fromJSON(bad), /do not match 1 features x 100 hidden units/);
});
