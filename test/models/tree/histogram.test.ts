import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binMatrix, fitBinMapper } from '../../../src/models/tree/binning.ts';
import {
  HistogramPool, STATS, buildFeatureHistogram, buildFullHistogram, clearFeatureHistogram, histogramLayout, subtractHistogram,
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
function naive(binned: ReturnType<typeof setup>['binned'], stats: Float64Array, rows: number[]) {
  const out = new Map<string, number[]>();
  for (const i of rows) {
    for (let f = 0; f < binned.nFeatures; f++) {
      const key = `${f}:${binned.byRow[i * binned.nFeatures + f]}`;
      const s = out.get(key) ?? [0, 0, 0, 0];
      s[0] += stats[3 * i]!;
      s[1] += stats[3 * i + 1]!;
      s[2] += stats[3 * i + 2]!;
      s[3] += 1;
      out.set(key, s);
    }
  }
  return out;
}

function slot(hist: Float64Array, layout: ReturnType<typeof histogramLayout>, f: number, code: number): number[] {
  const o = (layout.offsets[f]! + code) * STATS;
  return Array.from(hist.subarray(o, o + STATS));
}

test('histogram: layout gives each feature its value bins plus a missing bin', () => {
  const { binned, layout } = setup();
  for (let f = 0; f < 4; f++) assert.equal(layout.offsets[f + 1]! - layout.offsets[f]!, binned.nBins[f]! + 1);
  assert.equal(layout.totalBins, layout.offsets[4]);
});

test('histogram: full build equals row-by-row sums; parent - child = sibling (sibling subtraction)', () => {
  const { binned, layout, stats } = setup();
  const rows = Int32Array.from({ length: 500 }, (_, i) => i);
  const parent = new Float64Array(layout.totalBins * STATS);
  buildFullHistogram(parent, layout, binned, stats, rows, 0, 500);
  const want = naive(binned, stats, [...rows]);
  for (let f = 0; f < 4; f++) {
    for (let code = 0; code <= binned.nBins[f]!; code++) {
      const got = slot(parent, layout, f, code);
      const w = want.get(`${f}:${code}`) ?? [0, 0, 0, 0];
      for (let s = 0; s < STATS; s++) assert.ok(Math.abs(got[s]! - w[s]!) < 1e-9);
    }
  }
  // Children: rows 0..199 and 200..499.
  const small = new Float64Array(layout.totalBins * STATS);
  buildFullHistogram(small, layout, binned, stats, rows, 0, 200);
  const large = new Float64Array(layout.totalBins * STATS);
  buildFullHistogram(large, layout, binned, stats, rows, 200, 500);
  subtractHistogram(parent, small);
  for (let k = 0; k < parent.length; k++) {
    if (k % STATS === 3) assert.equal(parent[k], large[k], 'counts are exact');
    else assert.ok(Math.abs(parent[k]! - large[k]!) < 1e-9);
  }
});

test('histogram: a single feature build matches the full histogram and reports its occupied range', () => {
  const { binned, layout, stats } = setup();
  const rows = Int32Array.from({ length: 500 }, (_, i) => i);
  const full = new Float64Array(layout.totalBins * STATS);
  buildFullHistogram(full, layout, binned, stats, rows, 100, 160);
  const one = new Float64Array(layout.totalBins * STATS);
  const range = new Int32Array(2);
  for (let f = 0; f < 4; f++) {
    buildFeatureHistogram(one, layout, binned, stats, rows, 100, 160, f, range);
    let lo = Infinity;
    let hi = -Infinity;
    for (let code = 0; code <= binned.nBins[f]!; code++) {
      assert.deepEqual(slot(one, layout, f, code), slot(full, layout, f, code));
      if (code < binned.nBins[f]! && slot(full, layout, f, code)[3]! > 0) {
        lo = Math.min(lo, code);
        hi = Math.max(hi, code);
      }
    }
    assert.deepEqual([range[0], range[1]], [lo, hi]);
    clearFeatureHistogram(one, layout, binned, f, range[0]!, range[1]!);
    assert.ok(one.every((v) => v === 0), 'clearing resets the scratch buffer');
  }
});

test('histogram: the pool hands back zeroed buffers', () => {
  const pool = new HistogramPool(8);
  const a = pool.acquire();
  a.fill(3);
  pool.release(a);
  const b = pool.acquire();
  assert.equal(b, a, 'recycled');
  assert.ok(b.every((v) => v === 0));
});
