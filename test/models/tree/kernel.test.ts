/**
 * The WebAssembly kernels (src/models/tree/kernel.ts) against the JavaScript loops they replace: every fast path
 * must give bit-for-bit the same histograms, splits, partitions and trees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../../../src/models/rng.ts';
import { binMatrix, fitBinMapper } from '../../../src/models/tree/binning.ts';
import { GrowContext, type GrowerOptions, type GrownTree, growTree } from '../../../src/models/tree/grower.ts';
import {
  Histogram, STATS, allRowsCounts, buildAllRowsHistogram, buildFeatureHistograms, buildHistogram,
  clearFeatureHistogram, histogramLayout, subtractHistogram,
} from '../../../src/models/tree/histogram.ts';
import { TreeKernel } from '../../../src/models/tree/kernel.ts';
import { BestSplit, type SplitConstraints } from '../../../src/models/tree/split.ts';
import type { Matrix } from '../../../src/models/matrix.ts';
import { boosting, forest, noisy, withMissing } from './synthetic-data.ts';

/** Data with ties (few distinct values), missing values and a constant feature; random signed statistics. */
function data(n: number, nF: number, seed: number) {
  const { X } = noisy(n, nF, seed);
  const rounded = { ...X, data: X.data.map((v, k) => (k % nF === 1 ? Math.round(v * 3) : k % nF === 2 ? 0.5 : v)) };
  const Xm = withMissing(rounded, 0.05, seed + 1);
  const binned = binMatrix(fitBinMapper(Xm, { maxBins: 64 }), Xm);
  const layout = histogramLayout(binned);
  const rng = createRng(seed + 2);
  const stats = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    stats[3 * i] = rng() * 2 - 1;
    stats[3 * i + 1] = rng() * 0.25;
    stats[3 * i + 2] = 0.5 + rng();
  }
  return { binned, layout, stats };
}

function kernelFor(d: ReturnType<typeof data>): TreeKernel {
  const k = new TreeKernel(64 * Histogram.bytes(d.layout.totalBins) + 8 * d.binned.nRows * d.binned.nFeatures + 64 * d.binned.nRows);
  assert.ok(k.enableRows(d.layout.slots, d.binned.byFeature, d.binned.nFeatures, d.binned.nRows));
  return k;
}

function shuffled(rng: Rng, n: number): Int32Array {
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  for (let k = n - 1; k > 0; k--) {
    const j = Math.floor(rng() * (k + 1));
    [rows[k], rows[j]] = [rows[j]!, rows[k]!];
  }
  return rows;
}

function sameBits(a: Float64Array | Int32Array, b: Float64Array | Int32Array, what: string): void {
  assert.equal(a.length, b.length);
  for (let k = 0; k < a.length; k++) assert.ok(Object.is(a[k], b[k]), `${what}[${k}]: ${a[k]} vs ${b[k]}`);
}

test('kernel: histogram builds (sparse, dense, all-rows), subtraction and clearing equal the JavaScript loops', () => {
  const d = data(900, 7, 1);
  const k = kernelFor(d);
  const rng = createRng(4);
  const T = d.layout.totalBins;
  k.setStats(d.stats);
  const rows = shuffled(rng, 900);
  k.rows.set(rows);
  for (const [start, end] of [[0, 900], [10, 30], [100, 700], [0, 3]] as const) {
    const inKernel = new Histogram(T, k);
    const plain = new Histogram(T);
    assert.ok(k.holds(inKernel.sums) && !k.holds(plain.sums));
    buildHistogram(inKernel, d.layout, 7, d.stats, k.rows, start, end, k);
    buildHistogram(plain, d.layout, 7, d.stats, rows, start, end);
    sameBits(inKernel.sums, plain.sums, 'sums');
    sameBits(inKernel.occupied, plain.occupied, 'bitmap');
    // Subtract a child built on part of the rows, then clear.
    const childK = new Histogram(T, k);
    const childJ = new Histogram(T);
    const mid = start + Math.floor((end - start) / 3);
    buildHistogram(childK, d.layout, 7, d.stats, k.rows, start, mid, k);
    buildHistogram(childJ, d.layout, 7, d.stats, rows, start, mid);
    subtractHistogram(inKernel, childK, k);
    subtractHistogram(plain, childJ);
    sameBits(inKernel.sums, plain.sums, 'after subtraction');
    inKernel.dense = false;
    inKernel.clear(k);
    assert.ok(inKernel.sums.every((v) => v === 0) && inKernel.occupied.every((v) => v === 0));
  }
  const first = new Histogram(T);
  buildHistogram(first, d.layout, 7, d.stats, rows, 0, 900);
  const all = allRowsCounts(first);
  const viaK = new Histogram(T, k);
  const viaJ = new Histogram(T);
  buildAllRowsHistogram(viaK, d.layout, 7, d.stats, k.rows, 0, 900, all, k);
  buildAllRowsHistogram(viaJ, d.layout, 7, d.stats, rows, 0, 900, all);
  sameBits(viaK.sums, viaJ.sums, 'all-rows build');
});

