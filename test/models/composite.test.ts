import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CalibratedClassifier, EnsembleClassifier } from '../../src/models/composite.ts';
import { createClassifier } from '../../src/models/registry.ts';
import { decodeModel, encodeModel } from '../../src/pipeline/artifacts.ts';
import { takeColumns, type Matrix } from '../../src/models/matrix.ts';
import { applyPlatt } from '../../src/models/calibration.ts';
import { ball } from './fixtures.ts';

const names = ['a', 'b', 'c', 'd', 'e'];

async function fitted(kind: 'Ridge' | 'RandomForest' | 'KNeighbors', X: Matrix, y: Uint8Array) {
  const m = createClassifier(kind, kind === 'RandomForest' ? { nEstimators: 20 } : {});
  await m.fit(X, y, { seed: 3 });
  return m;
}

test('a calibrated model keeps its base decisions, maps its probability, and round-trips to identical predictions', async () => {
  const train = ball(400, 5, 1);
  const test = ball(200, 5, 2);
  const base = await fitted('RandomForest', train.X, train.y);
  const model = new CalibratedClassifier(base, { a: 0.7, b: -0.4 });
  assert.deepEqual(model.predict(test.X), base.predict(test.X));
  const raw = base.predictProba(test.X);
  assert.deepEqual(model.predictProba(test.X), raw.map((s) => applyPlatt({ a: 0.7, b: -0.4 }, s)));
  assert.equal(model.signalThreshold, applyPlatt({ a: 0.7, b: -0.4 }, 0.5));
  // The served signal (probability >= threshold) is the base model's decision (score > 0.5) up to ties at 0.5.
  const p = model.predictProba(test.X);
  raw.forEach((s, i) => { if (s !== 0.5) assert.equal(p[i]! >= model.signalThreshold, s > 0.5); });

  const back = decodeModel(encodeModel(model.toJSON(), names), names);
  assert.equal(back.kind, 'Calibrated');
  assert.deepEqual(back.predictProba(test.X), model.predictProba(test.X));
  assert.deepEqual(back.predict(test.X), model.predict(test.X));
});

test('an ensemble averages members that read their own columns, and round-trips to identical predictions', async () => {
  const train = ball(400, 5, 4);
  const test = ball(150, 5, 5);
  const cols = [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [0, 1, 2, 3, 4]];
  const members = await Promise.all((['Ridge', 'KNeighbors', 'RandomForest'] as const).map(async (kind, i) => ({
    name: i === 1 ? `global:${kind}` : kind, columns: cols[i]!, model: await fitted(kind, takeColumns(train.X, cols[i]!), train.y),
  })));
  const ensemble = new EnsembleClassifier(members);
  const expected = new Float64Array(test.X.nRows);
  for (const m of members) m.model.predictProba(takeColumns(test.X, m.columns)).forEach((p, i) => { expected[i] += p / 3; });
  const got = ensemble.predictProba(test.X);
  got.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) < 1e-12));

  const back = decodeModel(encodeModel(new CalibratedClassifier(ensemble, { a: 1.3, b: 0.2 }).toJSON(), names), names);
  assert.deepEqual(back.predictProba(test.X), new CalibratedClassifier(ensemble, { a: 1.3, b: 0.2 }).predictProba(test.X));
  assert.throws(() => ensemble.fit(), /cannot be fitted/);
  assert.throws(() => new EnsembleClassifier([]), /at least one member/);
});

test('a damaged composite artifact fails with a message that names it', () => {
  const bad = encodeModel({ kind: 'Ensemble', params: {}, state: { members: [] } }, names);
  assert.throws(() => decodeModel(bad, names), /Ensemble: invalid artifact state/);
  const badCal = encodeModel({ kind: 'Calibrated', params: {}, state: { calibration: { a: -1, b: 0 }, base: { kind: 'Ridge', params: {}, state: {} } } }, names);
  assert.throws(() => decodeModel(badCal, names), /Calibrated: invalid artifact state/);
});
