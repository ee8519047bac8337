/**
 * The behaviour every tree-engine classifier must show, registered as node:test cases by each classifier's test
 * file: it learns, it is deterministic, it round-trips through its artifact, it honours weights and missing values,
 * its probabilities are the link of its tree ensemble, and it rejects bad input with a clear message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClassifierFactory, Params } from '../../../src/models/classifier.ts';
import { thresholdProba } from '../../../src/models/classifier.ts';
import type { Matrix } from '../../../src/models/matrix.ts';
import { createRng } from '../../../src/models/rng.ts';
import { predictRaw } from '../../../src/models/tree/ensemble.ts';
import { applyLink } from '../../../src/models/tree/tree.ts';
import { accuracy, mean, noisy, separable, withMissing } from './synthetic-data.ts';

export interface ContractOptions {
  /** Smaller settings for the slower checks (kept realistic: defaults are used for the learning tests). */
  readonly fastParams?: Partial<Params>;
  /**
   * Settings for the weight tests. Fully grown forests have pure leaves that barely move with weights, so
   * RandomForest passes a min_samples_leaf there.
   */
  readonly weightParams?: Partial<Params>;
}

/** Balanced accuracy: the mean of the true-positive and true-negative rates (chance = 0.5 whatever the base rate). */
export function balancedAccuracy(pred: Uint8Array, y: Uint8Array): number {
  let tp = 0;
  let pos = 0;
  let tn = 0;
  let neg = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i]) {
      pos++;
      tp += pred[i]!;
    } else {
      neg++;
      tn += 1 - pred[i]!;
    }
  }
  return (tp / pos + tn / neg) / 2;
}

/** y = 1 exactly when feature 0 is missing; the other features are noise. */
function missingnessSignal(n: number, nFeatures: number, seed: number): { X: Matrix; y: Uint8Array } {
  const rng = createRng(seed);
  const data = new Float64Array(n * nFeatures);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng() < 0.5 ? 1 : 0;
    for (let f = 0; f < nFeatures; f++) data[i * nFeatures + f] = rng() * 2 - 1;
    if (y[i]) data[i * nFeatures] = NaN;
  }
  return { X: { nRows: n, nCols: nFeatures, data }, y };
}

