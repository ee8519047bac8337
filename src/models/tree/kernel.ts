/**
 * The tree engine's WebAssembly kernels (source in kernel.wat, assembled into kernel.wasm by `npm run build:wasm`) and
 * the memory they work in: histogram builds, sibling subtraction and clearing (histogram.ts), the split scans
 * (split.ts), the row partition and the small-node sort (grower.ts).
 *
 * Why: these loops are nearly all of a fit, and V8 compiles their JavaScript with a bounds check per typed-array
 * access, overflow checks on index arithmetic and map checks it does not hoist; the same loops in WebAssembly ran
 * 1.4x (scans) to 4x (histogram builds) faster here. They are fast paths only: the JavaScript loops stay, as the
 * reference the tests compare the kernels with, and for data outside this memory (histograms beyond its capacity,
 * over 65,536 slots).
 *
 * Bit-identical: each kernel performs its JavaScript loop's IEEE-754 double operations in the same order (the same
 * rows added into each slot in the same order, the same candidates compared with the same strict "greater than").
 *
 * Memory: one instance per GrowContext (one per fit), sized once; typed-array views are handed out from it and stay
 * valid because it never grows. Bytes 0-63 hold the kernels' results.
 */
import { compileWasmFile } from '../wasm-module.ts';

/** The kernels' exports (see kernel.wat). */
interface KernelExports {
  memory: WebAssembly.Memory;
  setup(slots: number, codes: number, nF: number, n: number, stats: number, rows: number, tmp: number): void;
  partition(start: number, end: number, feature: number, bin: number, missingBin: number, missingLeft: number): number;
  buildDense(hist: number, start: number, end: number): void;
  buildMarking(hist: number, map: number, start: number, end: number): void;
  buildGH(hist: number, start: number, end: number): void;
  markOccupied(hist: number, map: number, nSlots: number): void;
  featureBuild(sums: number, marks: number, start: number, end: number, f: number, first: number): void;
  featureBuild4(sums: number, marks: number, start: number, end: number, f0: number, f1: number, f2: number, f3: number,
    first0: number, first1: number, first2: number, first3: number): void;
  featureClear(sums: number, marks: number, first: number): void;
  smallNode(
    start: number, end: number, f: number, missingBin: number, keys: number, compact: number, binOfSlot: number,
  ): number;
  subtract(parent: number, child: number, map: number, words: number): void;
  clear(hist: number, map: number, words: number): void;
  node(G: number, H: number, C: number, parentScore: number, l2: number, minLeaf: number, minHess: number): void;
  dense(at: number, nBins: number, best: number): number;
  bits(at: number, nBins: number, map: number, firstBit: number, best: number): number;
  bitsMissing(at: number, nBins: number, map: number, firstBit: number, best: number): number;
}

let compiled: WebAssembly.Module | undefined;
/** Compiled once per thread, instantiated once per GrowContext. */
function kernelModule(): WebAssembly.Module {
  compiled ??= compileWasmFile(new URL('./kernel.wasm', import.meta.url));
  return compiled;
}

/** Bytes reserved at the start of the memory for results: a scan's gain and left count, a partition's six sums. */
const RESULT_BYTES = 64;

/**
 * One instance of the kernels with its memory. GrowContext creates one per fit, places its buffers and pooled
 * histograms in it (see grower.ts), and the engine's functions call the kernels for arrays that live there.
 */
export class TreeKernel {
  private readonly k: KernelExports;
  /** The memory's buffer: arrays that are views of it can be handed to the kernels. */
  readonly buffer: ArrayBuffer;
  private readonly scanResult: Float64Array;
  /** gL, hL, wL, gR, hR, wR of the last partition. */
  readonly partitionSums: Float64Array;
  private next = RESULT_BYTES;
  private statsView: Float64Array | null = null;
  private rowsView: Int32Array | null = null;

  /** A kernel instance with room for `bytes` of arrays. */
  constructor(bytes: number) {
    this.k = new WebAssembly.Instance(kernelModule()).exports as unknown as KernelExports;
    const pages = Math.ceil((bytes + RESULT_BYTES) / 65536) - this.k.memory.buffer.byteLength / 65536;
    if (pages > 0) this.k.memory.grow(pages);
    this.buffer = this.k.memory.buffer;
    this.scanResult = new Float64Array(this.buffer, 0, 2);
    this.partitionSums = new Float64Array(this.buffer, 16, 6);
  }

