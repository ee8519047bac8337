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
  C = 0;
  private parentScore = 0;

  constructor(private readonly c: SplitConstraints) {}

  reset(G: number, H: number, C: number): void {
    this.G = G;
    this.H = H;
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

  /** A node's term G^2/(H+l2) (l2 = 0 for Gini); see the file comment. */
  score(g: number, h: number): number {
    const d = h + (this.c.criterion === 'gini' ? 0 : this.c.l2);
    return d > 0 ? (g * g) / d : 0;
  }

  /**
   * Scans bins lo..hi of one feature whose bins start at `base` in `hist` (missing bin at base + nBins*STATS).
   * Returns the number of occupied bins (missing included), so callers can tell constant features apart.
   * `binOfSlot`, when given, maps slot b to the feature's real bin code (for compacted histograms of small nodes).
   */
  scanFeature(
    hist: Float64Array, base: number, nBins: number, lo: number, hi: number, feature: number,
    binOfSlot: Int32Array | null = null,
  ): number {
    const mo = base + nBins * STATS;
    const gM = hist[mo]!;
    const hM = hist[mo + 1]!;
    const wM = hist[mo + 2]!;
    const cM = hist[mo + 3]!;
    const hasMissing = cM > 0;
    const { G, H, C } = this;
    const gini = this.c.criterion === 'gini';
    const l2 = gini ? 0 : this.c.l2;
    const minLeaf = this.c.minSamplesLeaf;
    // Both children need positive hessian (weight) sums; boosting also needs them >= minHessianLeaf.
    const minHess = gini ? Number.MIN_VALUE : Math.max(this.c.minHessianLeaf, Number.MIN_VALUE);
    const parentScore = this.parentScore;
    let best = this.gain;
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
      if (cL + cM < minLeaf) continue; // no left child is big enough yet, in either direction
      if (C - cL < minLeaf) {
        // Every later threshold leaves even fewer rows on the right; only the occupancy count remains to finish.
        for (let k = b + 1; k <= hi; k++) if (hist[base + k * STATS + 3]! !== 0) occupied++;
        break;
      }
      // Missing values to the right.
      const hR = H - hL;
      if (cL >= minLeaf && hL >= minHess && hR >= minHess) {
        const gR = G - gL;
        const dL = hL + l2;
        const dR = hR + l2;
        const gain = (gL * gL * dR + gR * gR * dL) / (dL * dR) - parentScore;
        if (gain > best) {
          best = gain;
          this.record(gain, feature, binOfSlot ? binOfSlot[b]! : b, false, hasMissing, gL, hL, wL, cL);
        }
      }
      // Missing values to the left.
      if (hasMissing) {
        const gl = gL + gM;
        const hl = hL + hM;
        const cl = cL + cM;
        const hr = H - hl;
        if (C - cl >= minLeaf && hl >= minHess && hr >= minHess) {
          const gr = G - gl;
          const dl = hl + l2;
          const dr = hr + l2;
          const gain = (gl * gl * dr + gr * gr * dl) / (dl * dr) - parentScore;
          if (gain > best) {
            best = gain;
            this.record(gain, feature, binOfSlot ? binOfSlot[b]! : b, true, true, gl, hl, wL + wM, cl);
          }
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
