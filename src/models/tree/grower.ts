/**
 * Grows one tree on binned data: the engine shared by RandomForest, HistGradientBoosting, the LightGBM-style
 * booster and AdaBoost's stumps.
 *
 * Growth policies:
 * - 'depth-first': split every splittable node (RandomForest: unlimited depth; AdaBoost: maxDepth 1);
 * - 'best-first' (leaf-wise): repeatedly split the open leaf with the largest gain until maxLeaves leaves
 *   (scikit-learn's HistGradientBoosting with max_leaf_nodes, LightGBM's num_leaves).
 *
 * Histograms: a node that examines every feature (the boosters, AdaBoost, RandomForest with maxFeatures 'all')
 * needs a full histogram. After a split, the smaller child's full histogram is built from its rows and the larger
 * child's is the parent's minus it (sibling subtraction), when that is cheaper than building the larger child's
 * directly (see `subtractionPays`). A node that examines only a few sampled features (RandomForest's max_features)
 * builds just those features' histograms into a scratch buffer instead: with sqrt(19) = 4 of 19 features that is
 * ~5x less work than any full histogram, so such trees never hold one. Their small nodes (most nodes of a fully
 * grown tree) skip the histogram altogether and scan their rows sorted by bin (`scanSmallNode`).
 *
 * Row order: the node's rows sit contiguously in `rows` (partitioned in place, stably), which the boosters use to
 * update each leaf's rows without traversing the tree.
 */
import type { Rng } from '../rng.ts';
import type { Tree } from './tree.ts';
import { type BinnedMatrix, thresholdOf } from './binning.ts';
import {
  type HistogramLayout, type RowStats, HistogramPool, STATS, buildFeatureHistogram, buildFullHistogram,
  clearFeatureHistogram, histogramLayout, subtractHistogram,
} from './histogram.ts';
import { BestSplit, type Criterion } from './split.ts';

export interface GrowerOptions {
  readonly criterion: Criterion;
  readonly growth: 'depth-first' | 'best-first';
  /** Infinity for unlimited. */
  readonly maxDepth: number;
  /** Infinity for unlimited ('best-first' stops here). */
  readonly maxLeaves: number;
  readonly minSamplesLeaf: number;
  readonly minSamplesSplit: number;
  /** 'newton': minimum hessian sum in each child. */
  readonly minHessianLeaf: number;
  /** 'newton': L2 regularisation of leaf values. */
  readonly l2: number;
  /** Features examined per split, drawn without replacement (scikit-learn's max_features); >= nFeatures: all. */
  readonly maxFeatures: number;
  /** 'newton': leaf values are multiplied by this (the learning rate). */
  readonly shrinkage: number;
  /** Sibling subtraction (default on). Off only to check, in tests and benchmarks, that it changes nothing. */
  readonly histogramSubtraction?: boolean;
  /**
   * Nodes with at most this many rows that examine sampled features sort their rows by bin instead of filling a
   * 256-bin histogram (default SMALL_NODE_ROWS; 0 turns it off, for tests). Both find the same split.
   */
  readonly smallNodeRows?: number;
}

/**
 * Below this many rows, sorting a node's rows by bin code and scanning only the occupied bins is cheaper than
 * filling, scanning and clearing a feature's (mostly empty) 256-bin histogram. Deep RandomForest trees are mostly
 * such nodes; measured on 2870x19, 100 trees: ~10% faster fits at 24-48 rows, slower above ~100.
 */
export const SMALL_NODE_ROWS = 32;

/** Upper bound for GrowerOptions.smallNodeRows (sizes the small-node buffers). */
const SMALL_NODE_LIMIT = 256;

