/**
 * Our SMO solver (svm-solver.ts) and kernel (svm-kernel.ts) against libsvm-js, the oracle: LIBSVM 3.22 compiled to
 * wasm, which the SupportVectorMachine used to train with. On synthetic problems and on real training sets built from
 * the bundled candles, both must find the same support vectors with the same dual coefficients and rho — exactly,
 * not within a tolerance, because the solver replays LIBSVM's steps (see svm-solver.ts). The model-level test at the
 * end rebuilds the previous libsvm-based SupportVectorMachine from the same pieces and compares the fitted models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expArgumentGenerators } from '../helpers/wasm.ts';
import { parseCandleCsv } from '../../src/data/csv.ts';
import { buildDataset } from '../../src/data/dataset.ts';
import { balancedClassWeight } from '../../src/models/classifier.ts';
import { type Matrix, sliceRows, takeRows, toRows } from '../../src/models/matrix.ts';
import { createRng, shuffleInPlace } from '../../src/models/rng.ts';
import { fitStandardizer, standardize, standardizerToJSON } from '../../src/models/standardize.ts';
import { KernelMatrix } from '../../src/models/svm-kernel.ts';
import { type BinarySvc, solveDual, trainBinarySvc } from '../../src/models/svm-solver.ts';
import { fitPlatt, supportVectorMachineFactory as svm } from '../../src/models/svm.ts';
import { loadLibsvm } from '../../src/models/wasm-guard.ts';
import { ball } from './fixtures.ts';

// ---- The oracle: libsvm-js ---------------------------------------------------------------------------------------

interface LibsvmModel {
  readonly model: number | null;
  train(samples: number[][], labels: number[]): void;
  serializeModel(): string;
  getSVIndices(): number[];
  free(): void;
}
interface LibsvmClass {
  new (options: Record<string, unknown>): LibsvmModel;
  SVM_TYPES: { C_SVC: string };
  KERNEL_TYPES: { RBF: string };
}

interface SolveOptions {
  C: number;
  gamma: number;
  eps: number;
  weight: { 0: number; 1: number };
  shrinking: boolean;
}

/** libsvm's model in the shape of trainBinarySvc's result (support vectors as indices into Z). */
type OracleModel = Omit<BinarySvc, 'iterations'>;

/**
 * Reads the first label, rho and the dual coefficients from libsvm 3.22's `struct svm_model` in the wasm memory
 * (unrounded, unlike the model text). Offsets (wasm32): struct svm_parameter is 96 bytes (gamma f64 at 16, eps at 40,
 * C at 48), then nr_class i32 at 96, l at 100, SV at 104, sv_coef (double**) at 108, rho (double*) at 112, ...,
 * label (int*) at 128. Trusted only if the struct echoes what was passed; otherwise undefined.
 */
function readModelStruct(model: LibsvmModel, nSv: number, o: SolveOptions): { firstLabel: number; rho: number; coef: Float64Array } | undefined {
  const heap = createRequire(import.meta.url)('libsvm-js/out/wasm/libsvm.js') as { HEAP32: Int32Array; HEAPF64: Float64Array };
  const at = model.model;
  if (typeof at !== 'number' || at <= 0 || at % 8 !== 0) return undefined;
  const i32 = heap.HEAP32;
  const f64 = heap.HEAPF64;
  const int = (byte: number) => i32[byte >> 2]!;
  const echoes = f64[(at + 16) >> 3] === o.gamma && f64[(at + 40) >> 3] === o.eps && f64[(at + 48) >> 3] === o.C;
  if (!echoes || int(at + 96) !== 2 || int(at + 100) !== nSv) return undefined;
  const labels = int(at + 128);
  const coefAt = int(int(at + 108));
  const rhoAt = int(at + 112);
  if (coefAt % 8 !== 0 || rhoAt % 8 !== 0) return undefined;
  return { firstLabel: int(labels), rho: f64[rhoAt >> 3]!, coef: f64.slice(coefAt >> 3, (coefAt >> 3) + nSv) };
}

