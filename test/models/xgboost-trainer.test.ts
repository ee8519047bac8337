import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCandleCsv } from '../../src/data/csv.ts';
import { buildDataset } from '../../src/data/dataset.ts';
import { balancedClassWeight } from '../../src/models/classifier.ts';
import { type Matrix, sliceRows } from '../../src/models/matrix.ts';
import { createRng } from '../../src/models/rng.ts';
import { loadXgboost } from '../../src/models/wasm-guard.ts';
import { encodedRows, trainWithMlXgboost, xgboostFactory } from '../../src/models/xgboost.ts';
import { sortColumns } from '../../src/models/xgboost-columns.ts';
import { ScanKernel } from '../../src/models/xgboost-kernel.ts';
import { expf, float32Parameter, logf, sigmoidf } from '../../src/models/xgboost-float32.ts';
import { type XgboostModelData, type XgboostTrainParams, trainXgboost, typescriptTrainerUnsupported } from '../../src/models/xgboost-trainer.ts';
import { writeXgboostModel } from '../../src/models/xgboost-writer.ts';
import { parseXgboostModel } from '../../src/explain/xgboost-trees.ts';

const DEFAULTS: XgboostTrainParams = {
  nEstimators: 100, maxDepth: 6, learningRate: 0.3, minChildWeight: 1, gamma: 0, regLambda: 1, regAlpha: 0,
  baseScore: 0.5, scalePosWeight: 1, subsample: 1, colsampleByTree: 1, treeMethod: 'exact',
};

interface LibraryModel { predict(rows: number[][]): number[]; free(): void }

async function libraryPredict(bytes: Uint8Array, rows: number[][]): Promise<number[]> {
  const XGBoost = (await loadXgboost()) as { load(m: { name: string; model: number[]; options: object }): LibraryModel };
  const lib = XGBoost.load({ name: 'ml-xgboost', model: Array.from(bytes), options: {} });
  try {
    return lib.predict(rows);
  } finally {
    lib.free();
  }
}

/** Where two model files first differ (tree, node or stat, field), for a readable failure. */
function firstDifference(ours: Uint8Array, theirs: Uint8Array): string | undefined {
  if (ours.length === theirs.length && ours.every((b, i) => b === theirs[i])) return undefined;
  let i = 0;
  while (i < Math.min(ours.length, theirs.length) && ours[i] === theirs[i]) i++;
  const view = new DataView(theirs.buffer, theirs.byteOffset, theirs.byteLength);
  let pos = 136;
  for (let s = 0; s < 2; s++) pos += 8 + view.getUint32(pos, true);
  pos += 160;
  for (let t = 0; pos + 148 <= theirs.length; t++) {
    const nodes = view.getInt32(pos + 4, true);
    const end = pos + 148 + 36 * nodes;
    if (i < end) {
      const off = i - pos - 148;
      if (off < 0) return `tree ${t} header (lengths ${ours.length}/${theirs.length})`;
      return off < 20 * nodes ? `tree ${t} node ${Math.floor(off / 20)} field ${Math.floor((off % 20) / 4)}` : `tree ${t} stat ${Math.floor((off - 20 * nodes) / 16)} field ${Math.floor(((off - 20 * nodes) % 16) / 4)}`;
    }
    pos = end;
  }
  return `byte ${i} (lengths ${ours.length}/${theirs.length})`;
}

async function assertSameAsLibrary(X: Matrix, y: Uint8Array, params: XgboostTrainParams, what: string): Promise<XgboostModelData> {
  const model = trainXgboost(X, y, params);
  const ours = writeXgboostModel(model);
  const theirs = await trainWithMlXgboost(X, y, params, 42);
  assert.equal(firstDifference(ours, theirs), undefined, `${what}: model bytes differ from ml-xgboost's`);
  return model;
}

/**
 * A small problem with the awkward cases: integer features with ties (including -1, the port's missing marker),
 * values rounded to 1/1000, a constant column, optional missing values (NaN) in one column and a constant column
 * with missing values, or a column with no values at all. `rule` picks the labels (balanced, rare or majority 1).
 */
function awkward(options: { missing?: 'some' | 'column'; rule?: 'rare' | 'majority'; n?: number; seed?: number } = {}): { X: Matrix; y: Uint8Array } {
  const rng = createRng(options.seed ?? 11);
  const n = options.n ?? 600;
  const d = 6;
  const data = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rng() * 8) - 3;
    const b = Math.round(rng() * 1000) / 1000;
    const c = options.missing && rng() < 0.3 ? NaN : rng() * 2 - 1;
    data.set([a, b, 3.25, c, options.missing === 'some' ? (rng() < 0.5 ? NaN : 7) : 7, options.missing === 'column' ? NaN : rng() * 100], i * d);
    const z = 0.3 * a + b - (Number.isNaN(c) ? 0.5 : c) + (rng() - 0.5);
    y[i] = options.rule === 'rare' ? (z > 1.6 ? 1 : 0) : options.rule === 'majority' ? (z > -0.8 ? 1 : 0) : (z > 0.5 ? 1 : 0);
  }
  return { X: { nRows: n, nCols: d, data }, y };
}

