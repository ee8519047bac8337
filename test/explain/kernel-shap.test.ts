import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelShap, sampleCoalitions, summarizeBackground } from '../../src/explain/kernel-shap.ts';
import type { Matrix } from '../../src/models/matrix.ts';
import { createRng } from '../../src/models/rng.ts';

function randomMatrix(n: number, d: number, seed: number): Matrix {
  const rng = createRng(seed);
  return { nRows: n, nCols: d, data: Float64Array.from({ length: n * d }, () => rng() * 2 - 1) };
}

/** A model given per row. */
const rowModel = (f: (x: Float64Array) => number) => (X: Matrix): Float64Array => {
  const out = new Float64Array(X.nRows);
  for (let i = 0; i < X.nRows; i++) out[i] = f(X.data.subarray(i * X.nCols, (i + 1) * X.nCols));
  return out;
};

/** A non-linear model with interactions, a logistic output, and one unused feature (index 4). */
const nonlinear = rowModel((x) => 1 / (1 + Math.exp(-(x[0]! * x[1]! * 2 + Math.sin(3 * x[2]!) + x[3]! ** 2 - x[5]! + 0.3 * x[0]! * x[6]!))));

/** Brute-force Shapley values of v(S) = mean_b f(x_S, b_rest), enumerating all 2^M coalitions. */
function exactShapley(f: (X: Matrix) => Float64Array, x: Float64Array, bg: Matrix): Float64Array {
  const M = x.length;
  const value = new Float64Array(2 ** M);
  for (let S = 0; S < 2 ** M; S++) {
    const data = Float64Array.from(bg.data);
    for (let b = 0; b < bg.nRows; b++) for (let j = 0; j < M; j++) if (S & (1 << j)) data[b * M + j] = x[j]!;
    value[S] = f({ nRows: bg.nRows, nCols: M, data }).reduce((a, c) => a + c, 0) / bg.nRows;
  }
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Float64Array(M);
  for (let j = 0; j < M; j++) {
    for (let S = 0; S < 2 ** M; S++) {
      if (S & (1 << j)) continue;
      let size = 0;
      for (let k = 0; k < M; k++) if (S & (1 << k)) size++;
      phi[j] += ((fact(size) * fact(M - size - 1)) / fact(M)) * (value[S | (1 << j)]! - value[S]!);
    }
  }
  return phi;
}

test('local accuracy: the values of a row plus the expected value equal f(x)', () => {
  const X = randomMatrix(20, 19, 1);
  const bg = randomMatrix(15, 19, 2);
  const { values, expectedValue } = kernelShap(nonlinear, X, bg, { seed: 1, nSamples: 500 });
  const fx = nonlinear(X);
  const fBg = nonlinear(bg);
  assert.ok(Math.abs(expectedValue - fBg.reduce((a, b) => a + b, 0) / 15) < 1e-12);
  for (let i = 0; i < 20; i++) {
    let s = expectedValue;
    for (let j = 0; j < 19; j++) s += values[i * 19 + j]!;
    assert.ok(Math.abs(s - fx[i]!) < 1e-6, `row ${i}: ${s} vs ${fx[i]}`);
  }
});

test('a linear model gets w_j·(x_j − mean_j) exactly, with sampling too', () => {
  const d = 19;
  const rng = createRng(3);
  const w = Float64Array.from({ length: d }, () => rng() * 4 - 2);
  const linear = rowModel((x) => x.reduce((s, v, j) => s + w[j]! * v, 0.7));
  const X = randomMatrix(10, d, 4);
  const bg = randomMatrix(30, d, 5);
  const mean = new Float64Array(d);
  for (let b = 0; b < 30; b++) for (let j = 0; j < d; j++) mean[j] += bg.data[b * d + j]! / 30;
  const { values } = kernelShap(linear, X, bg, { seed: 1 }); // default budget: 2^19 coalitions are sampled
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < d; j++) {
      const expected = w[j]! * (X.data[i * d + j]! - mean[j]!);
      assert.ok(Math.abs(values[i * d + j]! - expected) < 1e-9, `row ${i} feature ${j}: ${values[i * d + j]} vs ${expected}`);
    }
  }
});