/** The first label, rho and coefficients from libsvm's model text (rho has 6 significant digits there). */
function parseLibsvmModel(text: string): { firstLabel: number; rho: number; coef: Float64Array } {
  const lines = text.split('\n');
  const header = new Map<string, string>();
  let i = 0;
  for (; i < lines.length && lines[i]!.trim() !== 'SV'; i++) {
    const line = lines[i]!.trim();
    const space = line.indexOf(' ');
    if (space > 0) header.set(line.slice(0, space), line.slice(space + 1));
  }
  const coef: number[] = [];
  for (i++; i < lines.length; i++) if (lines[i]!.trim()) coef.push(Number(lines[i]!.trim().split(' ')[0]));
  return { firstLabel: Number(header.get('label')!.split(' ')[0]), rho: Number(header.get('rho')), coef: Float64Array.from(coef) };
}

/** Trains libsvm-js on rows of Z (in that order) and returns its model, read unrounded from its memory. */
async function libsvmTrain(Z: Matrix, y: Uint8Array, rows: Int32Array, o: SolveOptions): Promise<OracleModel> {
  const SVM = (await loadLibsvm()) as LibsvmClass;
  const model = new SVM({
    type: SVM.SVM_TYPES.C_SVC, kernel: SVM.KERNEL_TYPES.RBF, gamma: o.gamma, cost: o.C, tolerance: o.eps, shrinking: o.shrinking,
    probabilityEstimates: false, weight: { 0: o.weight[0], 1: o.weight[1] }, quiet: true,
  });
  try {
    model.train(toRows(takeRows(Z, rows)), Array.from(rows, (r) => y[r]!));
    const sv = model.getSVIndices();
    const m = readModelStruct(model, sv.length, o);
    assert.ok(m, 'libsvm-js model struct passes its checks');
    return { firstLabel: m.firstLabel as 0 | 1, svRows: Int32Array.from(sv, (i) => rows[i]!), coef: m.coef, rho: m.rho };
  } finally {
    model.free();
  }
}

/** Our solver on the same problem, over a kernel of all of Z's rows. */
function ourTrain(kernel: KernelMatrix, y: Uint8Array, rows: Int32Array, o: SolveOptions): BinarySvc {
  return trainBinarySvc(kernel, y, rows, { C: o.C, weight: o.weight, eps: o.eps, shrinking: o.shrinking });
}

function assertSameModel(ours: BinarySvc, oracle: OracleModel, what: string): void {
  assert.equal(ours.firstLabel, oracle.firstLabel, `${what}: first label`);
  assert.deepEqual(Array.from(ours.svRows), Array.from(oracle.svRows), `${what}: support vectors`);
  // Exact: same coefficients and rho to the last bit.
  assert.deepEqual(Array.from(ours.coef), Array.from(oracle.coef), `${what}: dual coefficients`);
  assert.equal(ours.rho, oracle.rho, `${what}: rho`);
}

// ---- Data ----------------------------------------------------------------------------------------------------------

const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** scikit-learn's gamma='scale' on standardized data, as svm.ts computes it. */
function scaleGamma(Z: Matrix): number {
  let mean = 0;
  for (const v of Z.data) mean += v;
  mean /= Z.data.length;
  let v = 0;
  for (const x of Z.data) v += (x - mean) ** 2;
  return 1 / (Z.nCols * (v / Z.data.length));
}

/** The seed protocol's training set of a coin (first 95% of the labeled rows), standardized. */
function realSet(symbol: string, trend: 'uptrend' | 'downtrend'): { X: Matrix; Z: Matrix; y: Uint8Array; gamma: number } {
  const path = new URL(`../../data/ohlcv/${symbol}.csv`, import.meta.url);
  const { candles } = parseCandleCsv(readFileSync(path, 'utf8'), path.pathname);
  const ds = buildDataset(symbol, candles, { trend, window: 10, targetPct: trend === 'uptrend' ? 0.05 : -0.05, period: 7 });
  const cut = Math.floor(ds.X.nRows * 0.95);
  const X = sliceRows(ds.X, 0, cut);
  const Z = standardize(fitStandardizer(X, 'test'), X, 'test');
  return { X, Z, y: ds.y.slice(0, cut), gamma: scaleGamma(Z) };
}

function synthetic(n: number, d: number, seed: number): { Z: Matrix; y: Uint8Array } {
  const { X, y } = ball(n, d, seed);
  return { Z: standardize(fitStandardizer(X, 'test'), X, 'test'), y };
}

// ---- Kernel --------------------------------------------------------------------------------------------------------

