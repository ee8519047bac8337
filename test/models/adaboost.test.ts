import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaBoostFactory } from '../../src/models/adaboost.ts';
import type { Matrix } from '../../src/models/matrix.ts';
import { classifierContract } from './tree/classifier-contract.ts';
import { noisy } from './tree/synthetic-data.ts';

classifierContract(adaBoostFactory, { fastParams: { nEstimators: 20 } });

test('AdaBoost: scikit-learn defaults (SAMME, 50 stumps, learning rate 1, no class weights)', () => {
  const p = adaBoostFactory.create().params;
  assert.deepEqual({ ...p }, { nEstimators: 50, learningRate: 1, maxDepth: 1, maxBins: 255, classWeight: 'none' });
});

/**
 * An independent SAMME implementation with exhaustive Gini stumps on raw values, following scikit-learn's
 * AdaBoostClassifier(algorithm='SAMME') and its two-class predict_proba.
 */
function referenceSamme(X: Matrix, y: Uint8Array, nEstimators: number, lr: number): { alphas: number[]; proba: (x: Float64Array) => number } {
  const n = X.nRows;
  const nF = X.nCols;
  let a = new Float64Array(n).fill(1 / n);
  const stumps: { f: number; thr: number; voteLeft: number; voteRight: number }[] = [];
  const alphas: number[] = [];
  const score = (g: number, h: number) => (g * g + (h - g) * (h - g)) / h;
  for (let t = 0; t < nEstimators; t++) {
    let best = { gain: -Infinity, f: -1, thr: 0, gl: 0, hl: 0 };
    let G = 0;
    let H = 0;
    for (let i = 0; i < n; i++) {
      G += a[i]! * y[i]!;
      H += a[i]!;
    }
    for (let f = 0; f < nF; f++) {
      const values = [...new Set(Array.from({ length: n }, (_, i) => X.data[i * nF + f]!))].sort((p, q) => p - q);
      for (let k = 0; k + 1 < values.length; k++) {
        const thr = (values[k]! + values[k + 1]!) / 2;
        let gl = 0;
        let hl = 0;
        for (let i = 0; i < n; i++) {
          if (X.data[i * nF + f]! <= thr) {
            gl += a[i]! * y[i]!;
            hl += a[i]!;
          }
        }
        const gain = score(gl, hl) + score(G - gl, H - hl);
        if (gain > best.gain + 1e-12) best = { gain, f, thr, gl, hl };
      }
    }
    const stump = { f: best.f, thr: best.thr, voteLeft: best.gl / best.hl > 0.5 ? 1 : 0, voteRight: (G - best.gl) / (H - best.hl) > 0.5 ? 1 : 0 };
    const predict = (i: number) => (X.data[i * nF + stump.f]! <= stump.thr ? stump.voteLeft : stump.voteRight);
    let err = 0;
    for (let i = 0; i < n; i++) if (predict(i) !== y[i]) err += a[i]!;
    err /= H;
    if (err <= 0) {
      stumps.push(stump);
      alphas.push(1);
      break;
    }
    if (err >= 0.5) break;
    const alpha = lr * Math.log((1 - err) / err);
    stumps.push(stump);
    alphas.push(alpha);
    a = a.map((w, i) => (predict(i) !== y[i] ? w * Math.exp(alpha) : w));
    const s = a.reduce((p, q) => p + q, 0);
    a = a.map((w) => w / s);
  }
  const alphaSum = alphas.reduce((p, q) => p + q, 0);
  const proba = (x: Float64Array) => {
    let d = 0;
    stumps.forEach((s, t) => {
      const vote = x[s.f]! <= s.thr ? s.voteLeft : s.voteRight;
      d += alphas[t]! * (vote ? 1 : -1);
    });
    d = (2 * d) / alphaSum;
    // scikit-learn: softmax([-d/2, d/2]) for two classes.
    return Math.exp(d / 2) / (Math.exp(-d / 2) + Math.exp(d / 2));
  };
  return { alphas, proba };
}

test('AdaBoost: matches an exhaustive-stump SAMME reference (weights and probabilities)', async () => {
  // A 0.01 grid keeps <= 201 distinct values per feature, so the engine's bins are exact.
  const raw = noisy(200, 3, 21, 0.4);
  const X = { ...raw.X, data: raw.X.data.map((v) => Math.round(v * 100) / 100) };
  const c = adaBoostFactory.create({ nEstimators: 15, learningRate: 0.7 });
  await c.fit(X, raw.y, { seed: 1 });
  const ref = referenceSamme(X, raw.y, 15, 0.7);
  const e = c.treeEnsemble!();
  assert.equal(e.trees.length, ref.alphas.length);
  const alphaSum = ref.alphas.reduce((p, q) => p + q, 0);
  ref.alphas.forEach((alpha, t) => assert.ok(Math.abs(e.treeWeights[t]! - (2 * alpha) / alphaSum) < 1e-9, `tree ${t}`));
  const probe = noisy(100, 3, 22).X;
  const p = c.predictProba(probe);
  for (let i = 0; i < probe.nRows; i++) {
    const want = ref.proba(probe.data.subarray(i * 3, i * 3 + 3));
    assert.ok(Math.abs(p[i]! - want) < 1e-9, `row ${i}: ${p[i]} vs ${want}`);
  }
});

test('AdaBoost: a perfect first stump stops boosting with weight 1 (scikit-learn behaviour)', async () => {
  const X = { nRows: 6, nCols: 1, data: Float64Array.from([1, 2, 3, 4, 5, 6]) };
  const y = Uint8Array.from([0, 0, 0, 1, 1, 1]);
  const c = adaBoostFactory.create();
  await c.fit(X, y, { seed: 1 });
  const e = c.treeEnsemble!();
  assert.equal(e.trees.length, 1);
  assert.equal(e.treeWeights[0], 2);
  const p = c.predictProba(X);
  assert.ok(Math.abs(p[0]! - 1 / (1 + Math.exp(2))) < 1e-15);
  assert.ok(Math.abs(p[5]! - 1 / (1 + Math.exp(-2))) < 1e-15);
});

test('AdaBoost: a first stump no better than chance is an error', async () => {
  // XOR: no single threshold beats 50% weighted error.
  const X = { nRows: 4, nCols: 2, data: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]) };
  const y = Uint8Array.from([0, 1, 1, 0]);
  await assert.rejects(adaBoostFactory.create().fit(X, y, { seed: 1 }), /no better than chance/);
});