test('with a budget covering all coalitions the values are the exact Shapley values', () => {
  const d = 7;
  const X = randomMatrix(3, d, 6);
  const bg = randomMatrix(8, d, 7);
  const { values } = kernelShap(nonlinear, X, bg, { seed: 1, nSamples: 2 ** d });
  for (let i = 0; i < 3; i++) {
    const exact = exactShapley(nonlinear, X.data.subarray(i * d, (i + 1) * d), bg);
    for (let j = 0; j < d; j++) assert.ok(Math.abs(values[i * d + j]! - exact[j]!) < 1e-9, `row ${i} feature ${j}: ${values[i * d + j]} vs ${exact[j]}`);
  }
});

test('with a sampled budget the values stay close to the exact ones', () => {
  const d = 7;
  const X = randomMatrix(3, d, 8);
  const bg = randomMatrix(8, d, 9);
  const { values } = kernelShap(nonlinear, X, bg, { seed: 2, nSamples: 60 }); // 60 of 126 coalitions
  for (let i = 0; i < 3; i++) {
    const exact = exactShapley(nonlinear, X.data.subarray(i * d, (i + 1) * d), bg);
    for (let j = 0; j < d; j++) assert.ok(Math.abs(values[i * d + j]! - exact[j]!) < 0.02, `row ${i} feature ${j}`);
  }
});

test('dummy and symmetry: an unused feature gets 0, interchangeable features get equal values', () => {
  const d = 6;
  // f is symmetric in features 0 and 1; feature 4 is unused.
  const f = rowModel((x) => Math.tanh(x[0]! * x[1]! + x[0]! + x[1]!) + x[2]! * x[3]! + x[5]!);
  const x = Float64Array.of(0.3, 0.3, -0.2, 0.9, 0.5, -0.4);
  const bgRng = createRng(10);
  const bgData = new Float64Array(10 * d);
  for (let b = 0; b < 10; b++) {
    const v = bgRng() * 2 - 1;
    // Background symmetric in features 0 and 1 too (each row's pair also appears swapped).
    bgData.set([v, -v, bgRng(), bgRng(), bgRng(), bgRng()], b * d);
    if (b % 2 === 1) [bgData[b * d], bgData[b * d + 1]] = [bgData[(b - 1) * d + 1]!, bgData[(b - 1) * d]!];
  }
  const bg = { nRows: 10, nCols: d, data: bgData };
  const { values } = kernelShap(f, { nRows: 1, nCols: d, data: x }, bg, { seed: 1 });
  assert.ok(Math.abs(values[4]!) < 1e-12, `dummy feature got ${values[4]}`);
  assert.ok(Math.abs(values[0]! - values[1]!) < 1e-12, `symmetric features got ${values[0]} and ${values[1]}`);
  // A feature equal to its value in every background row is left out and gets exactly 0.
  const flat = { nRows: 10, nCols: d, data: Float64Array.from(bgData) };
  for (let b = 0; b < 10; b++) flat.data[b * d + 2] = x[2]!;
  assert.equal(kernelShap(f, { nRows: 1, nCols: d, data: x }, flat, { seed: 1 }).values[2], 0);
});

test('the same seed gives the same values; another seed other samples', () => {
  const X = randomMatrix(5, 19, 11);
  const bg = randomMatrix(10, 19, 12);
  const a = kernelShap(nonlinear, X, bg, { seed: 5, nSamples: 300 });
  assert.deepEqual(kernelShap(nonlinear, X, bg, { seed: 5, nSamples: 300 }).values, a.values);
  assert.notDeepEqual(kernelShap(nonlinear, X, bg, { seed: 6, nSamples: 300 }).values, a.values);
});