test('kernel values are LIBSVM\'s expression rounded to float32, in dense and row-cache storage alike', () => {
  const { Z } = synthetic(37, 5, 1);
  const gamma = 0.3;
  const dense = new KernelMatrix(Z, gamma);
  const rows = new KernelMatrix(Z, gamma, 37 * 4 * 3); // three rows of budget
  assert.equal(dense.storage, 'dense');
  assert.equal(rows.storage, 'rows');
  const d = Z.nCols;
  const dot = (i: number, j: number) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += Z.data[i * d + k]! * Z.data[j * d + k]!;
    return s;
  };
  for (let i = 0; i < 37; i++) {
    const want = Float32Array.from({ length: 37 }, (_, j) => Math.exp(-gamma * (dot(i, i) + dot(j, j) - 2 * dot(i, j))));
    assert.deepEqual(dense.row(i), want, `dense row ${i}`);
    assert.deepEqual(rows.row(i), want, `cached row ${i}`);
    assert.equal(dense.diagonal(i), 1);
  }
  // Rows that were evicted are recomputed identically.
  assert.deepEqual(rows.row(0), dense.row(0));
  // A released matrix hands its memory to the next one and refuses further use.
  dense.release();
  assert.throws(() => dense.row(0), /used after release/);
  const next = new KernelMatrix(Z, gamma);
  assert.deepEqual(next.row(5), rows.row(5));
});

test('the wasm exp is bit for bit Math.exp (LIBSVM in wasm calls Math.exp)', () => {
  const kernel = new KernelMatrix({ nRows: 1, nCols: 1, data: new Float64Array(1) }, 1);
  const { ops } = kernel;
  const N = 4096;
  const at = ops.memory.buffer.byteLength;
  ops.memory.grow(1);
  const src = new Float64Array(ops.memory.buffer, at, N);
  const dst = new Float64Array(ops.memory.buffer, at + N * 8, N);
  const generators = expArgumentGenerators(7);
  let checked = 0;
  for (const gen of generators) {
    for (let rep = 0; rep < 8; rep++) {
      for (let i = 0; i < N; i++) src[i] = gen();
      ops.expSpan(at, N, at + N * 8);
      for (let i = 0; i < N; i++) {
        const want = Math.exp(src[i]!);
        assert.ok(Object.is(dst[i], want), `two-lane exp(${src[i]}) = ${dst[i]}, Math.exp gives ${want}`);
        if (i % 8 === 0) assert.ok(Object.is(ops.exp(src[i]!), want), `exp(${src[i]}) = ${ops.exp(src[i]!)}, Math.exp gives ${want}`);
        checked++;
      }
    }
  }
  assert.equal(checked, generators.length * 8 * N);
});

// ---- Solver against libsvm-js --------------------------------------------------------------------------------------

test('the oracle: the model read from libsvm\'s struct in wasm memory is its model text, unrounded', async () => {
  const { Z, y } = synthetic(300, 3, 8);
  const o = { C: 1.5, gamma: 0.7, eps: 1e-3, weight: { 0: 0.8, 1: 1.3 }, shrinking: true };
  const SVM = (await loadLibsvm()) as LibsvmClass;
  const model = new SVM({
    type: SVM.SVM_TYPES.C_SVC, kernel: SVM.KERNEL_TYPES.RBF, gamma: o.gamma, cost: o.C, tolerance: o.eps, shrinking: true,
    probabilityEstimates: false, weight: o.weight, quiet: true,
  });
  try {
    model.train(toRows(Z), Array.from(y));
    const nSv = model.getSVIndices().length;
    const fromStruct = readModelStruct(model, nSv, o);
    const fromText = parseLibsvmModel(model.serializeModel());
    assert.ok(fromStruct);
    assert.equal(fromStruct.firstLabel, fromText.firstLabel);
    assert.equal(fromStruct.coef.length, nSv);
    // The text has 16 significant digits for the coefficients and 6 for rho.
    fromStruct.coef.forEach((c, i) => assert.ok(Math.abs(c - fromText.coef[i]!) <= 1e-15 * Math.abs(c), `coef ${i}`));
    assert.ok(Math.abs(fromStruct.rho - fromText.rho) <= 5e-6 * Math.abs(fromStruct.rho));
    assert.equal(readModelStruct(model, nSv, { ...o, gamma: 0.5 }), undefined, 'a struct that does not echo the options is not trusted');
  } finally {
    model.free();
  }
});

