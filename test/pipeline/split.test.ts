import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { seedSplit, walkForwardSplit } from '../../src/pipeline/split.ts';

test('seed split: first 95% train, last 5% test', () => {
  const p = seedSplit(1000, 0.95);
  assert.deepEqual(p.train, { start: 0, end: 950 });
  assert.deepEqual(p.test, { start: 950, end: 1000 });
});

test('walk-forward keeps a purge gap of `window` rows and ends validation `window` rows before the test window', () => {
  const p = walkForwardSplit(2000, { folds: 4, testFraction: 0.05, window: 10 });
  assert.equal(p.folds.length, 4);
  assert.deepEqual(p.test, { start: 1900, end: 2000 });
  assert.equal(p.finalTrain.end, 1890);
  for (const f of p.folds) {
    assert.equal(f.train.start, 0);
    assert.equal(f.valid.start - f.train.end, 10, 'purge gap between training and its validation block');
  }
  assert.equal(p.test.start - p.folds.at(-1)!.valid.end, 10, 'last validation block ends window rows before test');
  for (let i = 1; i < p.folds.length; i++) {
    assert.ok(p.folds[i]!.train.end > p.folds[i - 1]!.train.end, 'expanding windows');
    assert.equal(p.folds[i]!.valid.start, p.folds[i - 1]!.valid.end, 'validation blocks are contiguous');
  }
});

test('walk-forward invariants hold for any size and window (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 300, max: 4000 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 2, max: 8 }), (n, window, folds) => {
      const p = walkForwardSplit(n, { folds, testFraction: 0.05, window });
      const labelReach = (r: { end: number }) => r.end - 1 + window; // last price index a label in r reads
      for (const f of p.folds) {
        if (labelReach(f.train) >= f.valid.start) return false;
        if (labelReach(f.valid) >= p.test.start) return false;
      }
      return labelReach(p.finalTrain) < p.test.start && p.test.end === n;
    }),
  );
});

test('too few rows gives a clear error', () => {
  assert.throws(() => walkForwardSplit(60, { folds: 4, testFraction: 0.05, window: 10 }), /walk-forward needs more rows/);
});
