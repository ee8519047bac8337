import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Matrix } from '../../src/models/matrix.ts';
import { createRng } from '../../src/models/rng.ts';
import { predictEnsembleRaw } from '../../src/models/tree/tree.ts';
import { encodedRows, xgboostFactory } from '../../src/models/xgboost.ts';
import { loadXgboost } from '../../src/models/wasm-guard.ts';
import {
  XGBOOST_MISSING, encodeXgboostInput, parseXgboostModel, thresholdForRawInput, xgboostTreeEnsemble,
} from '../../src/explain/xgboost-trees.ts';

/** Real rows: lagged log-returns and ranges of the bundled ETH candles; label = close higher 10 days later. */
function ethRows(): { X: Matrix; y: Uint8Array } {
  const csv = readFileSync(new URL('../../data/ohlcv/ETH.csv', import.meta.url), 'utf8').trim().split('\n').slice(1);
  const c = csv.map((line) => line.split(',').slice(1).map(Number)); // open high low close volume
  const rows: number[] = [];
  const y: number[] = [];
  for (let i = 30; i < c.length - 10; i++) {
    const close = c[i]![3]!;
    for (const lag of [1, 2, 3, 5, 10, 20, 30]) rows.push(Math.log(close / c[i - lag]![3]!));
    rows.push((c[i]![1]! - c[i]![2]!) / close, Math.log(c[i]![4]! + 1), Math.round(Math.log(close / c[i - 1]![3]!) * 100));
    y.push(c[i + 10]![3]! > close ? 1 : 0);
  }
  return { X: { nRows: y.length, nCols: 10, data: Float64Array.from(rows) }, y: Uint8Array.from(y) };
}

interface LibraryModel { predict(rows: number[][]): number[]; free(): void }

/** ml-xgboost's own prediction from the same model bytes (the reference the conversion must reproduce). */
async function libraryPredict(bytes: Uint8Array, X: Matrix): Promise<number[]> {
  const XGBoost = (await loadXgboost()) as { load(m: { name: string; model: number[]; options: object }): LibraryModel };
  const lib = XGBoost.load({ name: 'ml-xgboost', model: Array.from(bytes), options: {} });
  try {
    return lib.predict(encodedRows(X));
  } finally {
    lib.free();
  }
}

type XgbModel = ReturnType<typeof xgboostFactory.create> & { modelBytes(): Uint8Array };

function assertMatchesLibrary(ours: Float64Array, lib: number[], what: string): void {
  let maxDiff = 0;
  for (let i = 0; i < lib.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - lib[i]!));
    assert.equal(ours[i]! > 0.5, lib[i]! > 0.5, `${what}: row ${i} decided differently (${ours[i]} vs ${lib[i]})`);
  }
  // ml-xgboost sums leaves and returns P in float32: agreement to float32 precision is exact agreement.
  assert.ok(maxDiff < 1e-6, `${what}: max |P ours - P library| = ${maxDiff}`);
}

test('the converted trees reproduce ml-xgboost on real rows, including -1 values and NaN (missing)', async () => {
  const { X, y } = ethRows();
  // Column 9 is a rounded return in percent: many exact -1 values (the wasm port's missing marker) and ties.
  let minusOnes = 0;
  for (let i = 0; i < X.nRows; i++) if (X.data[i * 10 + 9] === -1) minusOnes++;
  assert.ok(minusOnes > 50, `the data has ${minusOnes} exact -1 values`);
  for (let i = 0; i < X.nRows; i += 13) X.data[i * 10 + 3] = NaN;
  const model = xgboostFactory.create() as XgbModel;
  await model.fit(X, y, { seed: 1 });
  const lib = await libraryPredict(model.modelBytes(), X);
  assertMatchesLibrary(model.predictProba(X), lib, 'ETH rows');
  // The ensemble's raw output is XGBoost's margin.
  const ensemble = model.treeEnsemble!();
  for (let i = 0; i < 200; i++) {
    const margin = predictEnsembleRaw(ensemble, X.data.subarray(i * 10, i * 10 + 10));
    const libMargin = Math.log(lib[i]! / (1 - lib[i]!));
    if (Math.abs(margin) < 8) assert.ok(Math.abs(margin - libMargin) < 1e-4, `row ${i}: margin ${margin} vs ${libMargin}`);
  }
});