test('synthetic problems: same support vectors, coefficients and rho as libsvm-js, shrinking on and off, any class weights', async () => {
  const cases: { n: number; d: number; seed: number; o: Omit<SolveOptions, 'shrinking'> }[] = [
    { n: 300, d: 3, seed: 1, o: { C: 1, gamma: 0.5, eps: 1e-3, weight: { 0: 1, 1: 1 } } },
    { n: 401, d: 4, seed: 2, o: { C: 2, gamma: 0.25, eps: 1e-3, weight: { 0: 0.7, 1: 1.9 } } },
    { n: 250, d: 2, seed: 3, o: { C: 10, gamma: 2, eps: 1e-4, weight: { 0: 3, 1: 0.4 } } },
    { n: 1500, d: 6, seed: 4, o: { C: 1, gamma: 1 / 6, eps: 1e-3, weight: { 0: 0.9, 1: 1.1 } } },
  ];
  for (const c of cases) {
    const { Z, y } = synthetic(c.n, c.d, c.seed);
    const kernel = new KernelMatrix(Z, c.o.gamma);
    for (const shrinking of [true, false]) {
      const o = { ...c.o, shrinking };
      const rows = iota(c.n);
      assertSameModel(ourTrain(kernel, y, rows, o), await libsvmTrain(Z, y, rows, o), `n=${c.n} seed=${c.seed} shrinking=${shrinking}`);
    }
  }
});

test('real training sets (four coins, both trends, cross-validation folds, shrinking off, other weights): identical to libsvm-js', async () => {
  const sets: { symbol: string; trend: 'uptrend' | 'downtrend'; fold?: boolean; shrinking?: boolean; weight?: { 0: number; 1: number } }[] = [
    { symbol: 'BTC', trend: 'uptrend' },
    { symbol: 'ETH', trend: 'downtrend' },
    { symbol: 'SOL', trend: 'uptrend', fold: true },
    { symbol: 'ADA', trend: 'downtrend', fold: true, shrinking: false, weight: { 0: 0.6, 1: 2.5 } },
  ];
  for (const s of sets) {
    const { Z, y, gamma } = realSet(s.symbol, s.trend);
    const kernel = new KernelMatrix(Z, gamma);
    // A Platt cross-validation fold: the training rows of fold 2 of 5, in the shuffled order fit() uses.
    const perm = shuffleInPlace(createRng(42), iota(y.length));
    const begin = Math.floor((2 * y.length) / 5);
    const end = Math.floor((3 * y.length) / 5);
    const rows = s.fold ? Int32Array.from([...perm.subarray(0, begin), ...perm.subarray(end)]) : iota(y.length);
    const o = { C: 1, gamma, eps: 1e-3, weight: s.weight ?? balancedClassWeight(y), shrinking: s.shrinking ?? true };
    const ours = ourTrain(kernel, y, rows, o);
    assertSameModel(ours, await libsvmTrain(Z, y, rows, o), `${s.symbol} ${s.trend}${s.fold ? ' fold' : ''}`);
    assert.ok(ours.svRows.length > 100 && ours.iterations > 1000, `${s.symbol}: a real problem (${ours.svRows.length} SVs, ${ours.iterations} iterations)`);
  }
});

test('edge cases match libsvm-js: duplicate rows (also with both labels), every alpha at a bound, n = 2', async () => {
  // Duplicates: kernel rows identical, a = K_ii + K_jj - 2K_ij = 0 for a duplicate pair (the tau branch).
  {
    const { Z, y } = synthetic(120, 3, 5);
    const dup = iota(40).map((i) => i * 3);
    const Zd = takeRows(Z, Int32Array.from([...iota(120), ...dup]));
    const yd = Uint8Array.from([...y, ...Array.from(dup, (r, k) => (k % 4 === 0 ? 1 - y[r]! : y[r]!))]);
    const o = { C: 1, gamma: 0.5, eps: 1e-3, weight: { 0: 1, 1: 1.2 }, shrinking: true };
    const rows = iota(160);
    assertSameModel(ourTrain(new KernelMatrix(Zd, o.gamma), yd, rows, o), await libsvmTrain(Zd, yd, rows, o), 'duplicates');
  }
  // Random labels and a tiny C: every alpha ends at its bound, so no variable is free and rho is the midpoint of the
  // interval its bounds allow. (50 positives at 3C and 150 negatives at C balance y·alpha exactly, C a power of 2.)
  {
    const rng = createRng(6);
    const Z = { nRows: 200, nCols: 3, data: Float64Array.from({ length: 600 }, () => rng() * 2 - 1) };
    const y = shuffleInPlace(rng, Uint8Array.from({ length: 200 }, (_, i) => (i < 50 ? 1 : 0)));
    const o = { C: 2 ** -10, gamma: 0.5, eps: 1e-3, weight: { 0: 1, 1: 3 }, shrinking: true };
    const ours = ourTrain(new KernelMatrix(Z, o.gamma), y, iota(200), o);
    assertSameModel(ours, await libsvmTrain(Z, y, iota(200), o), 'all at bounds');
    assert.equal(ours.svRows.length, 200);
    assert.ok(Array.from(ours.coef).every((c, v) => Math.abs(c) === o.C * o.weight[y[ours.svRows[v]!] as 0 | 1]), 'every alpha at its bound');
  }
  // Two points, one per class, in either order.
  for (const labels of [[0, 1], [1, 0]]) {
    const Z = { nRows: 2, nCols: 2, data: Float64Array.from([0.5, -1, -0.25, 0.75]) };
    const y = Uint8Array.from(labels);
    const o = { C: 1, gamma: 0.8, eps: 1e-3, weight: { 0: 1, 1: 1 }, shrinking: true };
    assertSameModel(ourTrain(new KernelMatrix(Z, o.gamma), y, iota(2), o), await libsvmTrain(Z, y, iota(2), o), `n = 2 ${labels}`);
  }
});

