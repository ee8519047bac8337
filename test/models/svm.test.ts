import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Matrix } from '../../src/models/matrix.ts';
import { toRows } from '../../src/models/matrix.ts';
import { createRng } from '../../src/models/rng.ts';
import { fitStandardizer, standardize } from '../../src/models/standardize.ts';
import { fitPlatt, supportVectorMachineFactory as svm } from '../../src/models/svm.ts';
import { loadLibsvm } from '../../src/models/wasm-guard.ts';
import { accuracy } from './fixtures.ts';

/** Class 1 inside a ball, class 0 outside: needs the RBF kernel. */
function ball(n: number, d: number, seed: number, firstLabel?: 0 | 1): { X: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (;;) {
      let r2 = 0;
      for (let j = 0; j < d; j++) {
        data[i * d + j] = rng() * 2 - 1;
        r2 += data[i * d + j]! ** 2;
      }
      y[i] = r2 < 0.5 ? 1 : 0;
      if (Math.abs(r2 - 0.5) > 0.08 && (i > 0 || firstLabel === undefined || y[i] === firstLabel)) break;
    }
  }
  return { X: { nRows: n, nCols: d, data }, y };
}

const holdout = ball(300, 3, 99);

test('SVM learns a non-linear separable problem, whichever label it sees first', async () => {
  // The solver orders the labels by first appearance, as libsvm does; P(1) must still be the probability of label 1.
  for (const firstLabel of [0, 1] as const) {
    const train = ball(500, 3, 1 + firstLabel, firstLabel);
    assert.equal(train.y[0], firstLabel);
    const model = svm.create();
    await model.fit(train.X, train.y, { seed: 1 });
    assert.ok(accuracy(model.predict(holdout.X), holdout.y) > 0.95, `first label ${firstLabel}`);
    const p = model.predictProba(holdout.X);
    let pInside = 0, pOutside = 0;
    holdout.y.forEach((v, i) => (v ? (pInside += p[i]!) : (pOutside += p[i]!)));
    assert.ok(pInside / holdout.y.reduce((a, b) => a + b, 0) > 0.8, 'class-1 rows get high P(1)');
    assert.ok(pOutside / (holdout.y.length - holdout.y.reduce((a, b) => a + b, 0)) < 0.2, 'class-0 rows get low P(1)');
  }
});

test('our decision function agrees with libsvm\'s own predictions', async () => {
  // Same solver inputs as fit() uses internally; libsvm's predicted labels must match the sign of our f(x).
  const { X, y } = ball(400, 4, 3);
  const model = svm.create({ gamma: 0.5 }) as ReturnType<typeof svm.create> & { decisionFunction(X: Matrix): Float64Array };
  await model.fit(X, y, { seed: 1 });
  const Z = standardize(fitStandardizer(X, 't'), X, 't');
  const SVM = (await loadLibsvm()) as any;
  const reference = new SVM({
    type: SVM.SVM_TYPES.C_SVC, kernel: SVM.KERNEL_TYPES.RBF, gamma: 0.5, cost: 1, tolerance: 1e-3, shrinking: true,
    probabilityEstimates: false, weight: { 0: 400 / (2 * (400 - y.reduce((a, b) => a + b, 0))), 1: 400 / (2 * y.reduce((a, b) => a + b, 0)) }, quiet: true,
  });
  reference.train(toRows(Z), Array.from(y));
  const probe = ball(300, 4, 4).X;
  const labels: number[] = reference.predict(toRows(standardize(fitStandardizer(X, 't'), probe, 't')));
  reference.free();
  const dec = model.decisionFunction(probe);
  let agree = 0;
  labels.forEach((l, i) => (agree += (dec[i]! > 0 ? 1 : 0) === l ? 1 : 0));
  // libsvm evaluates the kernel as |x|² + |s|² - 2x·s, we as |x - s|²: at most a borderline row may differ.
  assert.ok(agree >= 299, `${agree} of 300 agree`);
});

test('the same seed gives identical probabilities (libsvm\'s own -b 1 does not)', async () => {
  const { X, y } = ball(300, 3, 5);
  const fit = async (seed: number) => {
    const m = svm.create();
    await m.fit(X, y, { seed });
    return m.predictProba(holdout.X);
  };
  const a = await fit(11);
  assert.deepEqual(await fit(11), a);
  assert.notDeepEqual(await fit(12), a, 'another seed draws other Platt folds');
});

