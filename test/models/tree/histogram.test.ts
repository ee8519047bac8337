import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binMatrix, fitBinMapper } from '../../../src/models/tree/binning.ts';
import {
  Histogram, HistogramPool, STATS, allRowsCounts, buildAllRowsHistogram, buildFeatureHistograms, buildHistogram,
  clearFeatureHistogram, countBits, histogramLayout, markOccupied, subtractHistogram,
} from '../../../src/models/tree/histogram.ts';
import { createRng } from '../../../src/models/rng.ts';
import { withMissing, noisy } from './synthetic-data.ts';

function setup() {
  const { X } = noisy(500, 4, 1);
  const Xm = withMissing(X, 0.1, 2);
  const binned = binMatrix(fitBinMapper(Xm, { maxBins: 32 }), Xm);
  const layout = histogramLayout(binned);
  const rng = createRng(3);
  const stats = new Float64Array(3 * 500).map(() => rng() * 2 - 0.5);
  return { binned, layout, stats };
}

/** Reference: sums computed row by row into a map keyed by (feature, code). */
function naive(binned: ReturnType<typeof setup>['binned'], stats: Float64Array, rows: ArrayLike<number>) {
  const out = new Map<string, number[]>();
  for (const i of Array.from(rows)) {
    for (let f = 0; f < binned.nFeatures; f++) {
      const key = `${f}:${binned.byRow[i * binned.nFeatures + f]}`;
      const s = out.get(key) ?? [0, 0, 0];
      s[0] += stats[3 * i]!;
      s[1] += stats[3 * i + 1]!;
      s[2] += 1;
      out.set(key, s);
    }
  }
  return out;
}

function slot(hist: Float64Array, layout: ReturnType<typeof histogramLayout>, f: number, code: number): number[] {
  const o = (layout.offsets[f]! + code) * STATS;
  return Array.from(hist.subarray(o, o + STATS));
}

/** The slots whose count is positive, as a bitmap. */
function occupancy(h: Histogram): number[] {
  const bits: number[] = [];
  for (let s = 0; s < h.sums.length / STATS; s++) if (h.sums[s * STATS + 2]! > 0) bits.push(s);
  return bits;
}

function bitsOf(bitmap: Int32Array, n: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < n; s++) if (bitmap[s >>> 5]! & (1 << (s & 31))) out.push(s);
  return out;
}

test('histogram: layout gives each feature its value bins plus a missing bin; slots are offset + code', () => {
  const { binned, layout } = setup();
  for (let f = 0; f < 4; f++) assert.equal(layout.offsets[f + 1]! - layout.offsets[f]!, binned.nBins[f]! + 1);
  assert.equal(layout.totalBins, layout.offsets[4]);
  assert.ok(layout.slots instanceof Uint16Array);
  for (let k = 0; k < layout.slots.length; k++) assert.equal(layout.slots[k], layout.offsets[k % 4]! + binned.byRow[k]!);
});

test('histogram: a build equals row-by-row sums, its bitmap is exactly the occupied slots (sparse and dense builds)', () => {
  const { binned, layout, stats } = setup();
  const rows = Int32Array.from({ length: 500 }, (_, i) => i);
  // 10 rows x 4 features < totalBins: the bitmap is set while adding; 500 rows: from the counts afterwards.
  for (const [start, end] of [[0, 10], [0, 500], [37, 240]] as const) {
    const h = new Histogram(layout.totalBins);
    buildHistogram(h, layout, 4, stats, rows, start, end);
    const want = naive(binned, stats, rows.subarray(start, end));
    for (let f = 0; f < 4; f++) {
      for (let code = 0; code <= binned.nBins[f]!; code++) {
        const got = slot(h.sums, layout, f, code);
        const w = want.get(`${f}:${code}`) ?? [0, 0, 0];
        for (let s = 0; s < STATS; s++) assert.ok(Math.abs(got[s]! - w[s]!) < 1e-9);
      }
    }
    assert.deepEqual(bitsOf(h.occupied, layout.totalBins), occupancy(h));
  }
});

test('histogram: parent - child = sibling (sibling subtraction); the bitmap covers the sibling\'s slots', () => {
  const { layout, stats } = setup();
  const rows = Int32Array.from({ length: 500 }, (_, i) => i);
  const parent = new Histogram(layout.totalBins);
  buildHistogram(parent, layout, 4, stats, rows, 0, 500);
  const small = new Histogram(layout.totalBins);
  buildHistogram(small, layout, 4, stats, rows, 0, 40);
  const large = new Histogram(layout.totalBins);
  buildHistogram(large, layout, 4, stats, rows, 40, 500);
  subtractHistogram(parent, small);
  for (let k = 0; k < parent.sums.length; k++) {
    if (k % STATS === 2) assert.equal(parent.sums[k], large.sums[k], 'counts are exact');
    else assert.ok(Math.abs(parent.sums[k]! - large.sums[k]!) < 1e-9);
  }
  const covered = new Set(bitsOf(parent.occupied, layout.totalBins));
  for (const s of occupancy(large)) assert.ok(covered.has(s), `slot ${s}`);
});

