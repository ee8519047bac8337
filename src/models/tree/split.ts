/**
 * Best-split search over one feature's histogram.
 *
 * Two criteria share the scan:
 * - 'gini' (RandomForest, AdaBoost stumps): G is the weighted count of class-1 rows, H the weighted row count;
 *   the gain is the decrease of weighted Gini impurity, H*gini(node) - H_L*gini(L) - H_R*gini(R), which simplifies
 *   to score(L) + score(R) - score(node) with score = (G^2 + (H-G)^2) / H.
 * - 'newton' (gradient boosting): G, H are sums of gradients and hessians; gain = G_L^2/(H_L+l2) +
 *   G_R^2/(H_R+l2) - G^2/(H+l2) (the second-order loss decrease, up to a factor 1/2).
 *
 * Missing values: when the node has rows in the missing bin, each threshold is tried with them on the left and on
 * the right (and the split "all values left, missing right"); otherwise missing values of future rows follow the
 * child with more training rows, as scikit-learn does.
 *
 * Bins are scanned left to right and a candidate replaces the best only when strictly better, so ties keep the
 * lowest feature (in examination order) and the lowest bin: the result is deterministic.
 */
import { STATS } from './histogram.ts';

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

/** Mutable best-split record for one node; reset() before scanning the node's features. */
export class BestSplit {
  gain = -Infinity;
  feature = -1;
  bin = -1;
  missingLeft = false;
  /** Whether the node had rows with a missing value of the chosen feature (else missingLeft is decided later). */
  sawMissing = false;
  leftG = 0;
  leftH = 0;
  leftW = 0;
  leftC = 0;
  // node totals
  G = 0;
  H = 0;
  W = 0;
  C = 0;
  private parentScore = 0;

  constructor(private readonly c: SplitConstraints) {}

  reset(G: number, H: number, W: number, C: number): void {
    this.G = G;
    this.H = H;
    this.W = W;
    this.C = C;
    this.feature = -1;
    this.bin = -1;
    this.missingLeft = false;
    this.parentScore = this.score(G, H);
    // Gini trees take the best valid split even at zero gain (scikit-learn's splitter); boosting needs gain > 0.
    this.gain = this.c.criterion === 'gini' ? -Infinity : 0;
  }

  get found(): boolean {
    return this.feature >= 0;
  }

  score(g: number, h: number): number {
    if (this.c.criterion === 'gini') return h > 0 ? (g * g + (h - g) * (h - g)) / h : 0;
    const d = h + this.c.l2;
    return d > 0 ? (g * g) / d : 0;
  }

  /**
   * Scans bins lo..hi of one feature whose bins start at `base` in `hist` (missing bin at base + nBins*STATS).
   * Returns the number of occupied bins (missing included), so callers can tell constant features apart.
   */
  scanFeature(hist: Float64Array, base: number, nBins: number, lo: number, hi: number, feature: number): number {
    const mo = base + nBins * STATS;
    const gM = hist[mo]!;
    const hM = hist[mo + 1]!;
    const wM = hist[mo + 2]!;
    const cM = hist[mo + 3]!;
    const hasMissing = cM > 0;
    const { G, H, W, C } = this;
    const minLeaf = this.c.minSamplesLeaf;
    const minHess = this.c.criterion === 'newton' ? this.c.minHessianLeaf : 0;
    const parentScore = this.parentScore;
    let occupied = hasMissing ? 1 : 0;
    let gL = 0;
    let hL = 0;
    let wL = 0;
    let cL = 0;
    for (let b = lo; b <= hi; b++) {
      const o = base + b * STATS;
      const c = hist[o + 3]!;
      if (c === 0) continue;
      occupied++;
      gL += hist[o]!;
      hL += hist[o + 1]!;
      wL += hist[o + 2]!;
      cL += c;
      // Missing values to the right.
      {
        const cR = C - cL;
        const hR = H - hL;
        if (cL >= minLeaf && cR >= minLeaf && hL > 0 && hR > 0 && hL >= minHess && hR >= minHess) {
          const gain = this.score(gL, hL) + this.score(G - gL, hR) - parentScore;
          if (gain > this.gain) this.record(gain, feature, b, false, hasMissing, gL, hL, wL, cL);
        }
      }
      // Missing values to the left.
      if (hasMissing) {
        const gl = gL + gM;
        const hl = hL + hM;
        const cl = cL + cM;
        const cR = C - cl;
        const hR = H - hl;
        if (cl >= minLeaf && cR >= minLeaf && hl > 0 && hR > 0 && hl >= minHess && hR >= minHess) {
          const gain = this.score(gl, hl) + this.score(G - gl, hR) - parentScore;
          if (gain > this.gain) this.record(gain, feature, b, true, true, gl, hl, wL + wM, cl);
        }
      }
    }
    return occupied;
  }

  private record(
    gain: number, feature: number, bin: number, missingLeft: boolean, sawMissing: boolean,
    g: number, h: number, w: number, c: number,
  ): void {
    this.gain = gain;
    this.sawMissing = sawMissing;
    this.feature = feature;
    this.bin = bin;
    this.missingLeft = missingLeft;
    this.leftG = g;
    this.leftH = h;
    this.leftW = w;
    this.leftC = c;
  }
}
