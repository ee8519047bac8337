import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPlatt, fitPlatt, logit } from '../../src/models/calibration.ts';
import { createRng } from '../../src/models/rng.ts';

/** Scores whose true P(1 | s) is sigmoid(a·logit(s) + b): a well-specified Platt problem. */
function plattData(n: number, a: number, b: number, seed: number) {
  const rng = createRng(seed);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = 0.02 + 0.96 * rng();
    scores[i] = s;
    labels[i] = rng() < 1 / (1 + Math.exp(-(a * logit(s) + b))) ? 1 : 0;
  }
  return { scores, labels };
}

const brier = (p: ArrayLike<number>, y: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (p[i]! - y[i]!) ** 2;
  return s / y.length;
};

test('Platt scaling recovers the slope and intercept of a well-specified problem', () => {
  const { scores, labels } = plattData(20_000, 0.6, -1.2, 3);
  const c = fitPlatt(scores, labels);
  assert.ok(c);
  assert.ok(Math.abs(c.a - 0.6) < 0.05, `a = ${c.a}`);
  assert.ok(Math.abs(c.b + 1.2) < 0.06, `b = ${c.b}`);
});

test('calibration lowers the Brier score of over-confident scores, and keeps their order', () => {
  const fit = plattData(4000, 0.4, -0.8, 5);
  const held = plattData(4000, 0.4, -0.8, 6);
  const c = fitPlatt(fit.scores, fit.labels)!;
  const calibrated = held.scores.map((s) => applyPlatt(c, s));
  assert.ok(brier(calibrated, held.labels) < brier(held.scores, held.labels) - 0.01);
  const order = (x: Float64Array) => Array.from(x.keys()).sort((i, j) => x[i]! - x[j]!);
  assert.deepEqual(order(calibrated), order(held.scores));
});

test('no calibration when a class is missing or the scores rank the classes backwards', () => {
  assert.equal(fitPlatt([0.2, 0.7, 0.9], [1, 1, 1]), null);
  assert.equal(fitPlatt([], []), null);
  const { scores, labels } = plattData(2000, -1, 0, 9);
  assert.equal(fitPlatt(scores, labels), null, 'a reversed fit would flip the signal');
  assert.equal(fitPlatt([0.1, Number.NaN, 0.8, 0.9], [0, 0, 1, 1]), null);
  assert.throws(() => fitPlatt([0.1], [0, 1]), /same length/);
});
