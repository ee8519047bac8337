import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Matrix } from '../../src/models/matrix.ts';
import { createRng } from '../../src/models/rng.ts';
import { ridgeFactory, solveRidge } from '../../src/models/ridge.ts';
import { accuracy } from './fixtures.ts';

/** Two classes split by the plane x0 + 0.5·x1 = 0.2, with a margin; features on very different scales. */
function separable(n: number, d: number, seed: number, positiveShare = 0.5): { X: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const label = rng() < positiveShare ? 1 : 0;
    for (;;) {
      for (let j = 0; j < d; j++) data[i * d + j] = (rng() * 2 - 1) * 10 ** (j % 3);
      const s = data[i * d]! + 0.05 * data[i * d + 1]! - 0.2;
      if (Math.abs(s) > 0.1 && (s > 0 ? 1 : 0) === label) break;
    }
    y[i] = label;
  }
  return { X: { nRows: n, nCols: d, data }, y };
}

test('Ridge learns a linearly separable problem', async () => {
  const train = separable(600, 6, 1);
  const holdout = separable(300, 6, 2);
  const model = ridgeFactory.create();
  await model.fit(train.X, train.y, { seed: 1 });
  assert.ok(accuracy(model.predict(holdout.X), holdout.y) > 0.95);
});

test('the closed form solves the weighted normal equations with an unpenalised intercept', () => {
  const { X, y } = separable(50, 3, 3);
  const rng = createRng(9);
  const w = Float64Array.from({ length: 50 }, () => 0.5 + rng());
  const alpha = 2.5;
  const { coef, intercept } = solveRidge(X, y, w, alpha);
  // Gradient of Σ w_i (t_i - b - x_i·β)² + α|β|² must vanish in β and in b.
  const d = 3;
  const gradB = { v: 0 };
  const gradBeta = new Float64Array(d);
  for (let i = 0; i < 50; i++) {
    let pred = intercept;
    for (let j = 0; j < d; j++) pred += coef[j]! * X.data[i * d + j]!;
    const r = (y[i] ? 1 : -1) - pred;
    gradB.v += w[i]! * r;
    for (let j = 0; j < d; j++) gradBeta[j] += w[i]! * r * X.data[i * d + j]!;
  }
  assert.ok(Math.abs(gradB.v) < 1e-9, `intercept gradient ${gradB.v}`);
  for (let j = 0; j < d; j++) assert.ok(Math.abs(gradBeta[j]! - alpha * coef[j]!) < 1e-9, `coef ${j} gradient`);
});

test('predict is the sign of the decision function and agrees with predictProba > 0.5, even next to 0', () => {
  const tiny = ridgeFactory.fromJSON({
    kind: 'Ridge', params: { alpha: 1, classWeight: 'balanced' },
    state: { scaler: { mean: [0], scale: [1] }, coef: [1e-20], intercept: 0 },
  });
  const X: Matrix = { nRows: 3, nCols: 1, data: Float64Array.of(1, 0, -1) };
  assert.deepEqual(Array.from(tiny.predict(X)), [1, 0, 0]);
  const p = tiny.predictProba(X);
  assert.ok(p[0]! > 0.5 && p[1] === 0.5 && p[2]! <= 0.5, `probabilities ${Array.from(p)}`);
});

test('balanced class weights move the boundary towards the majority class', async () => {
  // Overlapping classes with 10% positives: unweighted least squares rarely predicts the minority class.
  const rng = createRng(4);
  const n = 1000;
  const data = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.1 ? 1 : 0;
    data[i] = (y[i] ? 1 : 0) + (rng() - 0.5) * 3;
  }
  const X = { nRows: n, nCols: 1, data };
  const positives = async (classWeight: 'balanced' | 'none') => {
    const m = ridgeFactory.create({ classWeight });
    await m.fit(X, y, { seed: 1 });
    return m.predict(X).reduce((a, b) => a + b, 0);
  };
  const balanced = await positives('balanced');
  const none = await positives('none');
  assert.ok(balanced > none + 100, `balanced predicts ${balanced} positives, unweighted ${none}`);
});

test('Ridge round-trips through JSON with identical probabilities', async () => {
  const { X, y } = separable(200, 4, 5);
  const model = ridgeFactory.create({ alpha: 0.5 });
  await model.fit(X, y, { seed: 1 });
  const state = JSON.parse(JSON.stringify(model.toJSON()));
  const loaded = ridgeFactory.fromJSON(state);
  assert.deepEqual(loaded.predictProba(X), model.predictProba(X));
  assert.deepEqual(loaded.predict(X), model.predict(X));
  assert.equal(loaded.params.alpha, 0.5);
});

test('Ridge rejects bad params, bad artifacts and unfitted use', () => {
  assert.throws(() => ridgeFactory.create({ alpha: -1 }), /Ridge: invalid parameters/);
  assert.throws(() => ridgeFactory.create({ nope: 1 }), /Ridge: invalid parameters/);
  assert.throws(() => ridgeFactory.create().predict({ nRows: 1, nCols: 1, data: Float64Array.of(1) }), /not fitted/);
  assert.throws(() => ridgeFactory.fromJSON({ kind: 'Ridge', params: {}, state: { coef: [1] } }), /invalid artifact state/);
  assert.throws(() => ridgeFactory.fromJSON({ kind: 'MLP', params: {}, state: {} }), /cannot load an artifact of kind MLP/);
});