  // ---- Memory ----------------------------------------------------------------------------------------------------

  /** A zeroed Float64Array of n in the kernel's memory, or null when the memory is full. */
  f64(n: number): Float64Array | null {
    const at = this.take(8 * n);
    return at < 0 ? null : new Float64Array(this.buffer, at, n);
  }

  /** A zeroed Int32Array of n in the kernel's memory, or null when the memory is full. */
  i32(n: number): Int32Array | null {
    const at = this.take(4 * n);
    return at < 0 ? null : new Int32Array(this.buffer, at, n);
  }

  private u16(n: number): Uint16Array | null {
    const at = this.take(2 * n);
    return at < 0 ? null : new Uint16Array(this.buffer, at, n);
  }

  private u8(n: number): Uint8Array | null {
    const at = this.take(n);
    return at < 0 ? null : new Uint8Array(this.buffer, at, n);
  }

  /** Byte offset of n more bytes (16-aligned), or -1 when the memory is full. */
  private take(bytes: number): number {
    const at = this.next;
    const end = at + Math.ceil(bytes / 16) * 16;
    if (end > this.buffer.byteLength) return -1;
    this.next = end;
    return at;
  }

  /** Whether a typed array lives in this memory. */
  holds(a: { readonly buffer: ArrayBufferLike }): boolean {
    return a.buffer === this.buffer;
  }

  // ---- Row kernels: builds, partition, small-node sort ---------------------------------------------------------

  /**
   * Enables the row kernels: copies the row-major slots (histogram.ts HistogramLayout.slots) and the feature-major
   * bin codes into the memory and reserves room for the rows' statistics and a tree's row list. Returns false
   * (those loops stay in JavaScript) if there is no room or the slots do not fit 16 bits.
   */
  enableRows(slots: Uint16Array | Int32Array, codes: Uint8Array, nFeatures: number, nRows: number): boolean {
    if (!(slots instanceof Uint16Array)) return false;
    const slotsCopy = this.u16(slots.length);
    const codesCopy = this.u8(codes.length);
    const stats = this.f64(3 * nRows);
    const rows = this.i32(nRows);
    const tmp = this.i32(nRows);
    if (!slotsCopy || !codesCopy || !stats || !rows || !tmp) return false;
    slotsCopy.set(slots);
    codesCopy.set(codes);
    this.statsView = stats;
    this.rowsView = rows;
    this.k.setup(
      slotsCopy.byteOffset, codesCopy.byteOffset, nFeatures, nRows, stats.byteOffset, rows.byteOffset, tmp.byteOffset,
    );
    return true;
  }

  /** Whether the row kernels are enabled. */
  get rowKernels(): boolean {
    return this.rowsView !== null;
  }

  /** The row list the row kernels work on (nRows long; a tree uses its first rows). The grower keeps its rows here. */
  get rows(): Int32Array {
    return this.rowsView!;
  }

  /** Whether the row kernels can add rows of `rows` (which must be this.rows) into `sums`. */
  canBuild(rows: Int32Array, sums: Float64Array): boolean {
    return this.rowsView !== null && rows === this.rowsView && sums.buffer === this.buffer;
  }

  /** The rows' statistics (histogram.ts RowStats) for the kernels that follow. */
  setStats(stats: Float64Array): void {
    this.statsView!.set(stats);
  }

  /**
   * histogram.ts buildHistogram's loop for rows[start, end) into a histogram in this memory: 'dense' adds G, H and
   * C, 'marking' also sets the bitmap, 'gh' adds G and H only.
   */
  build(sums: Float64Array, occupied: Int32Array, start: number, end: number, mode: 'dense' | 'marking' | 'gh'): void {
    if (mode === 'dense') this.k.buildDense(sums.byteOffset, start, end);
    else if (mode === 'marking') this.k.buildMarking(sums.byteOffset, occupied.byteOffset, start, end);
    else this.k.buildGH(sums.byteOffset, start, end);
  }

  /** histogram.ts markOccupied. */
  markOccupied(sums: Float64Array, occupied: Int32Array): void {
    this.k.markOccupied(sums.byteOffset, occupied.byteOffset, sums.length / 3);
  }

