/**
 * Per-node histograms of the training rows, the data structure split finding reads.
 *
 * For each feature and bin ("slot") a histogram holds three sums over the node's rows: G (gradient, or the weighted
 * count of class-1 rows for Gini trees), H (hessian, or the weighted row count for Gini trees) and C (the unweighted
 * row count, for min_samples_leaf). They are interleaved (3 doubles per slot) so that one slot's sums sit together.
 * There is no weight sum: a node's cover comes from the exact sums of the row partition (grower.ts), never from a
 * histogram, so summing W per slot would be work nobody reads.
 *
 * Sibling subtraction: a parent's histogram equals the sum of its children's, so after a split only the smaller
 * child is built from its rows and the larger is parent - smaller, reusing the parent's buffer.
 *
 * Occupancy: every histogram keeps a bitmap that covers its occupied slots (count > 0). Deep nodes hold a few rows
 * spread over ~4,400 slots, so scanning, subtracting and clearing only the slots of the bitmap, instead of every
 * slot, saves most of that work. It keeps results bit-identical to dense passes: the split scan skips slots with
 * count 0 (as a dense scan does), and subtracting a slot where the child is empty is x - 0 = x. A built histogram's
 * bitmap is exact; after a subtraction it may also cover slots the child emptied (count 0, possibly with a rounding
 * residue in G and H, which nothing reads: every descendant is empty there too, and clear() zeroes them).
 *
 * Every operation here has a WebAssembly version in kernel.ts, used when the histogram lives in the kernel's memory
 * (grower.ts puts them there). The JavaScript loops below are the reference the kernels are tested against, and the
 * fallback for histograms that do not fit in the kernel's memory.
 */
import type { BinnedMatrix } from './binning.ts';
import type { TreeKernel } from './kernel.ts';

/** Doubles per slot: G, H, C. */
export const STATS = 3;

/** Per-row statistics, interleaved: g at [3i], h at [3i+1], w at [3i+2]. Histograms read g and h. */
export type RowStats = Float64Array;

export interface HistogramLayout {
  /** Slot offset of each feature (feature f owns slots offsets[f] ... offsets[f+1]-1; the last is its missing bin). */
  readonly offsets: Int32Array;
  readonly totalBins: number;
  /**
   * Row-major slot of every value, slots[i*nF + f] = offsets[f] + code: a full histogram build reads one number per
   * value. Uint16 (what the kernel reads) unless there are more than 65,536 slots (over 256 features).
   */
  readonly slots: Uint16Array | Int32Array;
}

export function histogramLayout(binned: BinnedMatrix): HistogramLayout {
  const nF = binned.nFeatures;
  const offsets = new Int32Array(nF + 1);
  for (let f = 0; f < nF; f++) offsets[f + 1] = offsets[f]! + binned.nBins[f]! + 1;
  const totalBins = offsets[nF]!;
  const slots = totalBins <= 65536 ? new Uint16Array(binned.nRows * nF) : new Int32Array(binned.nRows * nF);
  const codes = binned.byRow;
  for (let k = 0; k < codes.length; k++) slots[k] = offsets[k % nF]! + codes[k]!;
  return { offsets, totalBins, slots };
}

/**
 * A histogram built from at least this fraction of totalBins values is cleared with fill(0): measured, filling the
 * whole buffer costs about as much as visiting a quarter of the slots through the bitmap.
 */
const DENSE_CLEAR_FRACTION = 0.25;

/** A node's histogram: STATS sums per slot and the bitmap of occupied slots (bit s of word s >> 5). */
export class Histogram {
  readonly sums: Float64Array;
  readonly occupied: Int32Array;
  /** Most slots are occupied (see DENSE_CLEAR_FRACTION): clear() fills the whole buffer. */
  dense = false;

  /** In the kernel's memory when it has room (so that the kernel can work on it), else ordinary arrays. */
  constructor(totalBins: number, kernel: TreeKernel | null = null) {
    const words = (totalBins + 31) >>> 5;
    const occupied = kernel?.i32(words) ?? null;
    const sums = occupied ? kernel!.f64(totalBins * STATS) : null;
    this.sums = sums ?? new Float64Array(totalBins * STATS);
    this.occupied = sums ? occupied! : new Int32Array(words);
  }

  /** Bytes a histogram of totalBins slots takes in the kernel's memory. */
  static bytes(totalBins: number): number {
    return Math.ceil((totalBins * STATS * 8) / 16) * 16 + Math.ceil((((totalBins + 31) >>> 5) * 4) / 16) * 16;
  }

