import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Matrix } from '../../../src/models/matrix.ts';
import { createRng } from '../../../src/models/rng.ts';
import { binMatrix, fitBinMapper } from '../../../src/models/tree/binning.ts';
import { GrowContext, type GrowerOptions, type GrownTree, growTree } from '../../../src/models/tree/grower.ts';
import { type Tree, predictTreeRaw } from '../../../src/models/tree/tree.ts';
import { boosting, forest, noisy, separable, withMissing } from './synthetic-data.ts';

/** Gini statistics (g = w*y, h = w, cover w) or the log-loss gradient at p = 0.5 (g = w*(0.5 - y), h = w/4). */
function rowStats(y: Uint8Array, w: Float64Array, criterion: 'gini' | 'newton'): Float64Array {
  const s = new Float64Array(3 * y.length);
  for (let i = 0; i < y.length; i++) {
    s[3 * i] = criterion === 'gini' ? w[i]! * y[i]! : w[i]! * (0.5 - y[i]!);
    s[3 * i + 1] = criterion === 'gini' ? w[i]! : w[i]! * 0.25;
    s[3 * i + 2] = w[i]!;
  }
  return s;
}

function grow(X: Matrix, y: Uint8Array, w: Float64Array, options: GrowerOptions, seed = 1): GrownTree {
  const ctx = new GrowContext(binMatrix(fitBinMapper(X), X));
  return growTree(ctx, rowStats(y, w, options.criterion), Int32Array.from({ length: X.nRows }, (_, i) => i), options, createRng(seed));
}

function leafOf(t: Tree, x: ArrayLike<number>): number {
  let node = 0;
  while (t.left[node] !== -1) {
    const v = x[t.feature[node]!]!;
    node = (Number.isNaN(v) ? t.missingLeft[node] === 1 : v <= t.threshold[node]!) ? t.left[node]! : t.right[node]!;
  }
  return node;
}

function depthOf(t: Tree): number {
  const d = new Int32Array(t.left.length);
  for (let k = 0; k < t.left.length; k++) {
    if (t.left[k] !== -1) {
      d[t.left[k]!] = d[k]! + 1;
      d[t.right[k]!] = d[k]! + 1;
    }
  }
  return Math.max(...d);
}

test('grower: sibling subtraction changes nothing (same tree as building every histogram directly)', () => {
  const { X: X0, y } = noisy(3000, 8, 1);
  const X = withMissing(X0, 0.05, 1);
  const rng = createRng(2);
  const w = new Float64Array(3000).map(() => 0.5 + rng());
  for (const options of [boosting, forest, { ...forest, maxFeatures: 3 }]) {
    const a = grow(X, y, w, options, 5).tree;
    const b = grow(X, y, w, { ...options, histogramSubtraction: false }, 5).tree;
    assert.deepEqual([a.feature, a.threshold, a.left, a.right, a.missingLeft], [b.feature, b.threshold, b.left, b.right, b.missingLeft]);
    for (let k = 0; k < a.value.length; k++) assert.ok(Math.abs(a.value[k]! - b.value[k]!) < 1e-12);
    assert.deepEqual(a.cover, b.cover);
  }
});

test('grower: small nodes scanned from rows sorted by bin give the same tree as full histograms', () => {
  const { X: X0, y } = noisy(1500, 8, 11);
  const X = withMissing(X0, 0.05, 2);
  const rng = createRng(3);
  const w = new Float64Array(1500).map(() => 0.5 + rng());
  const options = { ...forest, maxFeatures: 3 };
  const reference = grow(X, y, w, { ...options, smallNodeRows: 0 }, 9).tree;
  for (const smallNodeRows of [16, 48, 256]) assert.deepEqual(grow(X, y, w, { ...options, smallNodeRows }, 9).tree, reference);
});

test('grower: covers are the summed weights of the training rows reaching each node through the real thresholds', () => {
  const { X: X0, y } = noisy(1000, 5, 2);
  const X = withMissing(X0, 0.1, 3);
  const rng = createRng(4);
  const w = new Float64Array(1000).map(() => rng() * 3);
  for (const options of [boosting, forest]) {
    const g = grow(X, y, w, options);
    const t = g.tree;
    const cover = new Float64Array(t.left.length);
    for (let i = 0; i < 1000; i++) {
      const x = X.data.subarray(i * 5, i * 5 + 5);
      let node = 0;
      cover[0] += w[i]!;
      while (t.left[node] !== -1) {
        const v = x[t.feature[node]!]!;
        node = (Number.isNaN(v) ? t.missingLeft[node] === 1 : v <= t.threshold[node]!) ? t.left[node]! : t.right[node]!;
        cover[node] += w[i]!;
      }
      // The grower's row partition agrees with prediction on raw values.
      const leaf = leafOf(t, x);
      const pos = [...g.rows.subarray(g.nodeStart[leaf]!, g.nodeEnd[leaf]!)].indexOf(i);
      assert.ok(pos >= 0, `row ${i} is in its leaf's row range`);
    }
    for (let k = 0; k < t.left.length; k++) assert.ok(Math.abs(cover[k]! - t.cover[k]!) < 1e-9, `node ${k}`);
  }
});