  /**
   * histogram.ts buildFeatureHistograms for rows[start, end): features[from .. to-1] into `sums` (slots as in the
   * layout's `offsets`), marks in 8-word blocks of `marks`. Four features share a pass over the rows.
   */
  buildFeatures(
    sums: Float64Array, marks: Int32Array, offsets: Int32Array, start: number, end: number,
    features: Int32Array, from: number, to: number,
  ): void {
    const k = this.k;
    let j = from;
    for (; j + 4 <= to; j += 4) {
      const f0 = features[j]!, f1 = features[j + 1]!, f2 = features[j + 2]!, f3 = features[j + 3]!;
      k.featureBuild4(sums.byteOffset, marks.byteOffset + 32 * (j - from), start, end, f0, f1, f2, f3,
        offsets[f0]!, offsets[f1]!, offsets[f2]!, offsets[f3]!);
    }
    for (; j < to; j++) {
      const f = features[j]!;
      k.featureBuild(sums.byteOffset, marks.byteOffset + 32 * (j - from), start, end, f, offsets[f]!);
    }
  }

  /** histogram.ts clearFeatureHistogram: zeroes the marked bins of the feature whose slots start at `first`. */
  clearFeature(sums: Float64Array, marks: Int32Array, first: number, block: number): void {
    this.k.featureClear(sums.byteOffset, marks.byteOffset + 32 * block, first);
  }

  /**
   * grower.ts TreeGrower.partition of rows[start, end). Returns the rows sent left; partitionSums holds the sums.
   */
  partition(start: number, end: number, feature: number, bin: number, missingBin: number, missingLeft: boolean): number {
    return this.k.partition(start, end, feature, bin, missingBin, missingLeft ? 1 : 0);
  }

  /**
   * grower.ts scanSmallNode's sort and compaction of rows[start, end) by feature f into `compact` and `binOfSlot`
   * (`keys`: room for the sort keys; all three in this memory). Returns the number of value slots.
   */
  smallNode(
    start: number, end: number, f: number, missingBin: number, keys: Int32Array, compact: Float64Array,
    binOfSlot: Int32Array,
  ): number {
    return this.k.smallNode(start, end, f, missingBin, keys.byteOffset, compact.byteOffset, binOfSlot.byteOffset);
  }

  // ---- Histogram kernels: subtraction, clearing ----------------------------------------------------------------

  /** histogram.ts subtractHistogram for histograms in this memory. */
  subtract(parent: Float64Array, child: Float64Array, childOccupied: Int32Array): void {
    this.k.subtract(parent.byteOffset, child.byteOffset, childOccupied.byteOffset, childOccupied.length);
  }

  /** Histogram.clear through the bitmap, for a histogram in this memory. */
  clear(sums: Float64Array, occupied: Int32Array): void {
    this.k.clear(sums.byteOffset, occupied.byteOffset, occupied.length);
  }

  // ---- Split scans ---------------------------------------------------------------------------------------------

  /** The node's constants for the scans that follow (split.ts BestSplit.reset). */
  node(G: number, H: number, C: number, parentScore: number, l2: number, minLeaf: number, minHess: number): void {
    this.k.node(G, H, C, parentScore, l2, minLeaf, minHess);
  }

  /**
   * split.ts's scan (no missing values) of bins 0 .. nBins-1 of `sums` from double index `base`, every bin in
   * order, against the best gain so far. Returns the new best bin, or -1 if none beat `best`; then `gain` and
   * `leftC` are its gain and left row count.
   */
  dense(sums: Float64Array, base: number, nBins: number, best: number): number {
    return this.k.dense(sums.byteOffset + 8 * base, nBins, best);
  }

  /** As dense(), visiting only bins b whose bit firstBit + b is set in `occupied` (in this memory). */
  bits(sums: Float64Array, base: number, nBins: number, occupied: Int32Array, firstBit: number, best: number): number {
    return this.k.bits(sums.byteOffset + 8 * base, nBins, occupied.byteOffset, firstBit, best);
  }

  /**
   * The scan of a feature whose missing bin has rows (each threshold tried with them on both sides), visiting the
   * bins of the bitmap. Returns 2 * bin + (1 if the missing rows go left) for the new best, or -1.
   */
  bitsMissing(
    sums: Float64Array, base: number, nBins: number, occupied: Int32Array, firstBit: number, best: number,
  ): number {
    return this.k.bitsMissing(sums.byteOffset + 8 * base, nBins, occupied.byteOffset, firstBit, best);
  }

  get gain(): number {
    return this.scanResult[0]!;
  }

  get leftC(): number {
    return this.scanResult[1]!;
  }
}
