/**
 * The XGBoost trainer's hot loops in WebAssembly (source in xgboost-kernel.wat, assembled into xgboost-kernel.wasm
 * by `npm run build:wasm`): the column sort, the split search's passes over the sorted columns, the partition of the
 * columns between children, the gradients, the routing of rows and the margin update; and the ScanKernel class that
 * lays out one fit's column slices, gradients, nodes and block sums in the kernel's memory. Split from
 * xgboost-trainer.ts so the trainer reads without the kernel's memory layout in the way.
 *
 * WHY WebAssembly: per boosting round the trainer adds up and re-partitions every sorted column entry at every
 * level (~320,000 entries a round on a 2,869 × 19 training set) and evaluates the candidates of the blocks it cannot
 * rule out. In V8 these loops cost 5–15 ns per entry (typed-array bounds checks, gathers by row index); in the
 * kernel the whole trainer runs 2.3× faster than the same loops in TypeScript. The kernel performs the operations
 * the trainer's documentation describes, in the same order: WebAssembly floats are IEEE-754 float64/float32 with no
 * fused or reordered operations, f32.demote_f64 rounds like Math.fround, and every sum is added in the same order.
 */
import { compileWasmFile } from './wasm-module.ts';

export interface KernelLayout {
  /** Sorted column entries of all features (row indices), twice: the partition writes from one into the other. */
  readonly entries: number;
  readonly rows: number;
  readonly features: number;
  /** Blocks of a node's scans (see SplitSearch). */
  readonly blocks: number;
}

/** The split search's parameters and the node's totals, as XGBoost holds them. */
export interface ScanTotals {
  readonly totalGrad: number;
  readonly totalHess: number;
  readonly rootGain: number;
  readonly minChildWeight: number;
  readonly lambda: number;
  readonly alpha: number;
}

interface KernelExports {
  memory: WebAssembly.Memory;
  sumBlocks(rows: number, gradHess: number, from: number, to: number, step: number, size: number, starts: number, grads: number, hesses: number, abss: number): number;
  partition(src: number, dst: number, goesLeft: number, start: number, end: number, nLeft: number): void;
  countLeft(src: number, goesLeft: number, start: number, end: number): number;
  bounds(grads: number, hesses: number, abss: number, bounds: number, blocks: number, totalGrad: number, totalHess: number, lambda: number): number;
  evaluate(rows: number, x: number, gradHess: number, starts: number, grads: number, hesses: number, bounds: number, blocks: number, step: number, index: number,
    totalGrad: number, totalHess: number, rootGain: number, mcw: number, lambda: number, alpha: number, state: number): void;
  gradients(margin: number, labels: number, n: number, spwMinus1: number, gradHess: number): void;
  nodeSums(position: number, gradHess: number, sumGrad: number, sumHess: number, n: number): void;
  route(position: number, goesLeft: number, leftCount: number, nodeOffset: number, nodeThreshold: number, nodeChild: number,
    nodeMissingLeft: number, x: number, n: number): void;
  addLeaves(margin: number, position: number, leafOf: number, n: number): void;
  sortColumn(rows: number, values: number, first: number, last: number): void;
}

/**
 * One fit's layout of the kernel's memory (valid until the next ScanKernel: the memory is shared and may grow):
 * two row buffers for the column slices, the inputs column by column, per-row grad/hess/|grad| (3 float64 per row),
 * margins, labels, nodes and sides, per-node arrays, the blocks of the current node's scans and the node's best
 * split so far; typed-array views where TypeScript reads or writes them, byte offsets for the kernel.
 */
export class ScanKernel {
  /** The current level's column slices (row indices); the partition writes the next level's into nextRows. */
  rows: Int32Array;
  private nextRows: Int32Array;
  readonly gradHess: Float64Array;
  /** The float32 inputs column by column (column f at f·rows), NaN = missing. */
  readonly xByColumn: Float64Array;
  /** Per row: the float32 margin, the label, the node (~node once in a finished leaf). */
  readonly margin: Float32Array;
  readonly labels: Uint8Array;
  readonly position: Int32Array;
  /**
   * Per node (at most 2·rows - 1: every leaf holds a row): the split for `route` (column offset feature·rows or
   * -1 for a leaf, threshold, children, missing side), rows routed left, gradient sums, and the value of the leaf
   * that ends up holding the node's rows.
   */
  readonly nodeOffset: Int32Array;
  readonly nodeThreshold: Float64Array;
  readonly nodeChild: Int32Array;
  readonly nodeMissingLeft: Uint8Array;
  readonly leftCount: Int32Array;
  readonly sumGrad: Float64Array;
  readonly sumHess: Float64Array;
  readonly leafOf: Float32Array;
  private readonly n: number;
  /** The best split so far: loss change and threshold (float32 values), feature index with the default-left bit. */
  private readonly bestReals: Float64Array;
  private readonly bestIndexView: Uint32Array;
  private rowsAt: number;
  private nextRowsAt: number;
  private readonly at: {
    gradHess: number; goesLeft: number; blockStart: number; blockGrad: number; blockHess: number; blockAbs: number;
    blockBound: number; x: number; best: number; margin: number; labels: number; position: number; nodeOffset: number;
    nodeThreshold: number; nodeChild: number; nodeMissingLeft: number; leftCount: number; sumGrad: number; sumHess: number;
    leafOf: number;
  };
  private readonly kernels: KernelExports;