test('rows explained in chunks (with rowOffset) get exactly the values of explaining them all at once', () => {
  const X = randomMatrix(7, 19, 21);
  const bg = randomMatrix(8, 19, 22);
  const whole = kernelShap(nonlinear, X, bg, { seed: 9, nSamples: 200 });
  const d = 19;
  const head = kernelShap(nonlinear, { nRows: 3, nCols: d, data: X.data.subarray(0, 3 * d) }, bg, { seed: 9, nSamples: 200 });
  const tail = kernelShap(nonlinear, { nRows: 4, nCols: d, data: X.data.subarray(3 * d) }, bg, { seed: 9, nSamples: 200, rowOffset: 3 });
  assert.deepEqual(Float64Array.from([...head.values, ...tail.values]), whole.values);
  assert.equal(head.expectedValue, whole.expectedValue);
  // Without the offset the tail rows would reuse rows 0-3's coalitions: different values.
  const wrong = kernelShap(nonlinear, { nRows: 4, nCols: d, data: X.data.subarray(3 * d) }, bg, { seed: 9, nSamples: 200 });
  assert.notDeepEqual(wrong.values, tail.values);
  assert.throws(() => kernelShap(nonlinear, X, bg, { seed: 1, rowOffset: -1 }), /rowOffset/);
});

test('the model is called on large batches of coalitions, not once per coalition', () => {
  const batchSizes: number[] = [];
  const counted = (X: Matrix) => {
    batchSizes.push(X.nRows);
    return nonlinear(X);
  };
  kernelShap(counted, randomMatrix(4, 19, 13), randomMatrix(20, 19, 14), { seed: 1 });
  // 2 calls for the background and the rows, then per row 2086 coalitions x 20 background rows in a few chunks.
  assert.equal(batchSizes.slice(2).reduce((a, b) => a + b, 0), 4 * 2086 * 20);
  assert.ok(batchSizes.length <= 2 + 4 * 8, `${batchSizes.length} model calls for 4 rows`);
});

test('the coalition design enumerates small and large sizes fully and respects the budget', () => {
  const design = sampleCoalitions(19, 2 * 19 + 2048, createRng(1));
  assert.equal(design.count, 2 * 19 + 2048);
  const sizes = new Map<number, number>();
  for (let c = 0; c < design.count; c++) {
    let s = 0;
    for (let j = 0; j < 19; j++) s += design.masks[c * 19 + j]!;
    assert.ok(s > 0 && s < 19, 'never the empty or the full coalition');
    sizes.set(s, (sizes.get(s) ?? 0) + 1);
  }
  assert.equal(sizes.get(1), 19);
  assert.equal(sizes.get(18), 19);
  assert.equal(sizes.get(2), 171);
  assert.equal(sizes.get(17), 171);
  assert.ok(Math.abs(design.weights.reduce((a, b) => a + b, 0) - 1) < 1e-9, 'weights sum to the kernel mass 1');
  const small = sampleCoalitions(4, 1000, createRng(1));
  assert.equal(small.count, 14, 'a budget beyond 2^M − 2 enumerates every coalition once');
});

test('summarizeBackground draws a seeded sample of distinct rows', () => {
  const X: Matrix = { nRows: 500, nCols: 2, data: Float64Array.from({ length: 1000 }, (_, k) => Math.floor(k / 2)) };
  const a = summarizeBackground(X, { size: 50, seed: 3 });
  assert.equal(a.nRows, 50);
  const ids = new Set(Array.from({ length: 50 }, (_, i) => a.data[i * 2]!));
  assert.equal(ids.size, 50);
  assert.deepEqual(summarizeBackground(X, { size: 50, seed: 3 }), a);
  assert.notDeepEqual(summarizeBackground(X, { size: 50, seed: 4 }).data, a.data);
  assert.equal(summarizeBackground(X, { size: 600, seed: 3 }).nRows, 500);
  assert.throws(() => summarizeBackground(X, { size: 0, seed: 1 }), /size must be a positive integer/);
});

test('input errors are reported', () => {
  assert.throws(() => kernelShap(nonlinear, randomMatrix(1, 3, 1), randomMatrix(2, 4, 1), { seed: 1 }), /background has 4 features/);
  assert.throws(() => kernelShap(() => new Float64Array(1), randomMatrix(2, 3, 1), randomMatrix(2, 3, 1), { seed: 1 }), /returned 1 outputs for 2 rows/);
});