test('rows exactly on split points and on their float32 neighbours go the same way as in XGBoost', async () => {
  // Integer-valued features: XGBoost's exact splits sit at the midpoints k + 0.5.
  const rng = createRng(3);
  const n = 600;
  const data = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    data[i * 2] = Math.floor(rng() * 10) - 3;
    data[i * 2 + 1] = Math.floor(rng() * 6);
    y[i] = (data[i * 2]! + data[i * 2 + 1]! > 3) !== rng() < 0.1 ? 1 : 0;
  }
  const model = xgboostFactory.create({ nEstimators: 20, baseScore: 0.3 }) as XgbModel;
  await model.fit({ nRows: n, nCols: 2, data }, y, { seed: 1 });
  const { info } = parseXgboostModel(model.modelBytes());
  assert.ok(Math.abs(info.baseMargin - Math.log(0.3 / 0.7)) < 1e-6, 'base_score is stored as a margin');
  const probes: number[] = [];
  for (let a = -4; a <= 7; a += 0.5) {
    for (const b of [-0.5, 0.5, 1.5, 2.5, 3.5]) {
      // The split value itself, values a float32 step above/below it, and doubles that round to it in float32.
      for (const v of [a, a + 2 ** -20, a - 2 ** -20, a * (1 + 2 ** -30), a - 1e-12]) probes.push(v, b);
    }
  }
  const P = { nRows: probes.length / 2, nCols: 2, data: Float64Array.from(probes) };
  assertMatchesLibrary(model.predictProba(P), await libraryPredict(model.modelBytes(), P), 'split points');
});

test('thresholdForRawInput: x <= t exactly when XGBoost sends the float32-encoded x left', () => {
  const rng = createRng(7);
  const splits = [-1, Math.fround(-1 + 2 ** -24), Math.fround(-1 - 2 ** -23), 0.5, -0.5, 0, Math.fround(1e-30), Math.fround(Math.PI), Math.fround(-3e38)];
  for (let k = 0; k < 200; k++) splits.push(Math.fround((rng() - 0.5) * 10 ** Math.floor(rng() * 8 - 3)));
  for (const split of splits) {
    const t = thresholdForRawInput(split);
    const goesLeft = (x: number) => Math.fround(encodeXgboostInput(x)) < split;
    // Probe around the threshold and around the split, at double and float32 resolution.
    const around = [t, split, Math.fround(t)];
    for (const c of around) {
      for (const delta of [0, 1e-300, 2 ** -60, 2 ** -40, 2 ** -25, 2 ** -20, 1e-3]) {
        for (const x of [c + delta * Math.max(1, Math.abs(c)), c - delta * Math.max(1, Math.abs(c))]) {
          if (!Number.isFinite(x)) continue;
          assert.equal(x <= t, goesLeft(x), `split ${split}: x = ${x}, threshold ${t}`);
        }
      }
    }
  }
});

test('encodeXgboostInput keeps order and marks only NaN as missing', () => {
  assert.equal(encodeXgboostInput(NaN), XGBOOST_MISSING);
  assert.ok(encodeXgboostInput(-1) < -1 && Math.fround(encodeXgboostInput(-1)) !== -1);
  assert.ok(encodeXgboostInput(-1) > Math.fround(-1 - 2 ** -22));
  assert.equal(encodeXgboostInput(-0.5), -0.5);
  assert.equal(encodeXgboostInput(-1 + 1e-12), encodeXgboostInput(-1), 'a double that is -1 in float32 is a -1');
});

test('parseXgboostModel rejects truncated or foreign bytes with a specific message', async () => {
  const model = xgboostFactory.create({ nEstimators: 3 }) as XgbModel;
  const rng = createRng(1);
  const data = Float64Array.from({ length: 200 }, () => rng());
  await model.fit({ nRows: 100, nCols: 2, data }, Uint8Array.from({ length: 100 }, (_, i) => (data[i * 2]! > 0.5 ? 1 : 0)), { seed: 1 });
  const bytes = model.modelBytes();
  const { info, trees } = parseXgboostModel(bytes);
  assert.deepEqual([info.objective, info.booster, info.nFeatures, info.nTrees, trees.length], ['binary:logistic', 'gbtree', 2, 3, 3]);
  assert.throws(() => parseXgboostModel(bytes.subarray(0, bytes.length - 20)), /truncated while reading/);
  assert.throws(() => xgboostTreeEnsemble(new Uint8Array(50)), /truncated while reading learner parameters/);
  // Cover is positive everywhere and a parent's cover is the sum of its children's.
  const tree = xgboostTreeEnsemble(bytes).trees[0]!;
  for (let i = 0; i < tree.left.length; i++) {
    assert.ok(tree.cover[i]! > 0);
    if (tree.left[i] !== -1) assert.ok(Math.abs(tree.cover[i]! - tree.cover[tree.left[i]!]! - tree.cover[tree.right[i]!]!) < 1e-3 * tree.cover[i]!);
  }
});
