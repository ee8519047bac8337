import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kNeighborsFactory } from '../../src/models/knn.ts';
import type { Matrix } from '../../src/models/matrix.ts';
import { accuracy, ball } from './fixtures.ts';

const line = (values: number[]): Matrix => ({ nRows: values.length, nCols: 1, data: Float64Array.from(values) });

test('KNeighbors learns a non-linear separable problem', async () => {
  const train = ball(1500, 3, 1);
  const holdout = ball(300, 3, 2);
  const model = kNeighborsFactory.create();
  await model.fit(train.X, train.y, { seed: 1 });
  assert.ok(accuracy(model.predict(holdout.X), holdout.y) > 0.95);
});

test('P(1) is the share of class 1 among the 5 nearest rows, ties going to the earlier row', async () => {
  // Points on a line (scaling preserves the order of distances in one dimension).
  const X = line([0, 1, 2, 3, 4, 10, 11, 12]);
  const y = Uint8Array.of(1, 1, 0, 0, 0, 1, 1, 1);
  const model = kNeighborsFactory.create();
  await model.fit(X, y, { seed: 1 });
  // Nearest 5 to 0: 0,1,2,3,4 → 2 of 5. Nearest to 11: 11,10,12,4,3 → 3 of 5.
  assert.deepEqual(Array.from(model.predictProba(line([0, 11]))), [2 / 5, 3 / 5]);
  // 7 is equidistant from 4 and 10 (and 3 and 11): the earlier rows (3, 4) win the last places.
  // Nearest 5 to 7: 4 and 10 (distance 3), then 3 and 11 (4), then 2 or 12 (5) → 2 goes first.
  assert.deepEqual(Array.from(model.predictProba(line([7]))), [2 / 5]);
  assert.deepEqual(Array.from(model.predict(line([0, 11]))), [0, 1]);
});

test('no class weighting by default; explicit class weights weight the votes', async () => {
  const X = line([0, 1, 2, 3, 4]);
  const y = Uint8Array.of(1, 0, 0, 0, 0);
  const plain = kNeighborsFactory.create();
  await plain.fit(X, y, { seed: 1 });
  assert.equal(plain.predictProba(line([2]))[0], 1 / 5);
  const weighted = kNeighborsFactory.create();
  await weighted.fit(X, y, { seed: 1, classWeight: { 0: 1, 1: 4 } });
  assert.equal(weighted.predictProba(line([2]))[0], 4 / 8);
});

test('k larger than the training set uses every row', async () => {
  const model = kNeighborsFactory.create({ nNeighbors: 50 });
  await model.fit(line([0, 1, 2]), Uint8Array.of(1, 0, 0), { seed: 1 });
  assert.equal(model.predictProba(line([5]))[0], 1 / 3);
});

test('KNeighbors round-trips through JSON with identical probabilities', async () => {
  const { X, y } = ball(400, 4, 3);
  const model = kNeighborsFactory.create();
  await model.fit(X, y, { seed: 1, sampleWeight: Float64Array.from({ length: 400 }, (_, i) => 1 + (i % 3)) });
  const loaded = kNeighborsFactory.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
  const probe = ball(200, 4, 4).X;
  assert.deepEqual(loaded.predictProba(probe), model.predictProba(probe));
});

test('KNeighbors validates params and artifacts', () => {
  assert.throws(() => kNeighborsFactory.create({ nNeighbors: 0 }), /KNeighbors: invalid parameters/);
  assert.throws(
    () => kNeighborsFactory.fromJSON({ kind: 'KNeighbors', params: {}, state: { scaler: { mean: [0, 0], scale: [1, 1] }, X: [1, 2, 3], y: [0, 1], weights: null } }),
    /3 values for 2 rows x 2 features/,
  );
});