/** Buffers shared by all trees of one model fit. */
export class GrowContext {
  readonly layout: HistogramLayout;
  readonly pool: HistogramPool;
  /** Per-feature histograms of sampled features are built here and cleared after the scan. */
  readonly scratch: Float64Array;
  readonly tmpRows: Int32Array;
  readonly range = new Int32Array(2);
  /** Small-node scan buffers: rows sorted by code, their codes, the compacted histogram and its slot -> bin map. */
  readonly smallRows = new Int32Array(SMALL_NODE_LIMIT);
  readonly smallCodes = new Int32Array(SMALL_NODE_LIMIT);
  readonly compact = new Float64Array((SMALL_NODE_LIMIT + 1) * STATS);
  readonly binOfSlot = new Int32Array(SMALL_NODE_LIMIT);

  constructor(readonly binned: BinnedMatrix) {
    this.layout = histogramLayout(binned);
    this.pool = new HistogramPool(this.layout.totalBins * STATS);
    this.scratch = new Float64Array(this.layout.totalBins * STATS);
    this.tmpRows = new Int32Array(binned.nRows);
  }
}

export interface GrownTree {
  readonly tree: Tree;
  /** The training rows, permuted so that node k's rows are rows[nodeStart[k] ... nodeEnd[k]). */
  readonly rows: Int32Array;
  readonly nodeStart: Int32Array;
  readonly nodeEnd: Int32Array;
}

interface OpenNode {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  readonly G: number;
  readonly H: number;
  readonly W: number;
  readonly C: number;
  hist: Float64Array | null;
  split: SplitChoice | null;
}

interface SplitChoice {
  readonly gain: number;
  readonly feature: number;
  readonly bin: number;
  readonly missingLeft: boolean;
  readonly sawMissing: boolean;
  readonly leftG: number;
  readonly leftH: number;
  readonly leftW: number;
  readonly leftC: number;
}

/**
 * Grows one tree on `rows` (permuted in place) with per-row `stats` (g, h, w interleaved; see histogram.ts).
 * `rng` is needed only when maxFeatures < nFeatures.
 */
export function growTree(ctx: GrowContext, stats: RowStats, rows: Int32Array, options: GrowerOptions, rng?: Rng): GrownTree {
  return new TreeGrower(ctx, stats, rows, options, rng).grow();
}

class TreeGrower {
  private readonly nF: number;
  private readonly mEval: number;
  private readonly smallNodeRows: number;
  private readonly best: BestSplit;
  private readonly featureOrder: Int32Array;
  // Output node arrays, grown as nodes are created.
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly missingLeft: number[] = [];
  private readonly value: number[] = [];
  private readonly cover: number[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly sums = new Float64Array(7);

  constructor(
    private readonly ctx: GrowContext,
    private readonly stats: RowStats,
    private readonly rows: Int32Array,
    private readonly o: GrowerOptions,
    private readonly rng?: Rng,
  ) {
    this.nF = ctx.binned.nFeatures;
    this.mEval = Math.max(1, Math.min(o.maxFeatures, this.nF));
    if (this.mEval < this.nF && !rng) throw new Error('growTree: feature sampling (maxFeatures < nFeatures) needs an rng');
    this.best = new BestSplit(o);
    this.smallNodeRows = Math.min(o.smallNodeRows ?? SMALL_NODE_ROWS, SMALL_NODE_LIMIT);
    this.featureOrder = Int32Array.from({ length: this.nF }, (_, f) => f);
  }

  grow(): GrownTree {
    const root = this.rootNode();
    if (this.o.growth === 'depth-first') this.growDepthFirst(root);
    else this.growBestFirst(root);
    return {
      tree: {
        feature: Int32Array.from(this.feature),
        threshold: Float64Array.from(this.threshold),
        left: Int32Array.from(this.left),
        right: Int32Array.from(this.right),
        missingLeft: Uint8Array.from(this.missingLeft),
        value: Float64Array.from(this.value),
        cover: Float64Array.from(this.cover),
      },
      rows: this.rows,
      nodeStart: Int32Array.from(this.starts),
      nodeEnd: Int32Array.from(this.ends),
    };
  }

  private rootNode(): OpenNode {
    let G = 0;
    let H = 0;
    let W = 0;
    const s = this.stats;
    for (let k = 0; k < this.rows.length; k++) {
      const i = this.rows[k]!;
      G += s[3 * i]!;
      H += s[3 * i + 1]!;
      W += s[3 * i + 2]!;
    }
    return this.newNode(0, this.rows.length, 0, G, H, W, this.rows.length);
  }

  private growDepthFirst(root: OpenNode): void {
    const stack: OpenNode[] = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      this.evaluate(node);
      if (!node.split) {
        this.releaseHist(node);
        continue;
      }
      const [l, r] = this.split(node, true);
      stack.push(r, l); // left first: node ids follow a pre-order walk
    }
  }