function balanced(y: Uint8Array): number {
  const cw = balancedClassWeight(y);
  return cw[1] / cw[0];
}

/** A seed-protocol training set: the first 95% of a coin's labeled rows. */
function pool(symbol: string, trend: 'uptrend' | 'downtrend'): { X: Matrix; y: Uint8Array } {
  const path = new URL(`../../data/ohlcv/${symbol}.csv`, import.meta.url);
  const { candles } = parseCandleCsv(readFileSync(path, 'utf8'), path.pathname);
  const ds = buildDataset(symbol, candles, { trend, window: 10, targetPct: trend === 'uptrend' ? 0.05 : -0.05, period: 7 });
  const cut = Math.floor(ds.X.nRows * 0.95);
  return { X: sliceRows(ds.X, 0, cut), y: ds.y.subarray(0, cut) };
}

/** A model whose margin for input x = k is margins[k] (base margin 0, one lookup tree), in XGBoost's layout. */
function lookupModel(margins: readonly number[]): Uint8Array {
  // A complete binary tree over k = 0 .. 2^depth - 1 with thresholds k + 0.5; node i's children are 2i+1, 2i+2.
  const depth = Math.ceil(Math.log2(margins.length));
  const size = 2 ** (depth + 1) - 1;
  const tree = {
    parent: new Int32Array(size), left: new Int32Array(size), right: new Int32Array(size), sindex: new Uint32Array(size),
    info: new Float32Array(size), lossChange: new Float32Array(size), sumHessian: new Float32Array(size).fill(1),
    baseWeight: new Float32Array(size), leafChildCount: new Int32Array(size), numDeleted: 0,
  };
  const build = (node: number, lo: number, width: number) => {
    tree.parent[node] = node === 0 ? -1 : ((node - 1) >> 1) | (node % 2 === 1 ? 0x80000000 : 0);
    if (width === 1) {
      tree.left[node] = -1;
      tree.right[node] = -1;
      tree.info[node] = margins[lo] ?? 0;
      return;
    }
    tree.left[node] = 2 * node + 1;
    tree.right[node] = 2 * node + 2;
    tree.info[node] = lo + width / 2 - 0.5;
    build(2 * node + 1, lo, width / 2);
    build(2 * node + 2, lo + width / 2, width / 2);
  };
  build(0, 0, 2 ** depth);
  return writeXgboostModel({ baseMargin: 0, nFeatures: 1, trees: [tree] });
}

test('expf and the logistic transform match the wasm build bit for bit (predictions of a lookup model)', async () => {
  const rng = createRng(3);
  const margins = [0, -0, 1e-8, -1e-5, 0.34, -0.35, 1.04, -1.05, 20, -20, 40, -40, 87.3, -87.3, 88.8, -88.8, 95, -95, 103.9, -104.5];
  while (margins.length < 512) margins.push(Math.fround((rng() - 0.5) * 10 ** (rng() * 3 - 1)));
  const f32 = margins.map((m) => Math.fround(m));
  const lib = await libraryPredict(lookupModel(f32), f32.map((_, k) => [k]));
  let mismatches = 0;
  f32.forEach((m, k) => { if (!Object.is(sigmoidf(m), lib[k])) mismatches++; });
  assert.equal(mismatches, 0, `${mismatches} of ${f32.length} probabilities differ from ml-xgboost's`);
  // The trainer computes gradients in its kernel (a port of the same expf): for a row labeled 0 with weight 1 the
  // gradient is p itself.
  const kernel = new ScanKernel({ entries: 1, rows: f32.length, features: 1, blocks: 4 });
  kernel.margin.set(f32);
  kernel.labels.fill(0);
  kernel.gradients(0);
  f32.forEach((_, k) => { if (kernel.gradHess[3 * k] !== lib[k]) mismatches++; });
  assert.equal(mismatches, 0, `${mismatches} of ${f32.length} kernel gradients differ from ml-xgboost's probabilities`);
  // Math.exp rounded to float32 is not the same function: the test would notice a swap.
  assert.ok(f32.some((m) => Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-m)))) !== sigmoidf(m)), 'fround(Math.exp) differs somewhere');
  assert.equal(expf(0), 1);
  assert.equal(logf(1), 0);
  assert.ok(Math.abs(logf(Math.fround(10)) - Math.log(10)) < 1e-6);
});

