import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunkRanges, explainChunk, explainModel, mergeShapChunks, planShap } from '../../src/explain/explain.ts';
import { createClassifier } from '../../src/models/registry.ts';
import { sliceRows } from '../../src/models/matrix.ts';
import { ball } from '../models/fixtures.ts';

const { X, y } = ball(300, 5, 3);
const train = sliceRows(X, 0, 240);
const test_ = sliceRows(X, 240, 300);

for (const kind of ['RandomForest', 'KNeighbors'] as const) {
  test(`${kind}: SHAP explained in chunks merges into exactly the single-pass values`, async () => {
    const model = createClassifier(kind, kind === 'RandomForest' ? { nEstimators: 10 } : {});
    await model.fit(train, y.subarray(0, 240), { seed: 1 });
    const whole = explainModel(model, test_, train, { seed: 4, budget: { nSamples: 40, maxRows: 25 } });
    const plan = planShap(model, test_, train, { seed: 4, budget: { nSamples: 40, maxRows: 25 } });
    assert.equal(plan.method, kind === 'RandomForest' ? 'tree' : 'kernel');
    // Chunks in any order, of uneven sizes.
    const ranges = chunkRanges(plan.rows.nRows, 3).reverse();
    const merged = mergeShapChunks(plan, ranges.map(([a, b]) => explainChunk(model, plan, a, b)));
    assert.deepEqual(merged, whole);
    assert.equal(whole.nRows, kind === 'RandomForest' ? 60 : 25);
  });
}

test('mergeShapChunks rejects overlapping or missing rows', async () => {
  const model = createClassifier('Ridge');
  await model.fit(train, y.subarray(0, 240), { seed: 1 });
  const plan = planShap(model, test_, train, { seed: 1, budget: { nSamples: 20, maxRows: 10 } });
  const a = explainChunk(model, plan, 0, 6);
  const b = explainChunk(model, plan, 4, 10);
  assert.throws(() => mergeShapChunks(plan, [a, b]), /row 4 is in two chunks/);
  assert.throws(() => mergeShapChunks(plan, [a]), /do not cover every row/);
  assert.throws(() => explainChunk(model, plan, 5, 11), /bad row range/);
});

test('chunkRanges: contiguous, non-empty, near-equal ranges covering [0, n)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 9 }), (n, parts) => {
    const r = chunkRanges(n, parts);
    assert.equal(r[0]![0], 0);
    assert.equal(r.at(-1)![1], n);
    for (let i = 1; i < r.length; i++) assert.equal(r[i]![0], r[i - 1]![1]);
    const sizes = r.map(([a, b]) => b - a);
    if (n > 0) assert.ok(sizes.every((s) => s > 0));
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    assert.equal(r.length, n === 0 ? 1 : Math.min(parts, n));
  }));
});