  private growBestFirst(root: OpenNode): void {
    this.evaluate(root);
    const open: OpenNode[] = [root];
    let nLeaves = 1;
    while (nLeaves < this.o.maxLeaves) {
      let pick = -1;
      for (let k = 0; k < open.length; k++) {
        const s = open[k]!.split;
        if (s && (pick < 0 || s.gain > open[pick]!.split!.gain)) pick = k;
      }
      if (pick < 0) break;
      const node = open[pick]!;
      open.splice(pick, 1);
      nLeaves++;
      // Once the leaf budget is spent no child will be split: skip their histograms and split search.
      const searchChildren = nLeaves < this.o.maxLeaves;
      const children = this.split(node, searchChildren);
      for (const child of children) {
        if (searchChildren) this.evaluate(child);
        if (child.split) open.push(child);
        else this.releaseHist(child);
      }
    }
    for (const node of open) this.releaseHist(node);
  }

  private newNode(start: number, end: number, depth: number, G: number, H: number, W: number, C: number): OpenNode {
    const id = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.missingLeft.push(0);
    this.value.push(this.leafValue(G, H));
    this.cover.push(W);
    this.starts.push(start);
    this.ends.push(end);
    return { id, start, end, depth, G, H, W, C, hist: null, split: null };
  }

  private leafValue(G: number, H: number): number {
    if (this.o.criterion === 'gini') return H > 0 ? G / H : 0;
    const d = H + this.o.l2;
    return d > 0 ? (-this.o.shrinkage * G) / d : 0;
  }

  private canSplit(node: OpenNode): boolean {
    const o = this.o;
    if (node.depth >= o.maxDepth) return false;
    if (node.C < o.minSamplesSplit || node.C < 2 * o.minSamplesLeaf) return false;
    if (o.criterion === 'gini') {
      // A pure node is a leaf (scikit-learn: impurity <= EPSILON); the tolerance absorbs summation rounding.
      const tol = 1e-12 * node.H;
      return node.H > 0 && node.G > tol && node.H - node.G > tol;
    }
    return node.H >= 2 * o.minHessianLeaf;
  }

  /** Finds the node's best split (node.split stays null if none is valid). */
  private evaluate(node: OpenNode): void {
    if (!this.canSplit(node)) return;
    const { binned, layout, scratch, range } = this.ctx;
    const best = this.best;
    best.reset(node.G, node.H, node.C);
    if (this.mEval >= this.nF) {
      if (!node.hist) node.hist = this.buildFull(node);
      for (let f = 0; f < this.nF; f++) {
        best.scanFeature(node.hist, layout.offsets[f]! * STATS, binned.nBins[f]!, 0, binned.nBins[f]! - 1, f);
      }
    } else {
      // scikit-learn's feature sampling: draw without replacement until maxFeatures features were examined, and
      // keep drawing past that while every feature examined so far was constant in this node.
      const order = this.featureOrder;
      let visited = 0;
      let constants = 0;
      for (let k = 0; k < this.nF; k++) {
        const j = k + Math.floor(this.rng!() * (this.nF - k));
        const f = order[j]!;
        order[j] = order[k]!;
        order[k] = f;
        const base = layout.offsets[f]! * STATS;
        const nb = binned.nBins[f]!;
        let occupied: number;
        if (node.C <= this.smallNodeRows) {
          occupied = this.scanSmallNode(node, f);
        } else {
          buildFeatureHistogram(scratch, layout, binned, this.stats, this.rows, node.start, node.end, f, range);
          const lo = range[0]!;
          const hi = range[1]!;
          occupied = best.scanFeature(scratch, base, nb, lo, hi, f);
          clearFeatureHistogram(scratch, layout, binned, f, lo, hi);
        }
        visited++;
        if (occupied <= 1) constants++;
        if (visited >= this.mEval && visited > constants) break;
      }
    }
    if (best.found) {
      node.split = {
        gain: best.gain, feature: best.feature, bin: best.bin, missingLeft: best.missingLeft,
        sawMissing: best.sawMissing, leftG: best.leftG, leftH: best.leftH, leftW: best.leftW, leftC: best.leftC,
      };
    }
  }