test('base_score becomes the stored base margin exactly as in ml-xgboost (logf)', async () => {
  const { X, y } = awkward({ n: 120 });
  for (const baseScore of [0.5, 0.3, 0.82, 0.0123, 0.999, 1e-7]) {
    const model = await assertSameAsLibrary(X, y, { ...DEFAULTS, nEstimators: 2, baseScore }, `base_score ${baseScore}`);
    if (baseScore === 0.5) assert.ok(Object.is(model.baseMargin, -0), 'base_score 0.5 is stored as -logf(1) = -0');
  }
});

test('synthetic problems with ties, -1 values, constant and missing columns: model bytes identical to ml-xgboost', async () => {
  const cases: [string, { X: Matrix; y: Uint8Array }][] = [
    ['ties', awkward()],
    ['missing values', awkward({ missing: 'some' })],
    ['an all-missing column', awkward({ missing: 'column' })],
    ['rare positives', awkward({ rule: 'rare', seed: 5 })],
    ['majority positives', awkward({ rule: 'majority', seed: 6 })],
  ];
  let forwardSplits = 0;
  for (const [what, { X, y }] of cases) {
    const model = await assertSameAsLibrary(X, y, { ...DEFAULTS, nEstimators: 30, scalePosWeight: balanced(y) }, what);
    for (const t of model.trees) for (let k = 0; k < t.left.length; k++) if (t.left[k] !== -1 && t.sindex[k]! >>> 31 === 0) forwardSplits++;
  }
  // Splits with missing values going right come only from the forward scan of columns with missing values.
  assert.ok(forwardSplits > 0, 'the forward search was exercised');
});

test('non-default parameters: model bytes identical to ml-xgboost (pruning, L1/L2, depth, eta, min_child_weight)', async () => {
  const { X, y } = awkward({ missing: 'some', seed: 9 });
  const variants: Partial<XgboostTrainParams>[] = [
    { gamma: 1.5 }, { gamma: 0.4, maxDepth: 9 }, { regAlpha: 0.7 }, { regLambda: 0 }, { regLambda: 3.5, regAlpha: 0.2 },
    { maxDepth: 2 }, { learningRate: 0.05 }, { learningRate: 0.9 }, { minChildWeight: 0.3 }, { minChildWeight: 6 },
    { scalePosWeight: 0.37 }, { scalePosWeight: 0.61 }, { scalePosWeight: 4.2 }, { baseScore: 0.27, nEstimators: 5 },
  ];
  let deleted = 0;
  for (const v of variants) {
    const model = await assertSameAsLibrary(X, y, { ...DEFAULTS, nEstimators: 25, scalePosWeight: balanced(y), ...v }, JSON.stringify(v));
    if (v.gamma) for (const t of model.trees) deleted += t.numDeleted;
  }
  assert.ok(deleted > 0, 'the prune updater removed nodes');
});

test('real training sets (bundled candles, seed split): model bytes identical to ml-xgboost', async () => {
  for (const [symbol, trend] of [['BTC', 'uptrend'], ['ETH', 'downtrend'], ['SOL', 'uptrend'], ['XRP', 'downtrend']] as const) {
    const { X, y } = pool(symbol, trend);
    await assertSameAsLibrary(X, y, { ...DEFAULTS, scalePosWeight: balanced(y) }, `${symbol} ${trend}`);
  }
  const { X, y } = pool('ADA', 'uptrend');
  const custom = { ...DEFAULTS, nEstimators: 40, maxDepth: 4, learningRate: 0.1, gamma: 1, regAlpha: 0.5, regLambda: 2, minChildWeight: 3, baseScore: 0.4 };
  await assertSameAsLibrary(X, y, { ...custom, scalePosWeight: balanced(y) }, 'ADA uptrend, custom parameters');
  await assertSameAsLibrary(X, y, { ...DEFAULTS, nEstimators: 30, maxDepth: 8, scalePosWeight: 1 }, 'ADA uptrend, unweighted');
});

