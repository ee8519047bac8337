import { test } from 'node:test';
import assert from 'node:assert/strict';
import { histGradientBoostingFactory } from '../../src/models/hist-gradient-boosting.ts';
import type { Tree } from '../../src/models/tree/tree.ts';
import { classifierContract } from './tree/classifier-contract.ts';
import { noisy } from './tree/synthetic-data.ts';

classifierContract(histGradientBoostingFactory, { fastParams: { maxIter: 20 } });

function leafCount(t: Tree): number {
  let n = 0;
  for (const l of t.left) if (l === -1) n++;
  return n;
}

test('HistGradientBoosting: scikit-learn defaults', () => {
  const p = histGradientBoostingFactory.create().params;
  assert.deepEqual(
    { ...p },
    { learningRate: 0.1, maxIter: 100, maxLeafNodes: 31, maxDepth: null, minSamplesLeaf: 20, l2Regularization: 0, maxBins: 255, classWeight: 'balanced' },
  );
});

test('HistGradientBoosting: max_iter trees of at most max_leaf_nodes leaves, logistic link', async () => {
  const { X, y } = noisy(1500, 6, 1);
  const c = histGradientBoostingFactory.create();
  await c.fit(X, y, { seed: 1 });
  const e = c.treeEnsemble!();
  assert.equal(e.trees.length, 100);
  assert.equal(e.link, 'logistic');
  const leaves = e.trees.map(leafCount);
  assert.ok(Math.max(...leaves) <= 31, `largest tree has ${Math.max(...leaves)} leaves`);
  assert.ok(leaves.filter((n) => n === 31).length > 50, 'most trees use the whole leaf budget on 1500 noisy rows');
});

test('HistGradientBoosting: the baseline is the log-odds of the weighted class-1 rate', async () => {
  const { X, y } = noisy(800, 5, 2);
  let pos = 0;
  for (const v of y) pos += v;
  const rate = pos / y.length;
  const plain = histGradientBoostingFactory.create({ classWeight: 'none', maxIter: 1 });
  await plain.fit(X, y, { seed: 1 });
  assert.ok(Math.abs(plain.treeEnsemble!().base - Math.log(rate / (1 - rate))) < 1e-12);
  // Balanced class weights make the weighted rate exactly 1/2, so the baseline is 0.
  const balanced = histGradientBoostingFactory.create({ maxIter: 1 });
  await balanced.fit(X, y, { seed: 1 });
  assert.ok(Math.abs(balanced.treeEnsemble!().base) < 1e-12);
});

test('HistGradientBoosting: one round equals a brute-force Newton step (best split, leaf values -lr*G/H)', async () => {
  // Values on a 0.01 grid: <= 201 distinct values per feature, so the bins are exactly the distinct values and the
  // engine's candidate thresholds are exactly the exhaustive search's midpoints.
  const raw = noisy(300, 4, 3);
  const X = { ...raw.X, data: raw.X.data.map((v) => Math.round(v * 100) / 100) };
  const y = raw.y;
  const minLeaf = 5;
  const c = histGradientBoostingFactory.create({ maxIter: 1, maxLeafNodes: 2, minSamplesLeaf: minLeaf, classWeight: 'none' });
  await c.fit(X, y, { seed: 1 });
  const e = c.treeEnsemble!();
  const tree = e.trees[0]!;
  const p0 = 1 / (1 + Math.exp(-e.base));
  const h = p0 * (1 - p0);
  let G = 0;
  for (const v of y) G += p0 - v;
  const H = y.length * h;
  let best = { gain: 0, f: -1, thr: 0, gl: 0, hl: 0, gr: 0, hr: 0 };
  for (let f = 0; f < 4; f++) {
    const values = [...new Set(Array.from({ length: 300 }, (_, i) => X.data[i * 4 + f]!))].sort((a, b) => a - b);
    for (let k = 0; k + 1 < values.length; k++) {
      const thr = (values[k]! + values[k + 1]!) / 2;
      let gl = 0;
      let cl = 0;
      for (let i = 0; i < 300; i++) {
        if (X.data[i * 4 + f]! <= thr) {
          gl += p0 - y[i]!;
          cl++;
        }
      }
      if (cl < minLeaf || 300 - cl < minLeaf) continue;
      const hl = cl * h;
      const gain = (gl * gl) / hl + ((G - gl) * (G - gl)) / (H - hl) - (G * G) / H;
      if (gain > best.gain + 1e-12) best = { gain, f, thr, gl, hl, gr: G - gl, hr: H - hl };
    }
  }
  assert.equal(tree.left.length, 3, 'one split, two leaves');
  assert.equal(tree.feature[0], best.f);
  assert.ok(Math.abs(tree.threshold[0]! - best.thr) < 1e-12, `threshold ${tree.threshold[0]} vs ${best.thr}`);
  assert.ok(Math.abs(tree.value[tree.left[0]!]! - (-0.1 * best.gl) / best.hl) < 1e-12);
  assert.ok(Math.abs(tree.value[tree.right[0]!]! - (-0.1 * best.gr) / best.hr) < 1e-12);
  assert.ok(Math.abs(tree.cover[1]! + tree.cover[2]! - tree.cover[0]!) < 1e-9, 'child covers sum to the parent');
});