  /**
   * One feature of a small node: sorts the node's rows by bin code (insertion sort, n <= smallNodeRows), sums them
   * into consecutive slots of a compact histogram (occupied bins only, missing last) and scans that, mapping slots
   * back to bin codes. Same candidates in the same order as the full histogram scan, so the same split.
   */
  private scanSmallNode(node: OpenNode, f: number): number {
    const { binned, smallRows: sr, smallCodes: sc, compact, binOfSlot } = this.ctx;
    const codes = binned.byFeature;
    const colBase = f * binned.nRows;
    const missing = binned.nBins[f]!;
    const n = node.end - node.start;
    for (let k = 0; k < n; k++) {
      const i = this.rows[node.start + k]!;
      const code = codes[colBase + i]!;
      let j = k - 1;
      while (j >= 0 && sc[j]! > code) {
        sc[j + 1] = sc[j]!;
        sr[j + 1] = sr[j]!;
        j--;
      }
      sc[j + 1] = code;
      sr[j + 1] = i;
    }
    const st = this.stats;
    let slots = 0;
    let k = 0;
    while (k < n && sc[k]! !== missing) {
      const code = sc[k]!;
      const o = slots * STATS;
      let g = 0, h = 0, w = 0, c = 0;
      for (; k < n && sc[k] === code; k++) {
        const i = sr[k]!;
        g += st[3 * i]!;
        h += st[3 * i + 1]!;
        w += st[3 * i + 2]!;
        c++;
      }
      compact[o] = g;
      compact[o + 1] = h;
      compact[o + 2] = w;
      compact[o + 3] = c;
      binOfSlot[slots++] = code;
    }
    // Rows with a missing value sort last (their code is the largest).
    let g = 0, h = 0, w = 0, c = 0;
    for (; k < n; k++) {
      const i = sr[k]!;
      g += st[3 * i]!;
      h += st[3 * i + 1]!;
      w += st[3 * i + 2]!;
      c++;
    }
    const mo = slots * STATS;
    compact[mo] = g;
    compact[mo + 1] = h;
    compact[mo + 2] = w;
    compact[mo + 3] = c;
    return this.best.scanFeature(compact, 0, slots, 0, slots - 1, f, binOfSlot);
  }

  private buildFull(node: OpenNode): Float64Array {
    const h = this.ctx.pool.acquire();
    buildFullHistogram(h, this.ctx.layout, this.ctx.binned, this.stats, this.rows, node.start, node.end);
    return h;
  }

  private releaseHist(node: OpenNode): void {
    if (node.hist) this.ctx.pool.release(node.hist);
    node.hist = null;
  }

