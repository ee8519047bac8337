import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomForestFactory, resolveMaxFeatures } from '../../src/models/random-forest.ts';
import { classifierContract } from './tree/classifier-contract.ts';
import { noisy, separable } from './tree/synthetic-data.ts';

classifierContract(randomForestFactory, { fastParams: { nEstimators: 15 }, weightParams: { nEstimators: 15, minSamplesLeaf: 25 } });

test('RandomForest: scikit-learn defaults', () => {
  const c = randomForestFactory.create();
  assert.equal(c.params.nEstimators, 100);
  assert.equal(c.params.maxFeatures, 'sqrt');
  assert.equal(c.params.maxDepth, null);
  assert.equal(c.params.minSamplesLeaf, 1);
  assert.equal(c.params.bootstrap, true);
  assert.equal(c.params.classWeight, 'balanced');
  assert.equal(resolveMaxFeatures('sqrt', 19), 4);
  assert.equal(resolveMaxFeatures('log2', 19), 4);
  assert.equal(resolveMaxFeatures(0.5, 19), 9);
  assert.equal(resolveMaxFeatures(7, 19), 7);
  assert.equal(resolveMaxFeatures('all', 19), 19);
});

test('RandomForest: a different seed gives a different forest', async () => {
  const { X, y } = noisy(400, 6, 1);
  const a = randomForestFactory.create({ nEstimators: 10 });
  const b = randomForestFactory.create({ nEstimators: 10 });
  await a.fit(X, y, { seed: 1 });
  await b.fit(X, y, { seed: 2 });
  assert.notDeepEqual(a.predictProba(X), b.predictProba(X));
});

test('RandomForest: 100 trees by default; P(1) is the mean of the trees\' leaf class-1 fractions', async () => {
  const { X, y } = separable(300, 5, 2);
  const c = randomForestFactory.create();
  await c.fit(X, y, { seed: 1 });
  const e = c.treeEnsemble!();
  assert.equal(e.trees.length, 100);
  assert.equal(e.link, 'identity');
  assert.equal(e.base, 0);
  for (const w of e.treeWeights) assert.equal(w, 1 / 100);
  for (const t of e.trees) for (const v of t.value) assert.ok(v >= 0 && v <= 1);
});

test('RandomForest: balanced class weights come from the full y (root cover = n without bootstrap)', async () => {
  const { X, y } = noisy(500, 4, 3); // unbalanced: ~35% positives
  const c = randomForestFactory.create({ nEstimators: 1, bootstrap: false, maxFeatures: 'all', maxDepth: 2 });
  await c.fit(X, y, { seed: 1 });
  const root = c.treeEnsemble!().trees[0]!;
  // Balanced weights n/(2*n_class) sum to n; the class-1 fraction at the root is then exactly 0.5.
  assert.ok(Math.abs(root.cover[0]! - 500) < 1e-9);
  assert.ok(Math.abs(root.value[0]! - 0.5) < 1e-12);
});

test('RandomForest: fully grown trees fit their (unique, bootstrap-free) training rows exactly', async () => {
  const { X, y } = noisy(300, 5, 4);
  const c = randomForestFactory.create({ nEstimators: 3, bootstrap: false });
  await c.fit(X, y, { seed: 1 });
  const p = c.predictProba(X);
  for (let i = 0; i < y.length; i++) assert.equal(p[i], y[i]);
});

test('RandomForest: maxDepth and minSamplesLeaf are honoured', async () => {
  const { X, y } = noisy(400, 5, 5);
  const c = randomForestFactory.create({ nEstimators: 5, maxDepth: 3, minSamplesLeaf: 10, bootstrap: false });
  await c.fit(X, y, { seed: 1 });
  for (const t of c.treeEnsemble!().trees) {
    const depth = new Int32Array(t.left.length);
    const rows = new Int32Array(t.left.length);
    for (let node = 0; node < t.left.length; node++) {
      if (t.left[node] === -1) continue;
      depth[t.left[node]!] = depth[node]! + 1;
      depth[t.right[node]!] = depth[node]! + 1;
    }
    assert.ok(Math.max(...depth) <= 3);
    for (let i = 0; i < X.nRows; i++) {
      let node = 0;
      const x = X.data.subarray(i * 5, i * 5 + 5);
      while (t.left[node] !== -1) node = x[t.feature[node]!]! <= t.threshold[node]! ? t.left[node]! : t.right[node]!;
      rows[node]++;
    }
    for (let node = 0; node < t.left.length; node++) if (t.left[node] === -1) assert.ok(rows[node]! >= 10, `leaf with ${rows[node]} rows`);
  }
});
