import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chunkRanges, explainModel, mergeShapChunks, planShap } from '../../src/explain/explain.ts';
import { buildDataset } from '../../src/data/dataset.ts';
import { sliceRows } from '../../src/models/matrix.ts';
import { seedSplit } from '../../src/pipeline/split.ts';
import { inProcessTrainer, workerTrainer } from '../../src/pipeline/trainer.ts';
import { bundledCandles, testConfig } from '../helpers/system.ts';

const config = testConfig();
const candles = await bundledCandles(config)('SOL');
const data = buildDataset('SOL', candles, { trend: 'uptrend', window: 10, targetPct: 0.05, period: 7 });
const plan = seedSplit(data.y.length, 0.95);
const workers = workerTrainer(2);
after(() => workers.close());

test('worker and in-process trainers train identical models and learn each kind\'s fit time', async () => {
  const local = inProcessTrainer();
  const [a, b] = await Promise.all([workers.train('Ridge', data, plan, 3), local.train('Ridge', data, plan, 3)]);
  assert.ok(a.ok && b.ok);
  assert.deepEqual(a.test, b.test);
  assert.deepEqual(a.testProba, b.testProba);
  assert.equal(a.shapMethod, 'kernel');
  // The worker's model arrives as an encoded artifact and is decoded on first use into the same model.
  assert.ok(a.artifact && a.artifact.byteLength > 0);
  assert.equal(b.artifact, undefined);
  assert.deepEqual(a.model.toJSON(), b.model.toJSON());
  assert.equal(a.model, a.model, 'decoded once');
  assert.equal(workers.expectedSeconds('Ridge'), a.fitSeconds, 'the estimate is the observed fit time');
  assert.equal(local.expectedSeconds('Ridge'), b.fitSeconds);
  // Before any fit the prior ranks the kinds: MLP is expected to be slower than Ridge.
  assert.ok(workers.expectedSeconds('MLP') > workers.expectedSeconds('KNeighbors'));
});

for (const kind of ['HistGradientBoosting', 'KNeighbors'] as const) {
  test(`${kind}: SHAP chunks computed on two workers equal the single-threaded values`, async () => {
    const member = await workers.train(kind, data, plan, 5);
    assert.ok(member.ok, member.ok ? '' : member.error);
    const Xtest = sliceRows(data.X, plan.test.start, plan.test.end);
    const training = sliceRows(data.X, 0, plan.train.end);
    const opts = { seed: 5, budget: { nSamples: 30, maxRows: 12 } };
    const shapPlan = planShap(member.model, Xtest, training, opts);
    const chunks = await Promise.all(chunkRanges(shapPlan.rows.nRows, workers.parallelism).map(([s, e]) => workers.explain(member, shapPlan, s, e)));
    assert.equal(chunks.length, 2);
    assert.deepEqual(mergeShapChunks(shapPlan, chunks), explainModel(member.model, Xtest, training, opts));
  });
}

test('a SHAP chunk that fails in a worker rejects with the reason', async () => {
  const member = await workers.train('Ridge', data, plan, 1);
  assert.ok(member.ok);
  const Xtest = sliceRows(data.X, plan.test.start, plan.test.end);
  const shapPlan = planShap(member.model, Xtest, sliceRows(data.X, 0, 100), { seed: 1 });
  await assert.rejects(workers.explain(member, shapPlan, 0, shapPlan.rows.nRows + 5), /SHAP failed: explainChunk: bad row range/);
});

test('closing the trainer settles queued and running tasks', async () => {
  const t = workerTrainer(1);
  const running = t.train('MLP', data, plan, 1);
  const queued = t.train('Ridge', data, plan, 1);
  await t.close();
  const [r, q] = await Promise.all([running, queued]);
  assert.equal(r.ok, false);
  assert.equal(q.ok, false);
  assert.match(q.ok ? '' : q.error, /trainer closed/);
  await assert.rejects(t.train('Ridge', data, plan, 1), /trainer is closed/);
});