test('the row-cache kernel gives the dense kernel\'s solution, bit for bit', () => {
  const { Z, y, gamma } = realSet('BTC', 'downtrend');
  const n = y.length;
  const dense = new KernelMatrix(Z, gamma);
  const cached = new KernelMatrix(Z, gamma, 64 * n * 4); // 64 of ~2,900 rows
  assert.equal(cached.storage, 'rows');
  const rows = iota(n).filter((i) => i % 7 !== 3);
  const o = { C: 1, weight: balancedClassWeight(y), eps: 1e-3, shrinking: true };
  const a = trainBinarySvc(dense, y, rows, o);
  const b = trainBinarySvc(cached, y, rows, o);
  assert.deepEqual(b, a);
});

test('solveDual checks its input; one class is refused by trainBinarySvc', () => {
  const { Z } = synthetic(10, 2, 9);
  const kernel = new KernelMatrix(Z, 1);
  const problem = { kernel, rows: iota(4), y: Int8Array.from([1, -1, 1, -1]), Cp: 1, Cn: 1, eps: 1e-3, shrinking: true };
  assert.throws(() => solveDual({ ...problem, y: Int8Array.from([1, 0, 1, -1]) }), /expected \+1 or -1/);
  assert.throws(() => solveDual({ ...problem, rows: Int32Array.from([0, 1, 2, 10]) }), /outside the kernel/);
  assert.throws(() => solveDual({ ...problem, Cn: 0 }), /C must be positive/);
  assert.throws(() => trainBinarySvc(kernel, new Uint8Array(10), iota(10), { C: 1, weight: { 0: 1, 1: 1 }, eps: 1e-3, shrinking: true }), /only class 0/);
});

test('decision values from the kernel\'s wasm loop equal the fitted model\'s decisionFunction bit for bit', () => {
  const { Z, y } = synthetic(203, 4, 10);
  const kernel = new KernelMatrix(Z, 0.4);
  const m = trainBinarySvc(kernel, y, iota(150), { C: 1, weight: { 0: 1, 1: 1 }, eps: 1e-3, shrinking: true });
  const heldOut = Int32Array.from({ length: 53 }, (_, i) => 150 + i); // odd count: the last row pairs with itself
  const identity = { mean: new Array(4).fill(0), scale: new Array(4).fill(1) };
  const model = svm.fromJSON({
    kind: 'SupportVectorMachine', params: {},
    state: { scaler: identity, gamma: 0.4, supportVectors: Array.from(takeRows(Z, m.svRows).data), coef: Array.from(m.coef), rho: m.rho, plattA: -1, plattB: 0 },
  }) as ReturnType<typeof svm.create> & { decisionFunction(X: Matrix): Float64Array };
  assert.deepEqual(kernel.decisionValues(heldOut, m.svRows, m.coef, m.rho), model.decisionFunction(takeRows(Z, heldOut)));
  // No support vectors (a single-class fold): the constant -rho.
  assert.deepEqual(Array.from(kernel.decisionValues(heldOut.subarray(0, 3), new Int32Array(0), new Float64Array(0), -1)), [1, 1, 1]);
});

