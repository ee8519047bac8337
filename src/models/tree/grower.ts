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
 * directly (see `subtractionPays`); nothing is built for a child that cannot split. A node that examines only a few
 * sampled features (RandomForest's max_features) builds just those features' histograms into a scratch buffer
 * instead: with sqrt(19) = 4 of 19 features that is ~5x less work than any full histogram, so such trees never hold
 * one. Their small nodes (most nodes of a fully grown tree) skip the histogram altogether and scan their rows sorted
 * by bin (`scanSmallNode`).
 *
 * Row order: the node's rows sit contiguously in `rows` (partitioned in place, stably), which the boosters use to
 * update each leaf's rows without traversing the tree.
 *
 * WebAssembly: the loops over rows and bins (histogram builds, sibling subtraction, split scans, the partition, the
 * small-node sort) run in kernel.ts's WebAssembly, on a copy of the binned data, the tree's rows and their
 * statistics in the kernel's memory, where the histograms live too. They perform the JavaScript loops' exact
 * operations in the same order, so every tree is bit-identical either way (GrowerOptions.kernel = false runs the
 * JavaScript loops, for tests); measured on the boosters' trees, growth is ~4x faster than with the JavaScript loops.
 */
import type { Rng } from '../rng.ts';
import type { Tree } from './tree.ts';
import { type BinnedMatrix, thresholdOf } from './binning.ts';
import {
  type AllRowsCounts, Histogram, type HistogramLayout, type RowStats, HistogramPool, STATS, allRowsCounts,
  buildAllRowsHistogram, buildFeatureHistograms, buildHistogram,
  clearFeatureHistogram, countBits, histogramLayout, subtractHistogram,
} from './histogram.ts';
import { TreeKernel } from './kernel.ts';
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
  /**
   * Use the WebAssembly kernels (kernel.ts: histogram builds, split scans, the row partition; default on). Off only
   * to check, in tests and benchmarks, that they change nothing.
   */
  readonly kernel?: boolean;
}

/**
 * Below this many rows, sorting a node's rows by bin code and scanning only the occupied bins is cheaper than
 * filling, scanning and clearing a feature's (mostly empty) 256-bin histogram. Deep RandomForest trees are mostly
 * such nodes; measured on 2870x19, 100 trees: ~10% faster fits at 24-48 rows, slower above ~100.
 */
export const SMALL_NODE_ROWS = 32;

/**
 * Pooled histograms placed in the kernel's memory, and a cap on the bytes they take there (a booster holds one per
 * open leaf: 31 by default). Further ones are ordinary arrays, handled by the JavaScript loops.
 */
const KERNEL_HISTOGRAMS = 40;
const KERNEL_BYTES = 16 * 2 ** 20;

/** Upper bound for GrowerOptions.smallNodeRows (sizes the small-node buffers). */
const SMALL_NODE_LIMIT = 256;

/** Buffers shared by all trees of one model fit. */
export class GrowContext {
  readonly layout: HistogramLayout;
  /** The WebAssembly kernels and their memory, which holds the buffers below and the pooled histograms. */
  readonly kernel: TreeKernel;
  readonly pool: HistogramPool;
  /** Per-feature histograms of sampled features are built here and cleared after the scan. */
  readonly scratch: Float64Array;
  /** Occupancy bits of the features being built into `scratch`: 8 words (256 codes) per feature. */
  readonly marks: Int32Array;
  readonly tmpRows: Int32Array;
  /** Counts of the histogram of every row, recorded by the first tree whose root holds every row. */
  allRows: AllRowsCounts | null = null;
  /** Small-node scan buffers: the rows' sort keys, the compacted histogram and its slot -> bin map. */
  readonly smallKeys: Int32Array;
  readonly compact: Float64Array;
  readonly binOfSlot: Int32Array;
  /** Every slot of a compacted histogram is occupied: a bitmap of ones. */
  readonly allSlots: Int32Array;

