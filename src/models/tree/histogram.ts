/**
 * Per-node histograms of the training rows, the data structure split finding reads.
 *
 * For each feature and bin a histogram holds four sums over the node's rows: G (gradient, or the weighted count
 * of class-1 rows for Gini trees), H (hessian, or the weighted row count for Gini trees), W (the row weight that
 * becomes the node's `cover`), and C (the unweighted row count, for min_samples_leaf). They are interleaved
 * (4 doubles per bin) so that one bin's sums sit in one cache line.
 *
 * Sibling subtraction: a parent's histogram equals the sum of its children's, so after a split only the smaller
 * child is built from its rows and the larger is parent - smaller, reusing the parent's buffer.
 */
import type { BinnedMatrix } from './binning.ts';

/** Doubles per bin: G, H, W, C. */
export const STATS = 4;

/** Per-row statistics, interleaved: g at [3i], h at [3i+1], w at [3i+2]. */
export type RowStats = Float64Array;

export interface HistogramLayout {
  /** Bin offset of each feature (feature f owns slots offsets[f] ... offsets[f+1]-1; the last is its missing bin). */
  readonly offsets: Int32Array;
  readonly totalBins: number;
}

export function histogramLayout(binned: BinnedMatrix): HistogramLayout {
  const offsets = new Int32Array(binned.nFeatures + 1);
  for (let f = 0; f < binned.nFeatures; f++) offsets[f + 1] = offsets[f]! + binned.nBins[f]! + 1;
  return { offsets, totalBins: offsets[binned.nFeatures]! };
}

/** Adds the rows[start, end) of every feature into `hist` (which must be zeroed). */
export function buildFullHistogram(
  hist: Float64Array, layout: HistogramLayout, binned: BinnedMatrix, stats: RowStats,
  rows: Int32Array, start: number, end: number,
): void {
  const nF = binned.nFeatures;
  const codes = binned.byRow;
  const offsets = layout.offsets;
  for (let k = start; k < end; k++) {
    const i = rows[k]!;
    const g = stats[3 * i]!;
    const h = stats[3 * i + 1]!;
    const w = stats[3 * i + 2]!;
    const rowBase = i * nF;
    for (let f = 0; f < nF; f++) {
      const o = (offsets[f]! + codes[rowBase + f]!) * STATS;
      hist[o] += g;
      hist[o + 1] += h;
      hist[o + 2] += w;
      hist[o + 3] += 1;
    }
  }
}

/**
 * Adds rows[start, end) of one feature into `hist` at that feature's slots (which must be zeroed) and returns the
 * lowest and highest non-missing bins seen (lo > hi when every row is missing), so callers scan and reset only that
 * range. Used when a node evaluates a few sampled features: building just those is cheaper than a full histogram.
 */
export function buildFeatureHistogram(
  hist: Float64Array, layout: HistogramLayout, binned: BinnedMatrix, stats: RowStats,
  rows: Int32Array, start: number, end: number, feature: number, range: Int32Array,
): void {
  const n = binned.nRows;
  const codes = binned.byFeature;
  const missing = binned.nBins[feature]!;
  const colBase = feature * n;
  const histBase = layout.offsets[feature]! * STATS;
  let lo = missing;
  let hi = -1;
  for (let k = start; k < end; k++) {
    const i = rows[k]!;
    const b = codes[colBase + i]!;
    if (b !== missing) {
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    const o = histBase + b * STATS;
    hist[o] += stats[3 * i]!;
    hist[o + 1] += stats[3 * i + 1]!;
    hist[o + 2] += stats[3 * i + 2]!;
    hist[o + 3] += 1;
  }
  range[0] = lo;
  range[1] = hi;
}

/** Zeroes one feature's bins lo..hi and its missing bin (undoing buildFeatureHistogram cheaply). */
export function clearFeatureHistogram(hist: Float64Array, layout: HistogramLayout, binned: BinnedMatrix, feature: number, lo: number, hi: number): void {
  const base = layout.offsets[feature]! * STATS;
  if (hi >= lo) hist.fill(0, base + lo * STATS, base + (hi + 1) * STATS);
  const m = base + binned.nBins[feature]! * STATS;
  hist.fill(0, m, m + STATS);
}

/** parent -= child, in place: the parent's buffer becomes the sibling's histogram. */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  for (let k = 0; k < parent.length; k++) parent[k] -= child[k]!;
}

/** Recycles histogram buffers: a tree needs a few at a time, and allocating 100 KB per node would dominate. */
export class HistogramPool {
  private readonly free: Float64Array[] = [];
  constructor(private readonly size: number) {}

  /** A zeroed buffer. */
  acquire(): Float64Array {
    const h = this.free.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(this.size);
  }

  release(h: Float64Array): void {
    this.free.push(h);
  }
}