  /** Zeroes the slots of the bitmap and the bitmap: O(occupied slots), not O(all slots), unless dense. */
  clear(kernel: TreeKernel | null = null): void {
    const { sums, occupied } = this;
    if (this.dense) {
      sums.fill(0);
      occupied.fill(0);
      this.dense = false;
    } else if (kernel?.holds(sums)) {
      kernel.clear(sums, occupied);
    } else {
      forEachBit(occupied, 0, occupied.length * 32, (s) => sums.fill(0, s * STATS, (s + 1) * STATS));
      occupied.fill(0);
    }
  }
}

/** Calls fn(bit) for each set bit among bits first .. first+n-1 of a bitmap, in ascending order. */
export function forEachBit(bitmap: Int32Array, first: number, n: number, fn: (bit: number) => void): void {
  if (n <= 0) return;
  const last = first + n - 1;
  for (let w = first >>> 5; w <= last >>> 5; w++) {
    const wordStart = w << 5;
    let bits = bitmap[w]!;
    if (wordStart < first) bits &= -1 << (first - wordStart);
    if (wordStart + 31 > last) bits &= -1 >>> (wordStart + 31 - last);
    for (; bits !== 0; bits &= bits - 1) fn(wordStart + 31 - Math.clz32(bits & -bits));
  }
}

/** Number of set bits among bits first .. first+n-1 of a bitmap. */
export function countBits(bitmap: Int32Array, first: number, n: number): number {
  let count = 0;
  forEachBit(bitmap, first, n, () => count++);
  return count;
}

/**
 * Adds rows[start, end) of every feature into `hist` (which must be clear), each slot receiving its rows in row
 * order. The bitmap is set while adding for nodes with fewer values than slots, and from the counts afterwards for
 * larger ones (where nearly every slot is hit); both give the same bitmap.
 */
export function buildHistogram(
  hist: Histogram, layout: HistogramLayout, nFeatures: number, stats: RowStats,
  rows: Int32Array, start: number, end: number, kernel: TreeKernel | null = null,
): void {
  const values = (end - start) * nFeatures;
  const sparse = values < layout.totalBins;
  if (kernel?.canBuild(rows, hist.sums)) {
    kernel.build(hist.sums, hist.occupied, start, end, sparse ? 'marking' : 'dense');
    if (!sparse) kernel.markOccupied(hist.sums, hist.occupied);
  } else {
    addRows(hist.sums, sparse ? hist.occupied : null, layout.slots, nFeatures, stats, rows, start, end, true);
    if (!sparse) markOccupied(hist);
  }
  hist.dense = values >= layout.totalBins * DENSE_CLEAR_FRACTION;
}

/**
 * The counts and bitmap of a histogram of every training row. They do not depend on the row statistics, so a
 * booster, whose every tree starts from all rows, records them once and each root histogram then sums only G and H
 * (a third less work on the largest histogram of the tree).
 */
export interface AllRowsCounts {
  readonly counts: Float64Array;
  readonly occupied: Int32Array;
}

/** Records the counts of `hist`, a histogram of every training row (built by buildHistogram). */
export function allRowsCounts(hist: Histogram): AllRowsCounts {
  const nSlots = hist.sums.length / STATS;
  const counts = new Float64Array(nSlots);
  for (let s = 0; s < nSlots; s++) counts[s] = hist.sums[s * STATS + 2]!;
  return { counts, occupied: hist.occupied.slice() };
}

/**
 * buildHistogram for rows[start, end) holding every training row (each once), given their counts: G and H are
 * summed in row order as buildHistogram does, and the counts and bitmap are copied.
 */
export function buildAllRowsHistogram(
  hist: Histogram, layout: HistogramLayout, nFeatures: number, stats: RowStats,
  rows: Int32Array, start: number, end: number, all: AllRowsCounts, kernel: TreeKernel | null = null,
): void {
  if (kernel?.canBuild(rows, hist.sums)) kernel.build(hist.sums, hist.occupied, start, end, 'gh');
  else addRows(hist.sums, null, layout.slots, nFeatures, stats, rows, start, end, false);
  const { sums } = hist;
  const counts = all.counts;
  for (let s = 0; s < counts.length; s++) sums[s * STATS + 2] = counts[s]!;
  hist.occupied.set(all.occupied);
  hist.dense = true;
}