  constructor(readonly binned: BinnedMatrix) {
    this.layout = histogramLayout(binned);
    const totalBins = this.layout.totalBins;
    // The kernel's memory holds the scratch histogram and its marks, the small-node buffers, the copies of the binned
    // data with room for a tree's rows and statistics, and up to KERNEL_HISTOGRAMS pooled histograms.
    const histBytes = Histogram.bytes(totalBins);
    const nHistograms = Math.max(0, Math.min(KERNEL_HISTOGRAMS, Math.floor(KERNEL_BYTES / histBytes)));
    const n = binned.nRows;
    const fixed = histBytes + 32 * binned.nFeatures + (SMALL_NODE_LIMIT + 1) * STATS * 8 + 9 * SMALL_NODE_LIMIT
      + 3 * n * binned.nFeatures + 32 * n + 256;
    this.kernel = new TreeKernel(fixed + nHistograms * histBytes);
    const k = this.kernel;
    this.pool = new HistogramPool(totalBins, k);
    this.scratch = k.f64(totalBins * STATS) ?? new Float64Array(totalBins * STATS);
    this.marks = k.i32(8 * binned.nFeatures) ?? new Int32Array(8 * binned.nFeatures);
    this.compact = k.f64((SMALL_NODE_LIMIT + 1) * STATS) ?? new Float64Array((SMALL_NODE_LIMIT + 1) * STATS);
    this.smallKeys = k.i32(SMALL_NODE_LIMIT) ?? new Int32Array(SMALL_NODE_LIMIT);
    this.binOfSlot = k.i32(SMALL_NODE_LIMIT) ?? new Int32Array(SMALL_NODE_LIMIT);
    this.allSlots = (k.i32(SMALL_NODE_LIMIT / 32) ?? new Int32Array(SMALL_NODE_LIMIT / 32)).fill(-1);
    k.enableRows(this.layout.slots, binned.byFeature, binned.nFeatures, binned.nRows);
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
  hist: Histogram | null;
  split: SplitChoice | null;
}

interface SplitChoice {
  readonly gain: number;
  readonly feature: number;
  readonly bin: number;
  readonly missingLeft: boolean;
  readonly sawMissing: boolean;
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
  /** The kernel, when its row kernels (builds, partition) are used; they need the rows in `work`. */
  private readonly rowKernel: TreeKernel | null;
  /** The tree's rows while it grows (rows[0 .. m)): the kernel's row list, or `rows` itself. */
  private readonly work: Int32Array;
  /** The kernel, when the small-node buffers are in its memory too. */
  private readonly smallNodeKernel: TreeKernel | null;
  private readonly m: number;
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
    const kernel = o.kernel === false ? null : ctx.kernel;
    this.best = new BestSplit(o, kernel);
    this.m = rows.length;
    // The row kernels work on the rows and their statistics in the kernel's memory: the tree's rows move there
    // while it grows (and back into `rows` at the end).
    this.rowKernel = kernel !== null && kernel.rowKernels ? kernel : null;
    if (this.rowKernel) {
      this.rowKernel.rows.set(rows);
      this.rowKernel.setStats(stats);
      this.work = this.rowKernel.rows;
    } else {
      this.work = rows;
    }
    const k = this.rowKernel;
    this.smallNodeKernel = k && k.holds(ctx.compact) && k.holds(ctx.smallKeys) && k.holds(ctx.binOfSlot) ? k : null;
    this.smallNodeRows = Math.min(o.smallNodeRows ?? SMALL_NODE_ROWS, SMALL_NODE_LIMIT);
    this.featureOrder = Int32Array.from({ length: this.nF }, (_, f) => f);
  }

  grow(): GrownTree {
    const root = this.rootNode();
    if (this.o.growth === 'depth-first') this.growDepthFirst(root);
    else this.growBestFirst(root);
    if (this.work !== this.rows) this.rows.set(this.work.subarray(0, this.m));
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
    for (let k = 0; k < this.m; k++) {
      const i = this.work[k]!;
      G += s[3 * i]!;
      H += s[3 * i + 1]!;
      W += s[3 * i + 2]!;
    }
    return this.newNode(0, this.m, 0, G, H, W, this.m);
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
    this.best.reset(node.G, node.H, node.C);
    if (this.mEval >= this.nF) this.evaluateAll(node);
    else this.evaluateSampled(node);
    const best = this.best;
    if (best.found) {
      node.split = {
        gain: best.gain, feature: best.feature, bin: best.bin, missingLeft: best.missingLeft,
        sawMissing: best.sawMissing, leftC: best.leftC,
      };
    }
  }

