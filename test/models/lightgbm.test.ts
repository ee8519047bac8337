import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lightGbmFactory } from '../../src/models/lightgbm.ts';
import { histGradientBoostingFactory } from '../../src/models/hist-gradient-boosting.ts';
import { classifierContract } from './tree/classifier-contract.ts';
import { noisy } from './tree/synthetic-data.ts';

classifierContract(lightGbmFactory, { fastParams: { nEstimators: 20 } });

test('LightGBM: LightGBM defaults', () => {
  const p = lightGbmFactory.create().params;
  assert.deepEqual(
    { ...p },
    {
      numLeaves: 31, learningRate: 0.1, nEstimators: 100, maxDepth: null, minDataInLeaf: 20, minSumHessianInLeaf: 1e-3,
      lambdaL2: 0, maxBin: 255, minDataInBin: 3, classWeight: 'balanced',
    },
  );
});

test('LightGBM: leaf-wise trees of at most num_leaves leaves with >= min_data_in_leaf rows each', async () => {
  const { X, y } = noisy(1000, 5, 1);
  const c = lightGbmFactory.create({ numLeaves: 12, minDataInLeaf: 30, nEstimators: 10 });
  await c.fit(X, y, { seed: 1 });
  for (const t of c.treeEnsemble!().trees) {
    const counts = new Int32Array(t.left.length);
    for (let i = 0; i < X.nRows; i++) {
      const x = X.data.subarray(i * 5, i * 5 + 5);
      let node = 0;
      while (t.left[node] !== -1) node = x[t.feature[node]!]! <= t.threshold[node]! ? t.left[node]! : t.right[node]!;
      counts[node]++;
    }
    const leaves = [...t.left.keys()].filter((k) => t.left[k] === -1);
    assert.ok(leaves.length <= 12, `${leaves.length} leaves`);
    for (const k of leaves) assert.ok(counts[k]! >= 30, `leaf ${k} has ${counts[k]} rows`);
  }
});

test('LightGBM: with min_data_in_bin 1 it is the same booster as HistGradientBoosting', async () => {
  const { X, y } = noisy(600, 5, 2);
  const probe = noisy(200, 5, 3).X;
  const lgb = lightGbmFactory.create({ nEstimators: 15, minDataInBin: 1 });
  const hgb = histGradientBoostingFactory.create({ maxIter: 15 });
  await lgb.fit(X, y, { seed: 1 });
  await hgb.fit(X, y, { seed: 1 });
  assert.deepEqual(lgb.predictProba(probe), hgb.predictProba(probe));
  // The default min_data_in_bin 3 coarsens the bins, which changes the model.
  const coarse = lightGbmFactory.create({ nEstimators: 15 });
  await coarse.fit(X, y, { seed: 1 });
  assert.notDeepEqual(coarse.predictProba(probe), hgb.predictProba(probe));
});