test('kernel: sampled-feature builds (four at a time and single) and their clearing equal the JavaScript loops', () => {
  const d = data(700, 9, 2);
  const k = kernelFor(d);
  const rng = createRng(5);
  k.setStats(d.stats);
  const rows = shuffled(rng, 700);
  k.rows.set(rows);
  const T = d.layout.totalBins;
  const scratchK = k.f64(T * STATS)!;
  const marksK = k.i32(8 * 9)!;
  const scratchJ = new Float64Array(T * STATS);
  const marksJ = new Int32Array(8 * 9);
  const features = Int32Array.of(4, 1, 8, 0, 2, 7, 3);
  for (const [start, end, from, to] of [[0, 700, 0, 7], [50, 90, 2, 3], [0, 33, 0, 4]] as const) {
    buildFeatureHistograms(scratchK, d.layout, d.binned, d.stats, k.rows, start, end, features, from, to, marksK, k);
    buildFeatureHistograms(scratchJ, d.layout, d.binned, d.stats, rows, start, end, features, from, to, marksJ);
    sameBits(scratchK, scratchJ, 'scratch');
    sameBits(marksK, marksJ, 'marks');
    for (let j = from; j < to; j++) {
      clearFeatureHistogram(scratchK, d.layout, features[j]!, marksK, j - from, k);
      clearFeatureHistogram(scratchJ, d.layout, features[j]!, marksJ, j - from);
    }
    assert.ok(scratchK.every((v) => v === 0) && marksK.every((v) => v === 0));
  }
});

/**
 * Random histograms for the scans: sparse and dense occupancy, counts that tie, residue in emptied slots (count 0
 * with non-zero sums, as subtraction leaves), and gains that tie exactly (duplicated bins).
 */
function randomHistogram(rng: Rng, k: TreeKernel, nBins: number, occupancy: number): Histogram {
  const h = new Histogram(nBins + 1, k);
  assert.ok(k.holds(h.sums));
  const dup = rng() < 0.3;
  for (let b = 0; b < nBins; b++) {
    const r = rng();
    if (r < occupancy) {
      const src = dup && b > 0 && rng() < 0.5 ? b - 1 : b;
      const c = src === b ? 1 + Math.floor(rng() * 6) : h.sums[src * STATS + 2]!;
      h.sums[b * STATS] = src === b ? rng() * 4 - 2 : h.sums[src * STATS]!;
      h.sums[b * STATS + 1] = src === b ? (0.1 + rng()) * c : h.sums[src * STATS + 1]!;
      h.sums[b * STATS + 2] = c;
      h.occupied[b >>> 5] |= 1 << (b & 31);
    } else if (r < occupancy + 0.05) {
      h.sums[b * STATS] = 1e-17; // a residue next to a count of 0: covered by the bitmap, never a candidate
      h.occupied[b >>> 5] |= 1 << (b & 31);
    }
  }
  if (rng() < 0.4) {
    // Rows with a missing value: each threshold is also tried with them on the left.
    const c = 1 + Math.floor(rng() * 30);
    h.sums[nBins * STATS] = rng() * 4 - 2;
    h.sums[nBins * STATS + 1] = (0.1 + rng()) * c;
    h.sums[nBins * STATS + 2] = c;
  }
  return h;
}