test('histogram: clear() zeroes every slot and bit, sparse or dense, including residues left by subtraction', () => {
  const { layout, stats } = setup();
  const rows = Int32Array.from({ length: 500 }, (_, i) => i);
  for (const n of [12, 500]) {
    const h = new Histogram(layout.totalBins);
    buildHistogram(h, layout, 4, stats, rows, 0, n);
    const child = new Histogram(layout.totalBins);
    buildHistogram(child, layout, 4, stats, rows, 0, 5);
    subtractHistogram(h, child);
    h.clear();
    assert.ok(h.sums.every((v) => v === 0));
    assert.ok(h.occupied.every((v) => v === 0));
  }
});

test('histogram: the all-rows build (counts recorded once) equals a plain build', () => {
  const { layout, stats } = setup();
  const rows = Int32Array.from({ length: 500 }, (_, i) => (i * 7) % 500);
  const plain = new Histogram(layout.totalBins);
  buildHistogram(plain, layout, 4, stats, rows, 0, 500);
  const all = allRowsCounts(plain);
  const rng = createRng(9);
  const stats2 = stats.map(() => rng());
  const viaCounts = new Histogram(layout.totalBins);
  buildAllRowsHistogram(viaCounts, layout, 4, stats2, rows, 0, 500, all);
  const direct = new Histogram(layout.totalBins);
  buildHistogram(direct, layout, 4, stats2, rows, 0, 500);
  assert.deepEqual(viaCounts.sums, direct.sums);
  assert.deepEqual(viaCounts.occupied, direct.occupied);
});

test('histogram: sampled features build like the full histogram, mark exactly their occupied bins, and clear', () => {
  const { binned, layout, stats } = setup();
  const rows = Int32Array.from({ length: 500 }, (_, i) => i);
  const full = new Histogram(layout.totalBins);
  buildHistogram(full, layout, 4, stats, rows, 100, 160);
  const scratch = new Float64Array(layout.totalBins * STATS);
  const marks = new Int32Array(8 * 4);
  const features = Int32Array.of(2, 0, 3);
  buildFeatureHistograms(scratch, layout, binned, stats, rows, 100, 160, features, 0, 3, marks);
  features.forEach((f, block) => {
    for (let code = 0; code <= binned.nBins[f]!; code++) {
      assert.deepEqual(slot(scratch, layout, f, code), slot(full.sums, layout, f, code));
      const marked = (marks[(block << 3) + (code >>> 5)]! & (1 << (code & 31))) !== 0;
      assert.equal(marked, slot(full.sums, layout, f, code)[2]! > 0);
    }
    assert.equal(countBits(marks, block << 8, 256), occupancy(full).filter((s) => s >= layout.offsets[f]! && s < layout.offsets[f + 1]!).length);
  });
  features.forEach((f, block) => clearFeatureHistogram(scratch, layout, f, marks, block));
  assert.ok(scratch.every((v) => v === 0), 'clearing resets the scratch buffer');
  assert.ok(marks.every((v) => v === 0));
});

test('histogram: markOccupied and countBits', () => {
  const { layout, stats } = setup();
  const rows = Int32Array.from({ length: 500 }, (_, i) => i);
  const h = new Histogram(layout.totalBins);
  buildHistogram(h, layout, 4, stats, rows, 0, 30);
  const sparse = h.occupied.slice();
  markOccupied(h);
  assert.deepEqual(h.occupied, sparse);
  assert.equal(countBits(h.occupied, 0, layout.totalBins), occupancy(h).length);
  assert.equal(countBits(Int32Array.of(-1, -1), 5, 40), 40);
  assert.equal(countBits(Int32Array.of(0b1011), 1, 2), 1);
});

test('histogram: the pool hands back cleared histograms', () => {
  const pool = new HistogramPool(40);
  const a = pool.acquire();
  a.sums.fill(3);
  a.occupied.fill(-1);
  pool.release(a);
  const b = pool.acquire();
  assert.equal(b, a, 'recycled');
  assert.ok(b.sums.every((v) => v === 0));
  assert.ok(b.occupied.every((v) => v === 0));
});