  /** Every feature, from the node's full histogram. */
  private evaluateAll(node: OpenNode): void {
    const { binned, layout } = this.ctx;
    if (!node.hist) node.hist = this.buildFull(node);
    const { sums, occupied } = node.hist;
    for (let f = 0; f < this.nF; f++) {
      const first = layout.offsets[f]!;
      this.best.scanFeature(sums, first * STATS, binned.nBins[f]!, occupied, first, f);
    }
  }

  /**
   * scikit-learn's feature sampling: draw without replacement until maxFeatures features were examined, and keep
   * drawing past that while every feature examined so far was constant in this node. The first maxFeatures draws
   * always happen; taking them up front (nothing else uses the rng meanwhile, so the draws are the same) lets one
   * pass over the node's rows build all their histograms.
   */
  private evaluateSampled(node: OpenNode): void {
    const order = this.featureOrder;
    const m = this.mEval;
    for (let k = 0; k < m; k++) this.drawFeature(k);
    let constants = 0;
    if (node.C <= this.smallNodeRows) {
      for (let k = 0; k < m; k++) if (this.scanSmallNode(node, order[k]!) <= 1) constants++;
    } else {
      this.buildScratch(node, 0, m);
      for (let k = 0; k < m; k++) if (this.scanScratch(order[k]!, k) <= 1) constants++;
    }
    for (let k = m; k < this.nF && constants === k; k++) {
      this.drawFeature(k);
      const f = order[k]!;
      let occupied: number;
      if (node.C <= this.smallNodeRows) {
        occupied = this.scanSmallNode(node, f);
      } else {
        this.buildScratch(node, k, k + 1);
        occupied = this.scanScratch(f, 0);
      }
      if (occupied <= 1) constants++;
    }
  }

  /** Draw k of the sampling without replacement: featureOrder[k] becomes a uniformly chosen remaining feature. */
  private drawFeature(k: number): void {
    const order = this.featureOrder;
    const j = k + Math.floor(this.rng!() * (this.nF - k));
    const f = order[j]!;
    order[j] = order[k]!;
    order[k] = f;
  }

  /**
   * Scans feature f from the scratch histogram (marks block `block`), clears it, and returns its number of
   * occupied bins, missing included (the marks hold bit nBins for the missing bin).
   */
  private scanScratch(f: number, block: number): number {
    const { binned, layout, scratch, marks } = this.ctx;
    const nb = binned.nBins[f]!;
    this.best.scanFeature(scratch, layout.offsets[f]! * STATS, nb, marks, block << 8, f);
    const occupied = countBits(marks, block << 8, nb + 1);
    clearFeatureHistogram(scratch, layout, f, marks, block, this.rowKernel);
    return occupied;
  }

  /** The histograms of the sampled features featureOrder[from .. to-1] for the node, into the scratch buffer. */
  private buildScratch(node: OpenNode, from: number, to: number): void {
    const { binned, layout, scratch, marks } = this.ctx;
    buildFeatureHistograms(
      scratch, layout, binned, this.stats, this.work, node.start, node.end, this.featureOrder, from, to, marks,
      this.rowKernel,
    );
  }