test('kernel: split scans (dense walk, bitmap, missing values both ways) find the same split as the JavaScript scan', () => {
  const rng = createRng(6);
  const k = new TreeKernel(700 * Histogram.bytes(256));
  const constraints: SplitConstraints[] = [
    { criterion: 'newton', minSamplesLeaf: 1, minHessianLeaf: 1e-3, l2: 0 },
    { criterion: 'newton', minSamplesLeaf: 5, minHessianLeaf: 0.5, l2: 1.5 },
    { criterion: 'gini', minSamplesLeaf: 2, minHessianLeaf: 0, l2: 0 },
  ];
  let found = 0;
  let missingLeft = 0;
  for (let trial = 0; trial < 600; trial++) {
    const c = constraints[trial % 3]!;
    const nBins = 1 + Math.floor(rng() * 255);
    const h = randomHistogram(rng, k, nBins, [0.05, 0.4, 0.95][trial % 3]!);
    let G = 0, H = 0, C = 0;
    for (let b = 0; b <= nBins; b++) {
      G += h.sums[b * STATS]!;
      H += h.sums[b * STATS + 1]!;
      C += h.sums[b * STATS + 2]!;
    }
    const js = new BestSplit(c);
    const wasm = new BestSplit(c, k);
    // Both walks of the kernel: a node claiming few rows takes the bitmap, many rows the dense walk.
    for (const claimedC of [C, C + 10 * nBins]) {
      js.reset(G, H, claimedC);
      wasm.reset(G, H, claimedC);
      js.scanFeature(h.sums, 0, nBins, h.occupied, 0, 3);
      wasm.scanFeature(h.sums, 0, nBins, h.occupied, 0, 3);
      assert.deepEqual(
        [wasm.gain, wasm.feature, wasm.bin, wasm.leftC, wasm.missingLeft, wasm.sawMissing],
        [js.gain, js.feature, js.bin, js.leftC, js.missingLeft, js.sawMissing],
        `trial ${trial}`,
      );
      if (js.found) found++;
      if (js.missingLeft) missingLeft++;
    }
  }
  assert.ok(found > 400, `${found} scans found a split`);
  assert.ok(missingLeft > 20, `${missingLeft} splits sent missing values left`);
});

function growBoth(X: Matrix, stats: Float64Array, options: GrowerOptions, seed: number): [GrownTree, GrownTree] {
  const binned = binMatrix(fitBinMapper(X), X);
  const rows = Int32Array.from({ length: X.nRows }, (_, i) => (i * 17) % X.nRows);
  const withKernel = growTree(new GrowContext(binned), stats, rows.slice(), options, createRng(seed));
  const plain = growTree(new GrowContext(binned), stats, rows.slice(), { ...options, kernel: false }, createRng(seed));
  return [withKernel, plain];
}

test('kernel: trees grown with the kernels are bit-identical to the JavaScript loops (rows, sums, splits, values)', () => {
  const { X: X0, y } = noisy(2500, 8, 21);
  const X = withMissing(X0, 0.03, 22);
  const rng = createRng(23);
  const w = new Float64Array(2500).map(() => (rng() < 0.05 ? 0 : 0.3 + rng()));
  const gini = new Float64Array(3 * 2500);
  const newton = new Float64Array(3 * 2500);
  for (let i = 0; i < 2500; i++) {
    gini.set([w[i]! * y[i]!, w[i]!, w[i]!], 3 * i);
    const p = 0.2 + 0.6 * rng();
    newton.set([w[i]! * (p - y[i]!), w[i]! * p * (1 - p), w[i]!], 3 * i);
  }
  const cases: [Float64Array, GrowerOptions][] = [
    [newton, boosting],
    [newton, { ...boosting, maxLeaves: 63, minSamplesLeaf: 3, l2: 1 }],
    [newton, { ...boosting, histogramSubtraction: false }],
    [gini, forest],
    [gini, { ...forest, maxFeatures: 3 }],
    [gini, { ...forest, maxFeatures: 3, smallNodeRows: 0 }],
    [gini, { ...forest, maxFeatures: 5, smallNodeRows: 200 }],
    [gini, { ...forest, maxDepth: 1 }],
  ];
  cases.forEach(([stats, options], c) => {
    const [a, b] = growBoth(X, stats, options, 30 + c);
    assert.deepEqual(a.tree, b.tree, `case ${c}`);
    assert.deepEqual([a.rows, a.nodeStart, a.nodeEnd], [b.rows, b.nodeStart, b.nodeEnd], `case ${c}`);
    assert.ok(a.tree.left.length >= 3, `case ${c} grew a tree`);
  });
});

test('kernel: a context whose memory is full falls back to ordinary arrays, with the same trees', () => {
  const { X, y } = noisy(600, 5, 41);
  const w = new Float64Array(600).fill(1);
  const stats = new Float64Array(3 * 600);
  for (let i = 0; i < 600; i++) stats.set([w[i]! * (0.5 - y[i]!), 0.25, 1], 3 * i);
  const binned = binMatrix(fitBinMapper(X), X);
  const ctx = new GrowContext(binned);
  // Exhaust the kernel's memory: later pooled histograms are ordinary arrays.
  while (ctx.kernel.f64(64)) { /* fill */ }
  const h = ctx.pool.acquire();
  assert.ok(!ctx.kernel.holds(h.sums));
  ctx.pool.release(h);
  const rows = Int32Array.from({ length: 600 }, (_, i) => i);
  const full = growTree(ctx, stats, rows.slice(), { ...boosting, maxLeaves: 15 });
  const plain = growTree(new GrowContext(binned), stats, rows.slice(), { ...boosting, maxLeaves: 15, kernel: false });
  assert.deepEqual(full.tree, plain.tree);
});