/** The build loop: g, h (and 1 to the count, when `count`) of each row into its slot of every feature. */
function addRows(
  sums: Float64Array, occupied: Int32Array | null, slots: Uint16Array | Int32Array, nF: number, stats: RowStats,
  rows: Int32Array, start: number, end: number, count: boolean,
): void {
  for (let k = start; k < end; k++) {
    const i = rows[k]!;
    const g = stats[3 * i]!;
    const h = stats[3 * i + 1]!;
    for (let f = 0; f < nF; f++) {
      const s = slots[i * nF + f]!;
      sums[s * STATS] += g;
      sums[s * STATS + 1] += h;
      if (count) sums[s * STATS + 2] += 1;
      if (occupied) occupied[s >>> 5] |= 1 << (s & 31);
    }
  }
}

/** Sets the bitmap from the counts: bit s exactly when slot s has rows. */
export function markOccupied(hist: Histogram): void {
  const { sums, occupied } = hist;
  occupied.fill(0);
  for (let s = 0; s < sums.length / STATS; s++) if (sums[s * STATS + 2] !== 0) occupied[s >>> 5] |= 1 << (s & 31);
}

/**
 * parent -= child, in place: the parent's histogram becomes the sibling's. Only the child's occupied slots change
 * (elsewhere the child's sums are exactly 0, and x - 0 = x). The parent's bitmap is kept: a superset of the
 * sibling's occupied slots (see the file comment).
 */
export function subtractHistogram(parent: Histogram, child: Histogram, kernel: TreeKernel | null = null): void {
  const p = parent.sums;
  const c = child.sums;
  if (kernel?.holds(p) && kernel.holds(c)) {
    kernel.subtract(p, c, child.occupied);
    return;
  }
  forEachBit(child.occupied, 0, child.occupied.length * 32, (s) => {
    const o = s * STATS;
    p[o] -= c[o]!;
    p[o + 1] -= c[o + 1]!;
    p[o + 2] -= c[o + 2]!;
  });
}

/**
 * Adds rows[start, end) of the features features[from .. to-1] into the scratch sums at those features' slots
 * (which must be zero) and sets bit b of the feature's 8-word block of `marks` (block j - from for features[j],
 * zero on entry) for every occupied bin b, missing bin included. Used when a node evaluates a few sampled
 * features: building just those is cheaper than a full histogram.
 */
export function buildFeatureHistograms(
  sums: Float64Array, layout: HistogramLayout, binned: BinnedMatrix, stats: RowStats,
  rows: Int32Array, start: number, end: number, features: Int32Array, from: number, to: number, marks: Int32Array,
  kernel: TreeKernel | null = null,
): void {
  if (kernel?.canBuild(rows, sums) && kernel.holds(marks)) {
    kernel.buildFeatures(sums, marks, layout.offsets, start, end, features, from, to);
    return;
  }
  const codes = binned.byFeature;
  for (let j = from; j < to; j++) {
    const f = features[j]!;
    const base = layout.offsets[f]! * STATS;
    const block = (j - from) << 3;
    for (let k = start; k < end; k++) {
      const i = rows[k]!;
      const b = codes[f * binned.nRows + i]!;
      sums[base + b * STATS] += stats[3 * i]!;
      sums[base + b * STATS + 1] += stats[3 * i + 1]!;
      sums[base + b * STATS + 2] += 1;
      marks[block + (b >>> 5)] |= 1 << (b & 31);
    }
  }
}

/** Zeroes the marked bins of one feature (marks block `block`, as set by buildFeatureHistograms) and the marks. */
export function clearFeatureHistogram(
  sums: Float64Array, layout: HistogramLayout, feature: number, marks: Int32Array, block: number,
  kernel: TreeKernel | null = null,
): void {
  const first = layout.offsets[feature]!;
  if (kernel?.holds(sums) && kernel.holds(marks)) {
    kernel.clearFeature(sums, marks, first, block);
    return;
  }
  forEachBit(marks, block << 8, 256, (bit) => {
    const s = first + bit - (block << 8);
    sums.fill(0, s * STATS, (s + 1) * STATS);
  });
  marks.fill(0, block << 3, (block + 1) << 3);
}

/** Recycles histograms: a tree needs a few at a time, and allocating 100 KB per node would dominate. */
export class HistogramPool {
  private readonly free: Histogram[] = [];
  constructor(private readonly totalBins: number, private readonly kernel: TreeKernel | null = null) {}

  /** A clear histogram. */
  acquire(): Histogram {
    return this.free.pop() ?? new Histogram(this.totalBins, this.kernel);
  }

  /** Takes back a histogram, clearing it (in O(occupied slots)) for its next user. */
  release(h: Histogram): void {
    h.clear(this.kernel);
    this.free.push(h);
  }
}