  /**
   * One feature of a small node: sorts the node's rows by bin code (insertion sort, n <= smallNodeRows), sums them
   * into consecutive slots of a compact histogram (occupied bins only, missing last) and scans that, mapping slots
   * back to bin codes. Same candidates in the same order as the full histogram scan, so the same split. The sort
   * moves one packed key per row, code * 256 + position: unique keys, so ties keep the rows' order (stable), as
   * the histogram's sums do.
   */
  private scanSmallNode(node: OpenNode, f: number): number {
    const { binned, smallKeys: keys, compact, binOfSlot, allSlots } = this.ctx;
    if (this.smallNodeKernel) {
      // The same sort and compaction in WebAssembly (kernel.ts).
      const slots = this.smallNodeKernel.smallNode(node.start, node.end, f, binned.nBins[f]!, keys, compact, binOfSlot);
      this.best.scanFeature(compact, 0, slots, allSlots, 0, f, binOfSlot);
      return slots + (compact[slots * STATS + 2]! > 0 ? 1 : 0);
    }
    const codes = binned.byFeature;
    const colBase = f * binned.nRows;
    const missing = binned.nBins[f]!;
    const rows = this.work;
    const start = node.start;
    const n = node.end - start;
    for (let k = 0; k < n; k++) {
      const key = codes[colBase + rows[start + k]!]! * 256 + k;
      let j = k - 1;
      while (j >= 0 && keys[j]! > key) {
        keys[j + 1] = keys[j]!;
        j--;
      }
      keys[j + 1] = key;
    }
    const st = this.stats;
    let slots = 0;
    let k = 0;
    while (k < n && keys[k]! >>> 8 !== missing) {
      const code = keys[k]! >>> 8;
      const o = slots * STATS;
      let g = 0, h = 0, c = 0;
      for (; k < n && keys[k]! >>> 8 === code; k++) {
        const i = rows[start + (keys[k]! & 255)]!;
        g += st[3 * i]!;
        h += st[3 * i + 1]!;
        c++;
      }
      compact[o] = g;
      compact[o + 1] = h;
      compact[o + 2] = c;
      binOfSlot[slots++] = code;
    }
    // Rows with a missing value sort last (their code is the largest).
    let g = 0, h = 0, c = 0;
    for (; k < n; k++) {
      const i = rows[start + (keys[k]! & 255)]!;
      g += st[3 * i]!;
      h += st[3 * i + 1]!;
      c++;
    }
    const mo = slots * STATS;
    compact[mo] = g;
    compact[mo + 1] = h;
    compact[mo + 2] = c;
    this.best.scanFeature(compact, 0, slots, allSlots, 0, f, binOfSlot);
    return slots + (c > 0 ? 1 : 0);
  }

  private buildFull(node: OpenNode): Histogram {
    const { pool, layout, binned } = this.ctx;
    const h = pool.acquire();
    // growTree's rows are distinct, so a node with nRows of them holds every training row.
    const allRows = node.C === binned.nRows;
    const kernel = this.rowKernel;
    if (allRows && this.ctx.allRows) {
      buildAllRowsHistogram(h, layout, this.nF, this.stats, this.work, node.start, node.end, this.ctx.allRows, kernel);
    } else {
      buildHistogram(h, layout, this.nF, this.stats, this.work, node.start, node.end, kernel);
      if (allRows) this.ctx.allRows = allRowsCounts(h);
    }
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
    const out = this.sums;
    if (this.rowKernel) {
      // The same partition and sums, in WebAssembly (kernel.ts).
      out[6] = this.rowKernel.partition(node.start, node.end, feature, bin, missingBin, missingLeft);
      out.set(this.rowKernel.partitionSums);
      return out;
    }
    const rows = this.work;
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
    out[0] = gL; out[1] = hL; out[2] = wL; out[3] = gR; out[4] = hR; out[5] = wR; out[6] = w - node.start;
    return out;
  }

  /**
   * Hands the children the histograms they will scan. Only a child that can split is ever scanned, so nothing is
   * built for a child that cannot (below 2 * minSamplesLeaf rows, or pure); otherwise each child gets exactly the
   * histogram it always got (the cost model alone decides subtraction, as the sums of a subtracted histogram may
   * differ from a directly built one in the last bit).
   */
  private childHistograms(parent: OpenNode, l: OpenNode, r: OpenNode): void {
    if (!parent.hist) return;
    const [small, large] = l.C <= r.C ? [l, r] : [r, l];
    if (this.o.histogramSubtraction === false || !this.canSplit(large) || !this.subtractionPays(small.C, large.C)) {
      // The children that can split build their own histograms when evaluated.
      this.releaseHist(parent);
      return;
    }
    small.hist = this.buildFull(small);
    subtractHistogram(parent.hist, small.hist, this.rowKernel);
    large.hist = parent.hist;
    parent.hist = null;
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
