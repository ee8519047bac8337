/**
 * Best-split search over one feature's histogram.
 *
 * Two criteria share the scan:
 * - 'gini' (RandomForest, AdaBoost stumps): G is the weighted count of class-1 rows, H the weighted row count.
 *   The decrease of weighted Gini impurity, H*gini(node) - H_L*gini(L) - H_R*gini(R) with H*gini = H - 2G + 2G^2/H,
 *   is 2 * (G_L^2/H_L + G_R^2/H_R - G^2/H): the same expression as Newton's with l2 = 0, so both share one scan
 *   (the recorded gain is half the impurity decrease).
 * - 'newton' (gradient boosting): G, H are sums of gradients and hessians; gain = G_L^2/(H_L+l2) +
 *   G_R^2/(H_R+l2) - G^2/(H+l2) (the second-order loss decrease, up to a factor 1/2).
 * The two child terms are evaluated over one common denominator, (G_L^2*H_R' + G_R^2*H_L') / (H_L'*H_R'): one
 * division per candidate in the hottest loop of the engine.
 *
 * Missing values: when the node has rows in the missing bin, each threshold is tried with them on the left and on
 * the right (and the split "all values left, missing right"); otherwise missing values of future rows follow the
 * child with more training rows, as scikit-learn does.
 *
 * Bins are scanned left to right, skipping empty ones (count 0), and a candidate replaces the best only when
 * strictly better, so ties keep the lowest feature (in examination order) and the lowest bin: the result is
 * deterministic.
 *
 * The scans run in WebAssembly (kernel.ts) for histograms in the kernel's memory, with the same operations in the
 * same order; the JavaScript loop below is their reference, and the fallback for other histograms.
 */
import { STATS, forEachBit } from './histogram.ts';
import type { TreeKernel } from './kernel.ts';

export type Criterion = 'gini' | 'newton';

export interface SplitConstraints {
  readonly criterion: Criterion;
  /** Minimum unweighted rows in each child. */
  readonly minSamplesLeaf: number;
  /** Minimum hessian sum in each child ('newton' only). */
  readonly minHessianLeaf: number;
  /** L2 regularisation of leaf values ('newton' only). */
  readonly l2: number;
}

/**
 * Nodes with at least this many rows per bin of a feature have nearly every bin occupied: the kernel walks all the
 * bins (skipping empty ones) rather than extracting the bitmap's bits. Both visit the same bins.
 */
const DENSE_ROWS_PER_BIN = 2;

/** Mutable best-split record for one node; reset() before scanning the node's features. */
export class BestSplit {
  gain = -Infinity;
  feature = -1;
  bin = -1;
  missingLeft = false;
  /** Whether the node had rows with a missing value of the chosen feature (else missingLeft is decided later). */
  sawMissing = false;
  /** Rows sent left by the best split (the partition checks it). */
  leftC = 0;
  // The node's totals and score, and the constraints, as doubles.
  private G = 0;
  private H = 0;
  private C = 0;
  private parentScore = 0;
  private readonly l2: number;
  private readonly minLeaf: number;
  private readonly minHess: number;

  /** @param kernel the WebAssembly scans (kernel.ts), used for histograms in its memory; null: JavaScript only. */
  constructor(private readonly c: SplitConstraints, private readonly kernel: TreeKernel | null = null) {
    const gini = c.criterion === 'gini';
    this.l2 = gini ? 0 : c.l2;
    this.minLeaf = c.minSamplesLeaf;
    // Both children need positive hessian (weight) sums; boosting also needs them >= minHessianLeaf.
    this.minHess = gini ? Number.MIN_VALUE : Math.max(c.minHessianLeaf, Number.MIN_VALUE);
  }

  reset(G: number, H: number, C: number): void {
    this.G = G;
    this.H = H;
    this.C = C;
    this.parentScore = this.score(G, H);
    this.kernel?.node(G, H, C, this.parentScore, this.l2, this.minLeaf, this.minHess);
    this.feature = -1;
    this.bin = -1;
    this.missingLeft = false;
    // Gini trees take the best valid split even at zero gain (scikit-learn's splitter); boosting needs gain > 0.
    this.gain = this.c.criterion === 'gini' ? -Infinity : 0;
  }

  get found(): boolean {
    return this.feature >= 0;
  }

  /** A node's term G^2/(H+l2) (l2 = 0 for Gini); see the file comment. */
  score(g: number, h: number): number {
    const d = h + this.l2;
    return d > 0 ? (g * g) / d : 0;
  }

