import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate, meanMetrics, rocAuc, brierScore } from '../../src/pipeline/metrics.ts';

test('metrics on a hand-computed confusion matrix (TP=3 FP=1 TN=4 FN=2)', () => {
  const y = [1, 1, 1, 0, 0, 0, 0, 0, 1, 1];
  const d = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const p = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1, 0.45, 0.35];
  const m = evaluate(y, d, p);
  assert.deepEqual([m.tp, m.fp, m.tn, m.fn, m.n], [3, 1, 4, 2, 10]);
  assert.equal(m.accuracy, 0.7);
  assert.equal(m.precision, 0.75);
  assert.equal(m.negative_accuracy, 0.8);
  assert.equal(m.positive_accuracy, 0.6);
  assert.ok(Math.abs(m.overall - (0.1 * 0.7 + 0.4 * 0.75 + 0.2 * 0.8 + 0.3 * 0.6)) < 1e-15);
  assert.equal(m.base_rate, 0.5);
  assert.equal(m.lift, 1.5);
  // positives 0.9 .8 .7 .45 .35 vs negatives .6 .4 .3 .2 .1: of 25 pairs, 5+5+5+4+3 = 22 are ordered correctly.
  assert.equal(m.auc, 22 / 25);
  assert.ok(Math.abs(m.brier - brierScore(y, p)) < 1e-15);
});

test('zero division gives 0 for precision and positive accuracy', () => {
  const m = evaluate([0, 0, 0], [0, 0, 0], [0.1, 0.2, 0.3]);
  assert.equal(m.precision, 0);
  assert.equal(m.positive_accuracy, 0);
  assert.equal(m.negative_accuracy, 1);
  assert.equal(m.overall, 0.1 * 1 + 0.2 * 1);
  assert.ok(Number.isNaN(m.auc));
  assert.equal(m.lift, 0);
});

test('AUC handles ties with average ranks and equals the pairwise definition', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 5 })), { minLength: 2, maxLength: 40 }), (rows) => {
      const y = rows.map((r) => r[0]);
      const s = rows.map((r) => r[1] / 5);
      let pairs = 0, score = 0;
      for (let i = 0; i < y.length; i++) for (let j = 0; j < y.length; j++) {
        if (y[i] === 1 && y[j] === 0) { pairs++; score += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0; }
      }
      const auc = rocAuc(y, s);
      if (pairs === 0) return Number.isNaN(auc);
      return Math.abs(auc - score / pairs) < 1e-12;
    }),
  );
});

test('meanMetrics averages folds and skips NaN', () => {
  const a = evaluate([1, 0], [1, 0], [0.9, 0.1]);
  const b = evaluate([0, 0], [1, 0], [0.9, 0.1]);
  const m = meanMetrics([a, b]);
  assert.equal(m.accuracy, 0.75);
  assert.equal(m.auc, 1);
});