// ---- The fitted SupportVectorMachine against the previous libsvm-based one ---------------------------------------

/**
 * The previous SupportVectorMachine.fit, rebuilt from its pieces with libsvm-js as the solver: standardize, gamma
 * 'scale', balanced weights, libsvm on the whole set, and Platt scaling on 5-fold cross-validated decision values
 * (folds from the seeded RNG; decision values computed by the model's own decisionFunction, as the previous code
 * did). Returns the artifact state it would have saved.
 */
async function previousFit(X: Matrix, y: Uint8Array, seed: number): Promise<Record<string, unknown>> {
  const scaler = fitStandardizer(X, 'test');
  const Z = standardize(scaler, X, 'test');
  const gamma = scaleGamma(Z);
  const o = { C: 1, gamma, eps: 1e-3, weight: balancedClassWeight(y), shrinking: true };
  const expansion = async (rows: Int32Array) => {
    let positives = 0;
    for (const r of rows) positives += y[r]!;
    if (positives === 0 || positives === rows.length) return { svRows: new Int32Array(0), coef: [] as number[], rho: positives === 0 ? 1 : -1 };
    const m = await libsvmTrain(Z, y, rows, o);
    const sign = m.firstLabel === 1 ? 1 : -1;
    return { svRows: m.svRows, coef: Array.from(m.coef, (c) => c * sign), rho: m.rho * sign };
  };
  const state = (e: Awaited<ReturnType<typeof expansion>>, plattA: number, plattB: number) => ({
    scaler: standardizerToJSON(scaler), gamma, supportVectors: Array.from(takeRows(Z, e.svRows).data), coef: e.coef, rho: e.rho, plattA, plattB,
  });
  const n = y.length;
  const perm = shuffleInPlace(createRng(seed), iota(n));
  const dec = new Float64Array(n);
  for (let f = 0; f < 5; f++) {
    const begin = Math.floor((f * n) / 5);
    const end = Math.floor(((f + 1) * n) / 5);
    const heldOut = perm.subarray(begin, end);
    if (heldOut.length === 0) continue;
    const e = await expansion(Int32Array.from([...perm.subarray(0, begin), ...perm.subarray(end)]));
    const foldModel = svm.fromJSON({ kind: 'SupportVectorMachine', params: {}, state: state(e, -1, 0) }) as ReturnType<typeof svm.create> & { decisionFunction(X: Matrix): Float64Array };
    foldModel.decisionFunction(takeRows(X, heldOut)).forEach((v, k) => (dec[heldOut[k]!] = v));
  }
  const { A, B } = fitPlatt(dec, y);
  return state(await expansion(iota(n)), A, B);
}

test('the fitted SupportVectorMachine is the previous libsvm-based one: same state, decision values and probabilities', async () => {
  const real = realSet('ETH', 'uptrend');
  const cases: { name: string; X: Matrix; y: Uint8Array; probe: Matrix }[] = [
    { name: 'synthetic', ...ball(400, 3, 11), probe: ball(200, 3, 12).X },
    { name: 'ETH uptrend', X: real.X, y: real.y, probe: sliceRows(real.X, 0, 300) },
    // Nine negatives and one positive: the fold that holds out the positive trains on one class (constant decision).
    { name: 'single-class fold', X: ball(10, 2, 13).X, y: Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), probe: ball(20, 2, 14).X },
    { name: 'n = 2', X: { nRows: 2, nCols: 2, data: Float64Array.from([1, 2, -1, 0]) }, y: Uint8Array.from([1, 0]), probe: ball(20, 2, 15).X },
  ];
  for (const c of cases) {
    const ours = svm.create() as ReturnType<typeof svm.create> & { decisionFunction(X: Matrix): Float64Array };
    await ours.fit(c.X, c.y, { seed: 42 });
    const previousState = await previousFit(c.X, c.y, 42);
    assert.deepEqual(ours.toJSON().state, previousState, `${c.name}: artifact state`);
    const previous = svm.fromJSON({ kind: 'SupportVectorMachine', params: {}, state: previousState }) as typeof ours;
    assert.deepEqual(ours.decisionFunction(c.probe), previous.decisionFunction(c.probe), `${c.name}: decision values`);
    assert.deepEqual(ours.predictProba(c.probe), previous.predictProba(c.probe), `${c.name}: probabilities`);
  }
});