  constructor(layout: KernelLayout) {
    this.n = layout.rows;
    const nodes = 2 * layout.rows + 2;
    let next = 0;
    const take = (bytes: number): number => {
      const at = next;
      next += Math.ceil(bytes / 16) * 16;
      return at;
    };
    this.rowsAt = take(4 * layout.entries);
    this.nextRowsAt = take(4 * layout.entries);
    this.at = {
      gradHess: take(24 * layout.rows), goesLeft: take(layout.rows), blockStart: take(4 * layout.blocks),
      blockGrad: take(8 * layout.blocks), blockHess: take(8 * layout.blocks), blockAbs: take(8 * layout.blocks),
      blockBound: take(8 * layout.blocks), x: take(8 * layout.rows * layout.features), best: take(24),
      margin: take(4 * layout.rows), labels: take(layout.rows), position: take(4 * layout.rows),
      nodeOffset: take(4 * nodes), nodeThreshold: take(8 * nodes), nodeChild: take(8 * nodes), nodeMissingLeft: take(nodes),
      leftCount: take(4 * nodes), sumGrad: take(8 * nodes), sumHess: take(8 * nodes), leafOf: take(4 * nodes),
    };
    this.kernels = kernelInstance();
    const memory = this.kernels.memory;
    const pages = Math.ceil(next / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    const buffer = memory.buffer;
    this.rows = new Int32Array(buffer, this.rowsAt, layout.entries);
    this.nextRows = new Int32Array(buffer, this.nextRowsAt, layout.entries);
    this.gradHess = new Float64Array(buffer, this.at.gradHess, 3 * layout.rows);
    this.xByColumn = new Float64Array(buffer, this.at.x, layout.rows * layout.features);
    this.bestReals = new Float64Array(buffer, this.at.best, 2);
    this.bestIndexView = new Uint32Array(buffer, this.at.best + 16, 1);
    this.margin = new Float32Array(buffer, this.at.margin, layout.rows);
    this.labels = new Uint8Array(buffer, this.at.labels, layout.rows);
    this.position = new Int32Array(buffer, this.at.position, layout.rows);
    this.nodeOffset = new Int32Array(buffer, this.at.nodeOffset, nodes);
    this.nodeThreshold = new Float64Array(buffer, this.at.nodeThreshold, nodes);
    this.nodeChild = new Int32Array(buffer, this.at.nodeChild, 2 * nodes);
    this.nodeMissingLeft = new Uint8Array(buffer, this.at.nodeMissingLeft, nodes);
    this.leftCount = new Int32Array(buffer, this.at.leftCount, nodes);
    this.sumGrad = new Float64Array(buffer, this.at.sumGrad, nodes);
    this.sumHess = new Float64Array(buffer, this.at.sumHess, nodes);
    this.leafOf = new Float32Array(buffer, this.at.leafOf, nodes);
  }

  /** Every row's gradient pair from its margin and label (see xgboost-kernel.wat "gradients"). */
  gradients(spwMinus1: number): void {
    this.kernels.gradients(this.at.margin, this.at.labels, this.n, spwMinus1, this.at.gradHess);
  }

  /** Adds every row still in a growing node to sumGrad/sumHess of its node, in row order. */
  nodeSums(): void {
    this.kernels.nodeSums(this.at.position, this.at.gradHess, this.at.sumGrad, this.at.sumHess, this.n);
  }

  /** Moves the rows of split nodes to their children and finishes the rows of new leaves (xgboost-kernel.wat "route"). */
  route(): void {
    const { at } = this;
    this.kernels.route(at.position, at.goesLeft, at.leftCount, at.nodeOffset, at.nodeThreshold, at.nodeChild, at.nodeMissingLeft, at.x, this.n);
  }

  /** Adds each row's leaf value (leafOf of its node) to its margin in float32. */
  addLeaves(): void {
    this.kernels.addLeaves(this.at.margin, this.at.position, this.at.leafOf, this.n);
  }

  get bestLoss(): number {
    return this.bestReals[0]!;
  }

  get bestValue(): number {
    return this.bestReals[1]!;
  }

  get bestIndex(): number {
    return this.bestIndexView[0]!;
  }

  resetBest(): void {
    this.bestReals[0] = 0;
    this.bestReals[1] = 0;
    this.bestIndexView[0] = 0;
  }

  /** Bounds of `blocks` blocks from block `first` into blockBound (see xgboost-kernel.wat "bounds"); returns the largest. */
  bounds(first: number, blocks: number, totalGrad: number, totalHess: number, lambda: number): number {
    const { at } = this;
    return this.kernels.bounds(at.blockGrad + 8 * first, at.blockHess + 8 * first, at.blockAbs + 8 * first, at.blockBound + 8 * first,
      blocks, totalGrad, totalHess, lambda);
  }

  /**
   * Evaluates the candidates of one scan (blocks from `first`) of column `feature` against the best so far, as
   * xgboost-kernel.wat "evaluate" describes; `index` is the feature with the default-left bit of the scan's direction.
   */
  evaluate(first: number, blocks: number, step: number, index: number, feature: number, t: ScanTotals): void {
    const { at } = this;
    this.kernels.evaluate(this.rowsAt, at.x + 8 * this.n * feature, at.gradHess, at.blockStart + 4 * first, at.blockGrad + 8 * first,
      at.blockHess + 8 * first, at.blockBound + 8 * first, blocks, step, index, t.totalGrad, t.totalHess, t.rootGain,
      t.minChildWeight, t.lambda, t.alpha, at.best);
  }

  /**
   * Scans rows[from] → rows[to] (exclusive) by `step` (±1) adding up grad, hess and |grad|, and records from block
   * `first` on, before every `size` entries and after the last, the entry index and the three running sums.
   * Returns the number of blocks.
   */
  sumBlocks(from: number, to: number, step: number, size: number, first: number): number {
    const { at } = this;
    return this.kernels.sumBlocks(this.rowsAt, at.gradHess, from, to, step, size, at.blockStart + 4 * first,
      at.blockGrad + 8 * first, at.blockHess + 8 * first, at.blockAbs + 8 * first);
  }

  /** Copies rows[start, end) into nextRows, rows with goesLeft first (nLeft of them), both in their order. */
  partition(start: number, end: number, nLeft: number): void {
    this.kernels.partition(this.rowsAt, this.nextRowsAt, this.at.goesLeft, start, end, nLeft);
  }

  /** The number of rows in rows[start, end) with goesLeft. */
  countLeft(start: number, end: number): number {
    return this.kernels.countLeft(this.rowsAt, this.at.goesLeft, start, end);
  }

  /** nextRows becomes rows (after a level's partition). */
  swapRows(): void {
    [this.rows, this.nextRows] = [this.nextRows, this.rows];
    [this.rowsAt, this.nextRowsAt] = [this.nextRowsAt, this.rowsAt];
  }
}

/**
 * Sorts each column [start[f], start[f] + length[f]) of the (row, value) pairs by value with the kernel's port of
 * libc++'s std::sort (see xgboost-columns.ts for why that order). The pairs are copied into the kernel's memory and
 * back; call it before the fit's ScanKernel is laid out (they share the memory).
 */
export function sortColumnsInKernel(rows: Int32Array, values: Float64Array, start: Int32Array, length: Int32Array): void {
  const kernels = kernelInstance();
  const valuesAt = Math.ceil((4 * rows.length) / 16) * 16;
  const bytes = valuesAt + 8 * values.length;
  const pages = Math.ceil(bytes / 65536) - kernels.memory.buffer.byteLength / 65536;
  if (pages > 0) kernels.memory.grow(pages);
  const memoryRows = new Int32Array(kernels.memory.buffer, 0, rows.length);
  const memoryValues = new Float64Array(kernels.memory.buffer, valuesAt, values.length);
  memoryRows.set(rows);
  memoryValues.set(values);
  for (let f = 0; f < start.length; f++) kernels.sortColumn(0, valuesAt, start[f]!, start[f]! + length[f]!);
  rows.set(memoryRows);
  values.set(memoryValues);
}

let instance: KernelExports | undefined;
/**
 * One instance per thread, shared by the fits (one at a time: fit() runs the trainer synchronously). A new
 * instance per fit would hand V8 new export functions each time, and the calls optimised for the previous ones
 * deoptimise (the second fit of a process ran ~50% slower). Its memory grows to the largest fit and stays.
 */
function kernelInstance(): KernelExports {
  instance ??= new WebAssembly.Instance(compileWasmFile(new URL('./xgboost-kernel.wasm', import.meta.url))).exports as unknown as KernelExports;
  return instance;
}