test('the classifier trains in TypeScript: same bytes as ml-xgboost, which loads them and predicts the same', async () => {
  const { X, y } = pool('LINK', 'downtrend');
  const model = xgboostFactory.create({ nEstimators: 60 }) as ReturnType<typeof xgboostFactory.create> & { modelBytes(): Uint8Array };
  await model.fit(X, y, { seed: 42 });
  const bytes = model.modelBytes();
  const theirs = await trainWithMlXgboost(X, y, { ...DEFAULTS, nEstimators: 60, scalePosWeight: balanced(y) }, 42);
  assert.equal(firstDifference(bytes, theirs), undefined);
  const rows = encodedRows(X).slice(0, 300);
  const lib = await libraryPredict(bytes, rows);
  const ours = model.predictProba(sliceRows(X, 0, 300));
  for (let i = 0; i < lib.length; i++) assert.ok(Math.abs(ours[i]! - lib[i]!) < 1e-6, `row ${i}: ${ours[i]} vs ${lib[i]}`);
  // And the artifact round-trips with identical probabilities.
  const loaded = xgboostFactory.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
  assert.deepEqual(loaded.predictProba(X), model.predictProba(X));
});

test('parameters the TypeScript trainer cannot reproduce train in ml-xgboost', async () => {
  assert.equal(typescriptTrainerUnsupported(DEFAULTS), undefined);
  assert.match(typescriptTrainerUnsupported({ ...DEFAULTS, subsample: 0.8 }) ?? '', /subsample/);
  assert.match(typescriptTrainerUnsupported({ ...DEFAULTS, colsampleByTree: 0.5 }) ?? '', /colsample/);
  assert.match(typescriptTrainerUnsupported({ ...DEFAULTS, treeMethod: 'hist' }) ?? '', /hist/);
  assert.match(typescriptTrainerUnsupported({ ...DEFAULTS, minChildWeight: 0 }) ?? '', /min_child_weight/);
  assert.throws(() => trainXgboost({ nRows: 1, nCols: 1, data: Float64Array.of(0) }, Uint8Array.of(1), { ...DEFAULTS, subsample: 0.5 }), /needs ml-xgboost/);
  // The classifier falls back: its model is ml-xgboost's, seed included.
  const { X, y } = awkward({ n: 300 });
  const model = xgboostFactory.create({ nEstimators: 8, subsample: 0.7 }) as ReturnType<typeof xgboostFactory.create> & { modelBytes(): Uint8Array };
  await model.fit(X, y, { seed: 7 });
  const theirs = await trainWithMlXgboost(X, y, { ...DEFAULTS, nEstimators: 8, subsample: 0.7, scalePosWeight: balanced(y) }, 7);
  assert.equal(firstDifference(model.modelBytes(), theirs), undefined);
});

test('columns are sorted in the order of the libc++ std::sort the wasm port was built with', () => {
  // Hashes of the row order libc++'s std::sort (LLVM 14 headers with the 2018 version's unlimited recursion depth)
  // gives for these inputs: heavy ties, so the order among equal values is the sort's own. Lengths cover insertion
  // sort (<= 30), median-of-3 and median-of-5 (>= 1000) pivots.
  const fixtures = [[33, 3, 1, 0x3d116697], [257, 20, 2, 0x6a7fe52d], [1001, 3, 3, 0x74b2b8e7], [2869, 50, 4, 0x3b294329], [1500, 2, 5, 0xb4ebf2e7]] as const;
  for (const [n, distinct, seed, hash] of fixtures) {
    const rng = createRng(seed);
    const x = Float64Array.from({ length: n }, () => Math.floor(rng() * distinct) / 4 - 1);
    const { rows, values } = sortColumns(x, n, 1);
    for (let i = 1; i < n; i++) assert.ok(values[i - 1]! <= values[i]!, 'sorted');
    assert.deepEqual([...rows].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), 'a permutation');
    let h = 0x811c9dc5;
    for (const r of rows) h = Math.imul(h ^ r, 0x01000193) >>> 0;
    assert.equal(h, hash, `n=${n}: tie order differs from libc++`);
  }
  // Missing values (NaN) are left out of their column. Rows: (2, NaN), (1, 5), (NaN, 0).
  const cols = sortColumns(Float64Array.of(2, NaN, 1, 5, NaN, 0), 3, 2);
  assert.deepEqual([...cols.length], [2, 2]);
  assert.deepEqual([...cols.rows], [1, 0, 2, 1]);
  assert.deepEqual([...cols.values], [1, 2, 0, 5]);
});

test('float32Parameter parses numbers as XGBoost parses the strings ml-xgboost sends', () => {
  assert.equal(float32Parameter(0.3), Math.fround(0.3));
  assert.equal(float32Parameter(2.7142857142857144), Math.fround(2.7142857142857144));
  // Exactly halfway between two float32 values: the shortest decimal string is above it, so XGBoost rounds up
  // where Math.fround rounds to even.
  const half = 1 + 2 ** -24;
  assert.equal(Math.fround(half), 1);
  assert.equal(float32Parameter(half), 1 + 2 ** -23);
  assert.equal(float32Parameter(-half), -(1 + 2 ** -23));
});