test('SVM round-trips through JSON with identical probabilities', async () => {
  const { X, y } = ball(300, 3, 6);
  const model = svm.create({ C: 2 });
  await model.fit(X, y, { seed: 1 });
  const loaded = svm.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
  assert.deepEqual(loaded.predictProba(holdout.X), model.predictProba(holdout.X));
  assert.equal(loaded.params.C, 2);
});

test('class weights move the decision boundary; sample weights are refused', async () => {
  // (Platt scaling re-calibrates probabilities to the observed labels, so the weights show in the decision values.)
  const { X, y } = ball(300, 3, 7);
  const positives = async (classWeight: { 0: number; 1: number }) => {
    const m = svm.create() as ReturnType<typeof svm.create> & { decisionFunction(X: Matrix): Float64Array };
    await m.fit(X, y, { seed: 1, classWeight });
    return m.decisionFunction(holdout.X).filter((v) => v > 0).length;
  };
  const favourOne = await positives({ 0: 0.1, 1: 10 });
  const favourZero = await positives({ 0: 10, 1: 0.1 });
  assert.ok(favourOne > favourZero + 10, `${favourOne} vs ${favourZero} positive decisions`);
  await assert.rejects(svm.create().fit(X, y, { seed: 1, sampleWeight: new Float64Array(300).fill(1) }), /sampleWeight is not supported/);
  await assert.rejects(svm.create().fit(X, new Uint8Array(300), { seed: 1 }), /only class 0/);
});

test('Platt scaling fits a decreasing sigmoid in the decision value', () => {
  // Decision values that separate the classes: A must be negative (P(1) grows with f) and P(1 | f=0) ≈ 0.5.
  const dec = Float64Array.from({ length: 200 }, (_, i) => (i - 100) / 25 + (i % 7 === 0 ? -2 : 0));
  const y = Uint8Array.from(dec, (v) => (v > 0 ? 1 : 0));
  const { A, B } = fitPlatt(dec, y);
  assert.ok(A < -1, `A = ${A}`);
  assert.ok(Math.abs(B) < 0.5, `B = ${B}`);
});

test('decision values do not depend on how many rows are evaluated together', async () => {
  // Rows are evaluated four at a time with a one-row tail: 7 rows together must equal 7 one-row calls exactly.
  const { X, y } = ball(200, 3, 9);
  const model = svm.create() as ReturnType<typeof svm.create> & { decisionFunction(X: Matrix): Float64Array };
  await model.fit(X, y, { seed: 1 });
  const probe = ball(7, 3, 10).X;
  const together = Array.from(model.decisionFunction(probe));
  const oneByOne = together.map((_, i) => model.decisionFunction({ nRows: 1, nCols: 3, data: probe.data.subarray(i * 3, i * 3 + 3) })[0]);
  assert.deepEqual(oneByOne, together);
});

test('the kernel row cache (a memory budget below the dense matrix) fits the same model', async () => {
  const { X, y } = ball(600, 4, 11);
  const dense = svm.create();
  await dense.fit(X, y, { seed: 3 });
  // 600 x 600 float32 is 1.4 MB; 0.1 MB holds 43 rows.
  const cached = svm.create({ kernelCacheMB: 0.1 });
  await cached.fit(X, y, { seed: 3 });
  assert.deepEqual(cached.toJSON().state, dense.toJSON().state);
  assert.throws(() => svm.create({ kernelCacheMB: 0 }), /kernelCacheMB/);
});

test('artifacts saved before the kernelCacheMB parameter existed still load and predict', async () => {
  const { X, y } = ball(200, 3, 12);
  const model = svm.create();
  await model.fit(X, y, { seed: 1 });
  const saved = model.toJSON();
  const { kernelCacheMB: _dropped, ...oldParams } = saved.params;
  const loaded = svm.fromJSON({ ...saved, params: oldParams });
  assert.equal(loaded.params.kernelCacheMB, 256);
  assert.deepEqual(loaded.predictProba(holdout.X), model.predictProba(holdout.X));
});