  /**
   * Applies node.split: partitions the rows, records the split, creates both children, and hands them
   * histograms when they will be searched (`childrenSearched`).
   */
  private split(node: OpenNode, childrenSearched: boolean): [OpenNode, OpenNode] {
    const s = node.split!;
    const { binned } = this.ctx;
    const missingBin = binned.nBins[s.feature]!;
    // Rows with a missing value follow the side chosen by the scan; if this node had none, future missing values
    // go to the child with more training rows (scikit-learn's rule).
    const missingLeft = s.sawMissing ? s.missingLeft : s.leftC >= node.C - s.leftC;
    // Child sums are re-added from the rows during the partition rather than taken from the histogram (where the
    // larger child's would come from a subtraction): exact sums keep pure leaves at exactly 0 or 1 and covers exact.
    const sums = this.partition(node, s.feature, s.bin, missingBin, missingLeft);
    const nLeft = sums[6]!;
    if (nLeft !== s.leftC) throw new Error(`growTree: internal error, partition sent ${nLeft} rows left, histogram ${s.leftC}`);
    const mid = node.start + nLeft;
    const l = this.newNode(node.start, mid, node.depth + 1, sums[0]!, sums[1]!, sums[2]!, nLeft);
    const r = this.newNode(mid, node.end, node.depth + 1, sums[3]!, sums[4]!, sums[5]!, node.C - nLeft);
    const id = node.id;
    this.feature[id] = s.feature;
    this.threshold[id] = thresholdOf(binned.mapper, s.feature, s.bin);
    this.left[id] = l.id;
    this.right[id] = r.id;
    this.missingLeft[id] = missingLeft ? 1 : 0;
    if (childrenSearched && l.depth < this.o.maxDepth) this.childHistograms(node, l, r);
    else this.releaseHist(node);
    return [l, r];
  }

  /**
   * Stable in-place partition of the node's rows. Returns (in a reused buffer) the left child's g, h, w sums, the
   * right child's, and the number of rows sent left.
   */
  private partition(node: OpenNode, feature: number, bin: number, missingBin: number, missingLeft: boolean): Float64Array {
    const rows = this.rows;
    const tmp = this.ctx.tmpRows;
    const codes = this.ctx.binned.byFeature;
    const colBase = feature * this.ctx.binned.nRows;
    const st = this.stats;
    let gL = 0, hL = 0, wL = 0, gR = 0, hR = 0, wR = 0;
    let w = node.start;
    let nRight = 0;
    for (let k = node.start; k < node.end; k++) {
      const i = rows[k]!;
      const b = codes[colBase + i]!;
      const goLeft = b === missingBin ? missingLeft : b <= bin;
      if (goLeft) {
        rows[w++] = i;
        gL += st[3 * i]!;
        hL += st[3 * i + 1]!;
        wL += st[3 * i + 2]!;
      } else {
        tmp[nRight++] = i;
        gR += st[3 * i]!;
        hR += st[3 * i + 1]!;
        wR += st[3 * i + 2]!;
      }
    }
    rows.set(tmp.subarray(0, nRight), w);
    const out = this.sums;
    out[0] = gL; out[1] = hL; out[2] = wL; out[3] = gR; out[4] = hR; out[5] = wR; out[6] = w - node.start;
    return out;
  }

  private childHistograms(parent: OpenNode, l: OpenNode, r: OpenNode): void {
    if (!parent.hist) return;
    if (this.o.histogramSubtraction === false) {
      this.releaseHist(parent);
      return;
    }
    const [small, large] = l.C <= r.C ? [l, r] : [r, l];
    if (this.subtractionPays(small.C, large.C)) {
      small.hist = this.buildFull(small);
      subtractHistogram(parent.hist, small.hist);
      large.hist = parent.hist;
      parent.hist = null;
    } else {
      this.releaseHist(parent);
    }
  }

  /**
   * Cost model, in "adds": building the larger child's histogram for the features it will examine costs
   * nLarge * mEval; subtraction costs one pass over the histogram (totalBins) plus building the smaller child for
   * the features it would not otherwise examine. Boosting (mEval = all) subtracts whenever the larger child has
   * more than ~totalBins/nFeatures (~256) rows; RandomForest with sqrt features practically never does.
   */
  private subtractionPays(nSmall: number, nLarge: number): boolean {
    return nLarge * this.mEval > this.ctx.layout.totalBins + nSmall * (this.nF - this.mEval);
  }
}