test('grower: Gini leaves hold the weighted class-1 fraction; Newton leaves -shrinkage*G/(H+l2)', () => {
  const { X, y } = noisy(400, 4, 5);
  const w = new Float64Array(400).fill(1).map((_, i) => (i % 3 === 0 ? 2 : 1));
  const gini = grow(X, y, w, { ...forest, maxDepth: 3 });
  const newton = grow(X, y, w, { ...boosting, l2: 2, maxLeaves: 6 });
  for (const [g, kind] of [[gini, 'gini'], [newton, 'newton']] as const) {
    for (let node = 0; node < g.tree.left.length; node++) {
      let G = 0;
      let H = 0;
      for (let k = g.nodeStart[node]!; k < g.nodeEnd[node]!; k++) {
        const i = g.rows[k]!;
        G += kind === 'gini' ? w[i]! * y[i]! : w[i]! * (0.5 - y[i]!);
        H += kind === 'gini' ? w[i]! : w[i]! * 0.25;
      }
      const want = kind === 'gini' ? G / H : (-0.1 * G) / (H + 2);
      assert.ok(Math.abs(g.tree.value[node]! - want) < 1e-12, `${kind} node ${node}`);
    }
  }
});

test('grower: best-first respects maxLeaves, minSamplesLeaf and maxDepth; depth-first splits until pure', () => {
  const { X, y } = noisy(2000, 6, 6);
  const w = new Float64Array(2000).fill(1);
  const g = grow(X, y, w, { ...boosting, maxLeaves: 9, minSamplesLeaf: 50 });
  const leaves = [...g.tree.left.keys()].filter((k) => g.tree.left[k] === -1);
  assert.equal(leaves.length, 9);
  for (const k of leaves) assert.ok(g.nodeEnd[k]! - g.nodeStart[k]! >= 50);
  assert.ok(depthOf(grow(X, y, w, { ...boosting, maxDepth: 2 }).tree) <= 2);
  const full = grow(X, y, w, forest).tree;
  for (let k = 0; k < full.left.length; k++) {
    if (full.left[k] === -1) assert.ok(full.value[k] === 0 || full.value[k] === 1, 'pure leaves');
  }
});

test('grower: finds the obvious split and stores a real threshold between the classes', () => {
  const X = { nRows: 8, nCols: 2, data: Float64Array.of(5, 1, 7, 2, 1, 3, 9, 4, 2, 5, 8, 6, 3, 7, 10, 8) };
  const y = Uint8Array.of(0, 1, 0, 1, 0, 1, 0, 1); // class 1 exactly when feature 0 >= 7
  const t = grow(X, y, new Float64Array(8).fill(1), forest).tree;
  assert.equal(t.left.length, 3);
  assert.equal(t.feature[0], 0);
  assert.equal(t.threshold[0], 6); // midpoint of 5 and 7
  assert.deepEqual([t.value[1], t.value[2]], [0, 1]);
  assert.equal(predictTreeRaw(t, [6.5, 0]), 1);
  assert.equal(predictTreeRaw(t, [5.9, 0]), 0);
});

test('grower: missing values go where the training rows with missing values went, else to the larger child', () => {
  // Feature 0 is missing exactly for class 1: the split learns to send NaN to the class-1 side.
  const n = 200;
  const rng = createRng(8);
  const data = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    data[i * 2] = y[i] ? NaN : rng();
    data[i * 2 + 1] = rng();
  }
  const X = { nRows: n, nCols: 2, data };
  const t = grow(X, y, new Float64Array(n).fill(1), forest).tree;
  assert.equal(t.feature[0], 0);
  assert.equal(predictTreeRaw(t, [NaN, 0.5]), 1);
  assert.equal(predictTreeRaw(t, [0.5, 0.5]), 0);
  // No missing values in training: NaN follows the child with more rows (here: x0 <= 0.8 holds 80%).
  const X2 = { nRows: 100, nCols: 1, data: Float64Array.from({ length: 100 }, (_, i) => i / 100) };
  const y2 = Uint8Array.from({ length: 100 }, (_, i) => (i >= 80 ? 1 : 0));
  const t2 = grow(X2, y2, new Float64Array(100).fill(1), forest).tree;
  assert.equal(predictTreeRaw(t2, [NaN]), 0);
  assert.equal(t2.missingLeft[0], 1);
});

test('grower: feature sampling is seeded (same seed same tree, another seed another tree)', () => {
  const { X, y } = separable(500, 10, 9);
  const w = new Float64Array(500).fill(1);
  const options = { ...forest, maxFeatures: 3 };
  assert.deepEqual(grow(X, y, w, options, 1).tree, grow(X, y, w, options, 1).tree);
  assert.notDeepEqual(grow(X, y, w, options, 1).tree.feature, grow(X, y, w, options, 2).tree.feature);
  assert.throws(() => growTree(new GrowContext(binMatrix(fitBinMapper(X), X)), rowStats(y, w, 'gini'), new Int32Array(1), options), /needs an rng/);
});
