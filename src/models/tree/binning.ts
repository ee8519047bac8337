/**
 * Feature binning: the first step of every histogram tree model.
 *
 * Each feature's non-missing values are cut into at most `maxBins` (<= 255) bins by ascending bin edges learned
 * from the training data, the way scikit-learn's HistGradientBoosting does it:
 * - a feature with <= maxBins distinct values gets one bin per distinct value, edges at the midpoints between them;
 * - otherwise the edges are the (maxBins+1)-quantiles of the values (numpy's "midpoint" percentile), deduplicated.
 * Missing values (NaN) get one extra bin of their own, code `nBins[f]`, so every code fits in a Uint8Array
 * (at most 255 value bins + 1 missing bin = 256 codes).
 *
 * A value x falls in bin b = (number of edges strictly below x), so "bin <= b" is exactly "x <= edges[b]": a split
 * found on bins is stored with the real threshold edges[b] and prediction works on raw feature values.
 */
import type { Matrix } from '../matrix.ts';

export const MAX_BINS = 255;

export interface BinMapperOptions {
  /** Maximum number of bins for non-missing values (2..255). Default 255. */
  readonly maxBins?: number;
  /**
   * Merge neighbouring bins until each holds at least this many training rows (LightGBM's min_data_in_bin).
   * Default 1 (no merging, as in scikit-learn).
   */
  readonly minRowsPerBin?: number;
}

/** Learned bin edges, one ascending Float64Array per feature (nBins = edges.length + 1). */
export interface BinMapper {
  readonly edges: readonly Float64Array[];
}

/** A matrix mapped to bin codes, stored twice because the two hot loops read it in different orders. */
export interface BinnedMatrix {
  readonly nRows: number;
  readonly nFeatures: number;
  /** Number of non-missing bins of each feature; the missing-value bin of feature f has code nBins[f]. */
  readonly nBins: Int32Array;
  /** Feature-major codes: codes of feature f are byFeature[f*nRows ... (f+1)*nRows). */
  readonly byFeature: Uint8Array;
  /** Row-major codes: codes of row i are byRow[i*nFeatures ... (i+1)*nFeatures). */
  readonly byRow: Uint8Array;
  readonly mapper: BinMapper;
}

export function fitBinMapper(X: Matrix, options: BinMapperOptions = {}): BinMapper {
  const maxBins = options.maxBins ?? MAX_BINS;
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_BINS) {
    throw new Error(`fitBinMapper: maxBins must be an integer in [2, ${MAX_BINS}], got ${maxBins}`);
  }
  const minRows = options.minRowsPerBin ?? 1;
  const edges: Float64Array[] = [];
  const column = new Float64Array(X.nRows);
  for (let f = 0; f < X.nCols; f++) {
    let n = 0;
    for (let i = 0; i < X.nRows; i++) {
      const v = X.data[i * X.nCols + f]!;
      if (!Number.isNaN(v)) column[n++] = v;
    }
    const sorted = column.subarray(0, n).slice().sort();
    let e = featureEdges(sorted, maxBins);
    if (minRows > 1) e = mergeSmallBins(sorted, e, minRows);
    edges.push(e);
  }
  return { edges };
}

/** Edges for one feature from its sorted non-missing values. */
function featureEdges(sorted: Float64Array, maxBins: number): Float64Array {
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  if (distinct.length <= maxBins) {
    const out = new Float64Array(Math.max(0, distinct.length - 1));
    for (let i = 0; i < out.length; i++) out[i] = midpoint(distinct[i]!, distinct[i + 1]!);
    return out;
  }
  const out: number[] = [];
  const n = sorted.length;
  for (let k = 1; k < maxBins; k++) {
    // numpy.percentile(..., method="midpoint") at q = 100*k/maxBins
    const pos = (k / maxBins) * (n - 1);
    const v = (sorted[Math.floor(pos)]! + sorted[Math.ceil(pos)]!) / 2;
    if (out.length === 0 || v > out[out.length - 1]!) out.push(v);
  }
  return Float64Array.from(out);
}

function midpoint(a: number, b: number): number {
  const m = a + (b - a) / 2;
  // Guard against rounding putting the midpoint on b: x == b must fall in the upper bin.
  return m < b ? m : a;
}

/** Drops edges so that every bin (but a lone last one merged backwards) holds >= minRows training values. */
function mergeSmallBins(sorted: Float64Array, edges: Float64Array, minRows: number): Float64Array {
  const kept: number[] = [];
  let start = 0; // index in `sorted` of the first value of the bin being filled
  for (let b = 0; b < edges.length; b++) {
    const end = upperBound(sorted, edges[b]!); // values <= edge
    if (end - start >= minRows) {
      kept.push(edges[b]!);
      start = end;
    }
  }
  if (kept.length > 0 && sorted.length - start < minRows) kept.pop();
  return Float64Array.from(kept);
}

/** Index of the first element > x in an ascending array. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bin code of one value: the number of edges < x; NaN gets the missing-value bin, code edges.length + 1 (= nBins). */
export function binOf(edges: Float64Array, x: number): number {
  if (Number.isNaN(x)) return edges.length + 1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function binMatrix(mapper: BinMapper, X: Matrix): BinnedMatrix {
  const nF = mapper.edges.length;
  if (X.nCols !== nF) throw new Error(`binMatrix: matrix has ${X.nCols} columns, the bin mapper ${nF}`);
  const n = X.nRows;
  const nBins = Int32Array.from(mapper.edges, (e) => e.length + 1);
  const byFeature = new Uint8Array(n * nF);
  const byRow = new Uint8Array(n * nF);
  for (let f = 0; f < nF; f++) {
    const e = mapper.edges[f]!;
    for (let i = 0; i < n; i++) {
      const code = binOf(e, X.data[i * nF + f]!);
      byFeature[f * n + i] = code;
      byRow[i * nF + f] = code;
    }
  }
  return { nRows: n, nFeatures: nF, nBins, byFeature, byRow, mapper };
}

/**
 * The real-valued threshold of the split "bin <= b" of a feature: edges[b], or +Infinity when b is the last
 * non-missing bin (the split that separates missing values from all others).
 */
export function thresholdOf(mapper: BinMapper, feature: number, bin: number): number {
  const e = mapper.edges[feature]!;
  return bin < e.length ? e[bin]! : Infinity;
}