export function classifierContract(factory: ClassifierFactory, options: ContractOptions = {}): void {
  const fast = options.fastParams ?? {};
  const weighting = options.weightParams ?? fast;
  const kind = factory.kind;

  test(`${kind}: learns a separable problem (accuracy > 0.95)`, async () => {
    const train = separable(800, 6, 1);
    const testSet = separable(500, 6, 2);
    const c = factory.create();
    await c.fit(train.X, train.y, { seed: 7 });
    const acc = accuracy(c.predict(testSet.X), testSet.y);
    assert.ok(acc > 0.95, `test accuracy ${acc}`);
  });

  test(`${kind}: beats chance on a noisy non-linear problem`, async () => {
    const train = noisy(1500, 8, 3);
    const testSet = noisy(1000, 8, 4);
    const c = factory.create();
    await c.fit(train.X, train.y, { seed: 7 });
    const bacc = balancedAccuracy(c.predict(testSet.X), testSet.y);
    assert.ok(bacc > 0.65, `balanced accuracy ${bacc} (chance is 0.5)`);
  });

  test(`${kind}: probabilities are the link of the tree ensemble's raw score, and predict thresholds them`, async () => {
    const train = noisy(400, 5, 5);
    const c = factory.create(fast);
    await c.fit(train.X, train.y, { seed: 1 });
    const e = c.treeEnsemble!();
    assert.equal(e.nFeatures, 5);
    const p = c.predictProba(train.X);
    const raw = predictRaw(e, train.X);
    for (let i = 0; i < p.length; i++) {
      assert.ok(p[i]! >= 0 && p[i]! <= 1, `P(1) of row ${i} is ${p[i]}`);
      assert.equal(p[i], applyLink(e.link, raw[i]!));
    }
    assert.deepEqual(c.predict(train.X), thresholdProba(p));
  });

  test(`${kind}: toJSON -> JSON text -> fromJSON gives identical probabilities`, async () => {
    const train = withMissing(noisy(500, 6, 6).X, 0.05, 1);
    const y = noisy(500, 6, 6).y;
    const c = factory.create(fast);
    await c.fit(train, y, { seed: 3 });
    const state = JSON.parse(JSON.stringify(c.toJSON()));
    assert.equal(state.kind, kind);
    const back = factory.fromJSON(state);
    assert.deepEqual(back.params, c.params);
    const probe = withMissing(noisy(300, 6, 9).X, 0.1, 2);
    assert.deepEqual(back.predictProba(probe), c.predictProba(probe));
    assert.deepEqual(back.toJSON(), c.toJSON());
  });

  test(`${kind}: the same seed gives an identical model`, async () => {
    const { X, y } = noisy(500, 6, 10);
    const a = factory.create(fast);
    const b = factory.create(fast);
    await a.fit(X, y, { seed: 42 });
    await b.fit(X, y, { seed: 42 });
    assert.deepEqual(a.toJSON(), b.toJSON());
  });

  test(`${kind}: sample weights matter (upweighting class 1 raises P(1))`, async () => {
    const { X, y } = noisy(600, 6, 11);
    const probe = noisy(400, 6, 12).X;
    const plain = factory.create(weighting);
    await plain.fit(X, y, { seed: 1, classWeight: { 0: 1, 1: 1 } });
    const sampleWeight = Float64Array.from(y, (v) => (v ? 4 : 1));
    const weighted = factory.create(weighting);
    await weighted.fit(X, y, { seed: 1, classWeight: { 0: 1, 1: 1 }, sampleWeight });
    const before = mean(plain.predictProba(probe));
    const after = mean(weighted.predictProba(probe));
    assert.ok(after > before + 0.05, `mean P(1) ${before} -> ${after}`);
    // Zero weights remove rows: weighting only class 0 rows makes the model predict class 0 everywhere.
    const onlyZeros = factory.create(weighting);
    await onlyZeros.fit(X, y, { seed: 1, classWeight: { 0: 1, 1: 1 }, sampleWeight: Float64Array.from(y, (v) => (v ? 0 : 1)) });
    const pZeros = mean(onlyZeros.predictProba(probe));
    assert.ok(pZeros < 0.5, `mean P(1) ${pZeros} with class-1 rows weighted 0`);
  });

  test(`${kind}: class weights change the model`, async () => {
    const { X, y } = noisy(600, 6, 13);
    const probe = noisy(300, 6, 14).X;
    const favour1 = factory.create(weighting);
    await favour1.fit(X, y, { seed: 1, classWeight: { 0: 1, 1: 5 } });
    const favour0 = factory.create(weighting);
    await favour0.fit(X, y, { seed: 1, classWeight: { 0: 5, 1: 1 } });
    const p1 = mean(favour1.predictProba(probe));
    const p0 = mean(favour0.predictProba(probe));
    assert.ok(p1 > p0 + 0.1, `mean P(1) ${p1} favouring class 1, ${p0} favouring class 0`);
  });

  test(`${kind}: missing values (NaN) are learned from and routed at prediction`, async () => {
    const train = missingnessSignal(600, 5, 15);
    const testSet = missingnessSignal(400, 5, 16);
    const c = factory.create();
    await c.fit(train.X, train.y, { seed: 1 });
    const p = c.predictProba(testSet.X);
    assert.ok(p.every((v) => Number.isFinite(v)), 'finite probabilities');
    const acc = accuracy(c.predict(testSet.X), testSet.y);
    assert.ok(acc > 0.95, `accuracy ${acc} when class 1 is exactly 'feature 0 is missing'`);
    // Rows that are entirely missing still get a probability.
    const allMissing = { nRows: 2, nCols: 5, data: new Float64Array(10).fill(NaN) };
    const pm = c.predictProba(allMissing);
    assert.ok(pm.every((v) => v >= 0 && v <= 1), `P(1) of all-missing rows: ${pm}`);
  });

  test(`${kind}: a training set with a single class predicts that class`, async () => {
    const { X } = noisy(200, 4, 18);
    const probe = noisy(50, 4, 19).X;
    for (const cls of [0, 1]) {
      const c = factory.create(fast);
      await c.fit(X, new Uint8Array(200).fill(cls), { seed: 1 });
      const pred = c.predict(probe);
      assert.ok(pred.every((v) => v === cls), `all-${cls} training set`);
    }
  });

  test(`${kind}: rejects bad input with messages that name the problem`, async () => {
    const { X, y } = noisy(100, 4, 17);
    assert.throws(() => factory.create({ nonsense: 1 }), new RegExp(`${kind}: invalid parameters`));
    const c = factory.create(fast);
    assert.throws(() => c.predictProba(X), /not fitted/);
    await assert.rejects(c.fit(X, y.subarray(0, 50), { seed: 1 }), /100 rows but 50 labels/);
    await assert.rejects(c.fit(X, Uint8Array.from(y, () => 2), { seed: 1 }), /label of row 0 is 2/);
    const inf = { ...X, data: X.data.map((v, k) => (k === 5 ? Infinity : v)) };
    await assert.rejects(c.fit(inf, y, { seed: 1 }), /row 1, column 1 is Infinity/);
    await assert.rejects(c.fit(X, y, { seed: 1, sampleWeight: new Float64Array(100).fill(-1) }), /sample weight of row 0/);
    await c.fit(X, y, { seed: 1 });
    assert.throws(() => c.predictProba({ nRows: 1, nCols: 3, data: new Float64Array(3) }), /expects 4 features/);
    const state = c.toJSON();
    assert.throws(() => factory.fromJSON({ ...state, kind: kind === 'AdaBoost' ? 'RandomForest' : 'AdaBoost' }), /artifact is a/);
    assert.throws(() => factory.fromJSON({ ...state, state: { ensemble: { trees: 'x' } } }), /invalid tree ensemble/);
  });
}