  /**
   * Scans one feature whose slots start at `base` in `sums` (missing bin at base + nBins*STATS), visiting only its
   * occupied non-missing bins: bin b is occupied when bit firstBit + b of `occupied` is set (a superset of the bins
   * with rows; the others are empty and add no candidate). Bins are visited in ascending order, as a dense scan
   * would. `binOfSlot`, when given, maps slot b to the feature's real bin code (for compacted histograms of small
   * nodes, whose slots are all occupied).
   */
  scanFeature(
    sums: Float64Array, base: number, nBins: number, occupied: Int32Array, firstBit: number, feature: number,
    binOfSlot: Int32Array | null = null,
  ): void {
    if (nBins <= 0) return;
    const kernel = this.kernel;
    const hasMissing = sums[base + nBins * STATS + 2]! > 0;
    const dense = !hasMissing && (binOfSlot !== null || this.C >= DENSE_ROWS_PER_BIN * nBins);
    if (kernel === null || !kernel.holds(sums) || !(dense || kernel.holds(occupied))) {
      this.scanJs(sums, base, nBins, occupied, firstBit, feature, binOfSlot, hasMissing);
      return;
    }
    if (hasMissing) {
      const found = kernel.bitsMissing(sums, base, nBins, occupied, firstBit, this.gain);
      if (found < 0) return;
      const bin = found >> 1;
      this.record(kernel.gain, feature, binOfSlot ? binOfSlot[bin]! : bin, (found & 1) === 1, true, kernel.leftC);
      return;
    }
    const bin = dense
      ? kernel.dense(sums, base, nBins, this.gain)
      : kernel.bits(sums, base, nBins, occupied, firstBit, this.gain);
    if (bin >= 0) this.record(kernel.gain, feature, binOfSlot ? binOfSlot[bin]! : bin, false, false, kernel.leftC);
  }

  /** The scan in JavaScript: the kernels' reference. */
  private scanJs(
    sums: Float64Array, base: number, nBins: number, occupied: Int32Array, firstBit: number, feature: number,
    binOfSlot: Int32Array | null, hasMissing: boolean,
  ): void {
    const mo = base + nBins * STATS;
    const gM = sums[mo]!;
    const hM = sums[mo + 1]!;
    const cM = sums[mo + 2]!;
    const { G, H, C, l2, minLeaf, minHess, parentScore } = this;
    let gL = 0;
    let hL = 0;
    let cL = 0;
    let done = false;
    forEachBit(occupied, firstBit, nBins, (bit) => {
      if (done) return;
      const b = bit - firstBit;
      const o = base + b * STATS;
      const c = sums[o + 2]!;
      if (c === 0) return; // emptied by a subtraction (see histogram.ts)
      gL += sums[o]!;
      hL += sums[o + 1]!;
      cL += c;
      if (cL + cM < minLeaf) return; // no left child is big enough yet, in either direction
      if (C - cL < minLeaf) {
        done = true; // every later threshold leaves even fewer rows on the right
        return;
      }
      // Missing values (if any) to the right.
      const hR = H - hL;
      if (cL >= minLeaf && hL >= minHess && hR >= minHess) {
        const gR = G - gL;
        const dL = hL + l2;
        const dR = hR + l2;
        const gain = (gL * gL * dR + gR * gR * dL) / (dL * dR) - parentScore;
        if (gain > this.gain) this.record(gain, feature, binOfSlot ? binOfSlot[b]! : b, false, hasMissing, cL);
      }
      if (!hasMissing) return;
      // Missing values to the left.
      const gl = gL + gM;
      const hl = hL + hM;
      const cl = cL + cM;
      const hr = H - hl;
      if (C - cl >= minLeaf && hl >= minHess && hr >= minHess) {
        const gr = G - gl;
        const dl = hl + l2;
        const dr = hr + l2;
        const gain = (gl * gl * dr + gr * gr * dl) / (dl * dr) - parentScore;
        if (gain > this.gain) this.record(gain, feature, binOfSlot ? binOfSlot[b]! : b, true, true, cl);
      }
    });
  }

  private record(
    gain: number, feature: number, bin: number, missingLeft: boolean, sawMissing: boolean, leftC: number,
  ): void {
    this.gain = gain;
    this.feature = feature;
    this.bin = bin;
    this.missingLeft = missingLeft;
    this.sawMissing = sawMissing;
    this.leftC = leftC;
  }
}
