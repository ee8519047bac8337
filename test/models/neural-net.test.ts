import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neuralNetFactory } from '../../src/models/neural-net.ts';
import { createRng } from '../../src/models/rng.ts';
import { initTfjs } from '../../src/models/tfjs-backend.ts';
import { accuracy, ball } from './fixtures.ts';

const train = ball(1500, 3, 1);
const holdout = ball(300, 3, 2);

test('tfjs starts on the wasm backend, once', async () => {
  const a = await initTfjs();
  assert.equal(a.backend, 'wasm', `fell back to cpu: ${a.fallbackReason}`);
  assert.equal(await initTfjs(), a);
  assert.equal(a.tf.getBackend(), 'wasm');
});

test('with its defaults NeuralNet learns a linearly separable problem', async () => {
  const rng = createRng(8);
  const make = (n: number) => {
    const data = Float64Array.from({ length: n * 4 }, () => rng() * 2 - 1);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const s = data[i * 4]! - 0.5 * data[i * 4 + 1]!;
      if (Math.abs(s) < 0.1) data[i * 4] += Math.sign(s || 1) * 0.1;
      y[i] = data[i * 4]! - 0.5 * data[i * 4 + 1]! > 0 ? 1 : 0;
    }
    return { X: { nRows: n, nCols: 4, data }, y };
  };
  const tr = make(2000);
  const ho = make(400);
  const model = neuralNetFactory.create();
  await model.fit(tr.X, tr.y, { seed: 1 });
  assert.ok(accuracy(model.predict(ho.X), ho.y) > 0.95);
});

test('NeuralNet learns a non-linear separable problem and frees its tensors', async () => {
  const { tf } = await initTfjs();
  const before = tf.memory().numTensors;
  const model = neuralNetFactory.create({ epochs: 60, batchSize: 64, learningRate: 0.01 });
  await model.fit(train.X, train.y, { seed: 1 });
  assert.ok(accuracy(model.predict(holdout.X), holdout.y) > 0.95);
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked by training');
});

test('the same seed gives the same weights; another seed different ones', async () => {
  const fit = async (seed: number) => {
    const m = neuralNetFactory.create({ epochs: 3 });
    await m.fit(train.X, train.y, { seed });
    return m.predictProba(holdout.X);
  };
  const a = await fit(4);
  // Bit-identical on the wasm backend of one machine (float32 steps in a fixed order).
  assert.deepEqual(await fit(4), a);
  assert.notDeepEqual(await fit(5), a);
});

test('NeuralNet round-trips through JSON with identical probabilities', async () => {
  const model = neuralNetFactory.create({ epochs: 3, hidden1: 16, hidden2: 8 });
  await model.fit(train.X, train.y, { seed: 2 });
  const state = JSON.parse(JSON.stringify(model.toJSON()));
  assert.equal(state.state.backend, 'wasm');
  const loaded = neuralNetFactory.fromJSON(state);
  const p = model.predictProba(holdout.X);
  assert.deepEqual(loaded.predictProba(holdout.X), p);
  // Rows are evaluated in blocks of four: a 3-row matrix (a padded block) gives the same values.
  const three = { nRows: 3, nCols: 3, data: holdout.X.data.subarray(3 * 5, 3 * 8) };
  assert.deepEqual(Array.from(loaded.predictProba(three)), Array.from(p.subarray(5, 8)));
});

test('balanced class weights raise the minority class probabilities', async () => {
  const rng = createRng(5);
  const n = 800;
  const data = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.1 ? 1 : 0;
    data[i * 2] = y[i]! * 0.5 + rng() * 2;
    data[i * 2 + 1] = rng();
  }
  const X = { nRows: n, nCols: 2, data };
  const meanP = async (classWeight: 'balanced' | 'none') => {
    const m = neuralNetFactory.create({ classWeight, epochs: 40, batchSize: 64, learningRate: 0.01 });
    await m.fit(X, y, { seed: 1 });
    return m.predictProba(X).reduce((a, b) => a + b, 0) / n;
  };
  const balanced = await meanP('balanced');
  const none = await meanP('none');
  assert.ok(balanced > 0.35 && none < 0.2, `mean P(1): balanced ${balanced}, unweighted ${none}`);
});

test('NeuralNet validates params and artifacts', () => {
  assert.throws(() => neuralNetFactory.create({ epochs: 0 }), /NeuralNet: invalid parameters/);
  const layer = { kernel: [1], bias: [0], nIn: 1, nOut: 1 };
  assert.throws(
    () => neuralNetFactory.fromJSON({ kind: 'NeuralNet', params: {}, state: { scaler: { mean: [0, 0], scale: [1, 1] }, layers: [layer, layer, layer], backend: 'wasm' } }),
    /do not chain 2 features/,
  );
});
