import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTree, ensembleFromJSON, ensembleToJSON, predictProbaEnsemble, predictRaw } from '../../../src/models/tree/ensemble.ts';
import { type Tree, type TreeEnsemble, applyLink, predictEnsembleRaw } from '../../../src/models/tree/tree.ts';
import { randomForestFactory } from '../../../src/models/random-forest.ts';
import { noisy, withMissing } from './synthetic-data.ts';

const stump: Tree = {
  feature: Int32Array.of(1, -1, -1), threshold: Float64Array.of(Infinity, 0, 0), left: Int32Array.of(1, -1, -1),
  right: Int32Array.of(2, -1, -1), missingLeft: Uint8Array.of(0, 0, 0), value: Float64Array.of(0, -1.5, 2),
  cover: Float64Array.of(5, 4, 1),
};
const ensemble: TreeEnsemble = { trees: [stump], treeWeights: Float64Array.of(0.5), base: 0.25, link: 'logistic', nFeatures: 2 };

test('ensemble: raw score is base + weighted leaves; an Infinity threshold separates only missing values', () => {
  const X = { nRows: 3, nCols: 2, data: Float64Array.of(0, 1e300, 0, NaN, 0, -5) };
  assert.deepEqual(Array.from(predictRaw(ensemble, X)), [0.25 - 0.75, 0.25 + 1, 0.25 - 0.75]);
  const p = predictProbaEnsemble(ensemble, X);
  assert.equal(p[1], 1 / (1 + Math.exp(-1.25)));
  assert.throws(() => predictRaw(ensemble, { nRows: 1, nCols: 3, data: new Float64Array(3) }), /expects 2 features/);
});

test('ensemble: JSON round trip keeps Infinity thresholds and every number bit for bit', () => {
  const text = JSON.stringify(ensembleToJSON(ensemble));
  assert.ok(!text.includes('Infinity'), 'the artifact is plain JSON');
  const back = ensembleFromJSON(JSON.parse(text), 'test');
  assert.deepEqual(back, ensemble);
});

test('ensemble: corrupt artifacts are rejected with the place of the problem', () => {
  const json = ensembleToJSON(ensemble);
  assert.throws(() => ensembleFromJSON({ ...json, link: 'probit' }, 'model X'), /model X: invalid tree ensemble/);
  assert.throws(() => ensembleFromJSON({ ...json, treeWeights: [1, 2] }, 'model X'), /1 trees but 2 tree weights/);
  const cyclic = { ...json, trees: [{ ...json.trees[0]!, left: [0, -1, -1] }] };
  assert.throws(() => ensembleFromJSON(cyclic, 'model X'), /tree 0: node 0 has invalid children 0, 2/);
  const badFeature = { ...json, trees: [{ ...json.trees[0]!, feature: [7, -1, -1] }] };
  assert.throws(() => ensembleFromJSON(badFeature, 'model X'), /splits on feature 7/);
  assert.throws(() => checkTree({ ...stump, value: Float64Array.of(1) }, 2, 'T'), /'value' has 1 entries/);
});

test('applyLink: identity is clamped to [0, 1] (sums of leaf fractions can round past 1), logistic is the sigmoid', () => {
  let s = 0;
  for (let t = 0; t < 100; t++) s += 0.01 * 1;
  assert.ok(s > 1, 'the rounding this guards against');
  assert.equal(applyLink('identity', s), 1);
  assert.equal(applyLink('identity', -1e-17), 0);
  assert.equal(applyLink('identity', 0.3), 0.3);
  assert.equal(applyLink('logistic', 0), 0.5);
});

test('ensemble: batch prediction equals the row-by-row walk of tree.ts on data with missing values', async () => {
  const { X, y } = noisy(300, 5, 1);
  const c = randomForestFactory.create({ nEstimators: 10 });
  await c.fit(withMissing(X, 0.1, 1), y, { seed: 1 });
  const e = c.treeEnsemble!();
  const probe = withMissing(noisy(100, 5, 2).X, 0.2, 3);
  const batch = predictRaw(e, probe);
  for (let i = 0; i < probe.nRows; i++) assert.equal(batch[i], predictEnsembleRaw(e, probe.data.subarray(i * 5, i * 5 + 5)));
});
