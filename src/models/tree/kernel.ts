/**
 * The tree engine's WebAssembly kernels (source in TREE_KERNEL_WAT, assembled bytes in TREE_KERNEL_WASM_BASE64) and
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

/** The kernels' exports (see TREE_KERNEL_WAT). */
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
  compiled ??= new WebAssembly.Module(Buffer.from(TREE_KERNEL_WASM_BASE64, 'base64'));
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

// ---- The split scans' WebAssembly text --------------------------------------------------------------------------
// The three scans ("dense", "bits", "bitsMissing") evaluate the same candidate formula and two of them walk the same
// bitmap, so their text is put together from the pieces below (WebAssembly text has no macros). What the tests
// assemble and compare with TREE_KERNEL_WASM_BASE64 is the finished TREE_KERNEL_WAT.

/** Indents every line of a WAT snippet by `n` spaces. */
function indent(n: number, wat: string): string {
  const pad = ' '.repeat(n);
  return wat.split('\n').map((line) => (line ? pad + line : line)).join('\n');
}

/** The locals and the node's totals and constraints (set by "node") that every scan starts with. */
const SCAN_LOCALS = String.raw`(local $c f64) (local $gL f64) (local $hL f64) (local $cL f64) (local $hR f64) (local $gR f64)
(local $dL f64) (local $dR f64) (local $g f64) (local $bestBin i32) (local $bestC f64)`;
const SCAN_NODE_LOCALS = String.raw`(local $G f64) (local $H f64) (local $C f64) (local $ps f64) (local $l2 f64) (local $minLeaf f64) (local $minHess f64)
(local.set $G (global.get $G)) (local.set $H (global.get $H)) (local.set $C (global.get $C))
(local.set $ps (global.get $ps)) (local.set $l2 (global.get $l2))
(local.set $minLeaf (global.get $minLeaf)) (local.set $minHess (global.get $minHess))`;

/**
 * One candidate whose left child has gradient and hessian sums $<gl>, $<hl> and whose right child has hessian $<hr>
 * (checked against the constraints by the caller): gR = G - gl, dL = hl + l2, dR = hr + l2,
 * gain = (gl*gl*dR + gR*gR*dL) / (dL*dR) - ps; if gain > best, `record` runs after best and bestBin are set.
 */
function candidateWat(gl: string, hl: string, hr: string, record: string): string {
  return String.raw`(local.set $gR (f64.sub (local.get $G) (local.get $${gl})))
(local.set $dL (f64.add (local.get $${hl}) (local.get $l2)))
(local.set $dR (f64.add (local.get $${hr}) (local.get $l2)))
(local.set $g (f64.sub
  (f64.div
    (f64.add (f64.mul (f64.mul (local.get $${gl}) (local.get $${gl})) (local.get $dR))
             (f64.mul (f64.mul (local.get $gR) (local.get $gR)) (local.get $dL)))
    (f64.mul (local.get $dL) (local.get $dR)))
  (local.get $ps)))
(if (f64.gt (local.get $g) (local.get $best))
  (then
    (local.set $best (local.get $g))
    (local.set $bestBin (local.get $b))
${indent(4, record)}))`;
}

/** Adds bin $b (at byte $<at>) to the running left sums; `then` runs for an occupied bin, with its count in $c. */
function addBinWat(at: string, then: string): string {
  return String.raw`(local.set $c (f64.load offset=16 (local.get $${at})))
(if (f64.ne (local.get $c) (f64.const 0))
  (then
    (local.set $gL (f64.add (local.get $gL) (f64.load (local.get $${at}))))
    (local.set $hL (f64.add (local.get $hL) (f64.load offset=8 (local.get $${at}))))
    (local.set $cL (f64.add (local.get $cL) (local.get $c)))
${indent(4, then)}))`;
}

/**
 * Runs `body` for each bin b < $nBins whose bit $firstBit + b is set in the bitmap at $map, lowest bit first
 * (ascending bins), with $o = $at + 24*b; `br $done` leaves the walk.
 */
function forEachMarkedBinWat(body: string): string {
  return String.raw`(local.set $lastBit (i32.sub (i32.add (local.get $firstBit) (local.get $nBins)) (i32.const 1)))
(local.set $w (i32.shr_u (local.get $firstBit) (i32.const 5)))
(local.set $lastW (i32.shr_u (local.get $lastBit) (i32.const 5)))
(block $done
  (br_if $done (i32.le_s (local.get $nBins) (i32.const 0)))
  (loop $words
    (br_if $done (i32.gt_u (local.get $w) (local.get $lastW)))
    (local.set $wordStart (i32.shl (local.get $w) (i32.const 5)))
    (local.set $bits (i32.load (i32.add (local.get $map) (i32.shl (local.get $w) (i32.const 2)))))
    (if (i32.lt_s (local.get $wordStart) (local.get $firstBit))
      (then (local.set $bits (i32.and (local.get $bits)
        (i32.shl (i32.const -1) (i32.sub (local.get $firstBit) (local.get $wordStart)))))))
    (if (i32.gt_s (i32.add (local.get $wordStart) (i32.const 31)) (local.get $lastBit))
      (then (local.set $bits (i32.and (local.get $bits)
        (i32.shr_u (i32.const -1) (i32.sub (i32.add (local.get $wordStart) (i32.const 31)) (local.get $lastBit)))))))
    (block $wordDone
      (loop $set
        (br_if $wordDone (i32.eqz (local.get $bits)))
        (local.set $b (i32.sub (i32.add (local.get $wordStart) (i32.ctz (local.get $bits))) (local.get $firstBit)))
        (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
        (local.set $o (i32.add (local.get $at) (i32.mul (local.get $b) (i32.const 24))))
${indent(8, body)}
        (br $set)))
    (local.set $w (i32.add (local.get $w) (i32.const 1)))
    (br $words)))`;
}

/**
 * featureBuild4's per-row step for its k-th sampled feature: adds the row's g, h and 1 to the feature's bin in the
 * histogram at $sums and sets the bin's bit in the feature's 8 words of marks (at $marks + 32k). featureBuild4
 * writes it out for k = 0..3 (unrolled).
 */
function addRowToFeatureWat(k: number): string {
  const marks = k === 0 ? '(local.get $marks)' : `(i32.add (local.get $marks) (i32.const ${32 * k}))`;
  return indent(8, String.raw`(local.set $s (i32.load16_u (i32.add (local.get $row) (i32.shl (local.get $f${k}) (i32.const 1)))))
(local.set $o (i32.add (local.get $sums) (i32.mul (local.get $s) (i32.const 24))))
(f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
(f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
(f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
(local.set $s (i32.sub (local.get $s) (local.get $first${k})))
(local.set $wa (i32.add ${marks} (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
(i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))`);
}

const ROW_SLOT_LOCALS = String.raw`(local $rp i32) (local $rend i32) (local $i i32) (local $g f64) (local $h f64) (local $sp i32) (local $send i32) (local $o i32)`;

/**
 * The histogram builds' loop: for each row i of rows[start, end), in order, loads its g and h into $g and $h, then
 * runs `body` for each of its feature slots (u16 at $sp, row-major), in feature order.
 */
function forEachRowSlotWat(body: string): string {
  return String.raw`(local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
(local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
(block $done
  (loop $row
    (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
    (local.set $i (i32.load (local.get $rp)))
    (local.set $o (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
    (local.set $g (f64.load (local.get $o)))
    (local.set $h (f64.load offset=8 (local.get $o)))
    (local.set $sp (i32.add (global.get $slots) (i32.shl (i32.mul (local.get $i) (global.get $nF)) (i32.const 1))))
    (local.set $send (i32.add (local.get $sp) (i32.shl (global.get $nF) (i32.const 1))))
    (block $rowDone
      (loop $feature
        (br_if $rowDone (i32.ge_u (local.get $sp) (local.get $send)))
${indent(8, body)}
        (local.set $sp (i32.add (local.get $sp) (i32.const 2)))
        (br $feature)))
    (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
    (br $row)))`;
}

const BITMAP_LOCALS = String.raw`(local $w i32) (local $lastW i32) (local $lastBit i32) (local $wordStart i32) (local $bits i32) (local $b i32) (local $o i32)`;

/** Missing values to the right (no missing rows): the candidate of the scans without a missing bin. */
const CANDIDATE_NO_MISSING = String.raw`(if (f64.ge (local.get $cL) (local.get $minLeaf))
  (then
    (br_if $done (f64.lt (f64.sub (local.get $C) (local.get $cL)) (local.get $minLeaf)))
    (local.set $hR (f64.sub (local.get $H) (local.get $hL)))
    (if (i32.and (f64.ge (local.get $hL) (local.get $minHess)) (f64.ge (local.get $hR) (local.get $minHess)))
      (then
${indent(8, candidateWat('gL', 'hL', 'hR', '(local.set $bestC (local.get $cL))'))}))))`;

/** Stores the best candidate's gain and left count (bytes 0 and 8) when there is one. */
const STORE_BEST = String.raw`(if (i32.ge_s (local.get $bestBin) (i32.const 0))
  (then
    (f64.store (i32.const 0) (local.get $best))
    (f64.store (i32.const 8) (local.get $bestC))))`;

const SPLIT_SCANS_WAT = String.raw`  (func (export "dense") (param $at i32) (param $nBins i32) (param $best f64) (result i32)
    (local $b i32) ${SCAN_LOCALS.replace('\n', '\n    ')}
${indent(4, SCAN_NODE_LOCALS)}
    (local.set $bestBin (i32.const -1))
    (block $done
      (loop $bins
        (br_if $done (i32.ge_s (local.get $b) (local.get $nBins)))
${indent(8, addBinWat('at', CANDIDATE_NO_MISSING))}
        (local.set $at (i32.add (local.get $at) (i32.const 24)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bins)))
${indent(4, STORE_BEST)}
    (local.get $bestBin))

  ;; The same candidates, visiting only bins b whose bit firstBit + b of the bitmap at $map is set, lowest bit first
  ;; (ascending bins).
  (func (export "bits") (param $at i32) (param $nBins i32) (param $map i32) (param $firstBit i32) (param $best f64) (result i32)
    ${BITMAP_LOCALS}
    ${SCAN_LOCALS.replace('\n', '\n    ')}
${indent(4, SCAN_NODE_LOCALS)}
    (local.set $bestBin (i32.const -1))
${indent(4, forEachMarkedBinWat(addBinWat('o', CANDIDATE_NO_MISSING)))}
${indent(4, STORE_BEST)}
    (local.get $bestBin))

  ;; The scan of a feature whose missing bin (just after its nBins value bins) has rows: each threshold is tried
  ;; with the missing rows on the right, then on the left, as in JavaScript. Returns 2 * bin + (1 if the missing
  ;; rows go left), or -1 if no candidate beat $best.
  (func (export "bitsMissing") (param $at i32) (param $nBins i32) (param $map i32) (param $firstBit i32) (param $best f64) (result i32)
    ${BITMAP_LOCALS}
    ${SCAN_LOCALS.replace('\n', '\n    ')} (local $bestLeft i32)
    (local $gM f64) (local $hM f64) (local $cM f64) (local $gl f64) (local $hl f64) (local $cl f64) (local $hr f64)
${indent(4, SCAN_NODE_LOCALS)}
    (local.set $o (i32.add (local.get $at) (i32.mul (local.get $nBins) (i32.const 24))))
    (local.set $gM (f64.load (local.get $o)))
    (local.set $hM (f64.load offset=8 (local.get $o)))
    (local.set $cM (f64.load offset=16 (local.get $o)))
    (local.set $bestBin (i32.const -1))
${indent(4, forEachMarkedBinWat(addBinWat('o', String.raw`(if (f64.ge (f64.add (local.get $cL) (local.get $cM)) (local.get $minLeaf))
  (then
    (br_if $done (f64.lt (f64.sub (local.get $C) (local.get $cL)) (local.get $minLeaf)))
    ;; Missing values to the right.
    (local.set $hR (f64.sub (local.get $H) (local.get $hL)))
    (if (i32.and (f64.ge (local.get $cL) (local.get $minLeaf))
          (i32.and (f64.ge (local.get $hL) (local.get $minHess)) (f64.ge (local.get $hR) (local.get $minHess))))
      (then
${indent(8, candidateWat('gL', 'hL', 'hR', '(local.set $bestC (local.get $cL))\n(local.set $bestLeft (i32.const 0))'))}))
    ;; Missing values to the left.
    (local.set $gl (f64.add (local.get $gL) (local.get $gM)))
    (local.set $hl (f64.add (local.get $hL) (local.get $hM)))
    (local.set $cl (f64.add (local.get $cL) (local.get $cM)))
    (local.set $hr (f64.sub (local.get $H) (local.get $hl)))
    (if (i32.and (f64.ge (f64.sub (local.get $C) (local.get $cl)) (local.get $minLeaf))
          (i32.and (f64.ge (local.get $hl) (local.get $minHess)) (f64.ge (local.get $hr) (local.get $minHess))))
      (then
${indent(8, candidateWat('gl', 'hl', 'hr', '(local.set $bestC (local.get $cl))\n(local.set $bestLeft (i32.const 1))'))}))))`)))}
    (if (result i32) (i32.ge_s (local.get $bestBin) (i32.const 0))
      (then
        (f64.store (i32.const 0) (local.get $best))
        (f64.store (i32.const 8) (local.get $bestC))
        (i32.or (i32.shl (local.get $bestBin) (i32.const 1)) (local.get $bestLeft)))
      (else (i32.const -1))))`;

/**
 * The kernel's source. TREE_KERNEL_WASM_BASE64 is this text assembled by wabt's wat2wasm (`npm i -D wabt`;
 * test/models/tree/scan-kernel.test.ts assembles it and fails, printing the new bytes, when the two differ).
 */
export const TREE_KERNEL_WAT = String.raw`(module
  ;; A histogram's bin b is three float64 at byte offset at + 24*b: G (gradient sum), H (hessian sum), C (row count).
  ;; An occupancy bitmap is i32 words, bit j of word w standing for bit 32*w + j.
  (memory (export "memory") 1)
  (global $G (mut f64) (f64.const 0))
  (global $H (mut f64) (f64.const 0))
  (global $C (mut f64) (f64.const 0))
  (global $ps (mut f64) (f64.const 0))
  (global $l2 (mut f64) (f64.const 0))
  (global $minLeaf (mut f64) (f64.const 0))
  (global $minHess (mut f64) (f64.const 0))
  ;; A scan returns the best bin it found (-1 if none beat the gain it was given) and, when it found one, stores its
  ;; gain at byte 0 and the rows it sends left at byte 8 of the memory. Bytes 0-63 are reserved for results.

  ;; ---- Row data and histogram builds (histogram.ts addRows, markOccupied) ------------------------------------
  ;; The context, set once per GrowContext: row-major slots (u16, nF per row) at $slots, feature-major bin codes (u8,
  ;; $n per feature) at $codes, the rows' statistics (g, h, w as f64) at $stats, the tree's row list (i32) at $rows
  ;; and room for $n more row numbers at $tmp.
  (global $slots (mut i32) (i32.const 0))
  (global $codes (mut i32) (i32.const 0))
  (global $nF (mut i32) (i32.const 0))
  (global $n (mut i32) (i32.const 0))
  (global $stats (mut i32) (i32.const 0))
  (global $rows (mut i32) (i32.const 0))
  (global $tmp (mut i32) (i32.const 0))

  (func (export "setup") (param $slots i32) (param $codes i32) (param $nF i32) (param $n i32) (param $stats i32) (param $rows i32) (param $tmp i32)
    (global.set $slots (local.get $slots))
    (global.set $codes (local.get $codes))
    (global.set $nF (local.get $nF))
    (global.set $n (local.get $n))
    (global.set $stats (local.get $stats))
    (global.set $rows (local.get $rows))
    (global.set $tmp (local.get $tmp)))

  ;; grower.ts TreeGrower.partition: the stable partition of rows[start, end) by "goes left" (code <= bin, or the
  ;; missing bin when missing values go left), summing g, h and w of each side in row order. Branch-free: each row is
  ;; written to both outputs and only the chosen one advances; each sum adds the row's value or +0 (which leaves a
  ;; sum unchanged: sums start at +0 and never become -0). Stores gL hL wL gR hR wR at bytes 16-63, returns the
  ;; number of rows sent left.
  (func (export "partition") (param $start i32) (param $end i32) (param $feature i32) (param $bin i32) (param $missingBin i32) (param $missingLeft i32) (result i32)
    (local $col i32) (local $rp i32) (local $rend i32) (local $wp i32) (local $tp i32) (local $i i32) (local $b i32) (local $left i32) (local $sp i32)
    (local $g f64) (local $h f64) (local $wt f64) (local $gL f64) (local $hL f64) (local $wL f64) (local $gR f64) (local $hR f64) (local $wR f64)
    (local.set $col (i32.add (global.get $codes) (i32.mul (local.get $feature) (global.get $n))))
    (local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (local.set $wp (local.get $rp))
    (local.set $tp (global.get $tmp))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
        (local.set $i (i32.load (local.get $rp)))
        (local.set $b (i32.load8_u (i32.add (local.get $col) (local.get $i))))
        (local.set $left (select (local.get $missingLeft) (i32.le_u (local.get $b) (local.get $bin))
          (i32.eq (local.get $b) (local.get $missingBin))))
        (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $g (f64.load (local.get $sp)))
        (local.set $h (f64.load offset=8 (local.get $sp)))
        (local.set $wt (f64.load offset=16 (local.get $sp)))
        (i32.store (local.get $wp) (local.get $i))
        (i32.store (local.get $tp) (local.get $i))
        (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $left) (i32.const 2))))
        (local.set $tp (i32.add (local.get $tp) (i32.shl (i32.sub (i32.const 1) (local.get $left)) (i32.const 2))))
        (local.set $gL (f64.add (local.get $gL) (select (local.get $g) (f64.const 0) (local.get $left))))
        (local.set $hL (f64.add (local.get $hL) (select (local.get $h) (f64.const 0) (local.get $left))))
        (local.set $wL (f64.add (local.get $wL) (select (local.get $wt) (f64.const 0) (local.get $left))))
        (local.set $gR (f64.add (local.get $gR) (select (f64.const 0) (local.get $g) (local.get $left))))
        (local.set $hR (f64.add (local.get $hR) (select (f64.const 0) (local.get $h) (local.get $left))))
        (local.set $wR (f64.add (local.get $wR) (select (f64.const 0) (local.get $wt) (local.get $left))))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (br $row)))
    ;; The right rows follow the left ones.
    (local.set $rp (global.get $tmp))
    (local.set $i (local.get $wp))
    (block $copied
      (loop $copy
        (br_if $copied (i32.ge_u (local.get $rp) (local.get $tp)))
        (i32.store (local.get $i) (i32.load (local.get $rp)))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $copy)))
    (f64.store (i32.const 16) (local.get $gL))
    (f64.store (i32.const 24) (local.get $hL))
    (f64.store (i32.const 32) (local.get $wL))
    (f64.store (i32.const 40) (local.get $gR))
    (f64.store (i32.const 48) (local.get $hR))
    (f64.store (i32.const 56) (local.get $wR))
    (i32.shr_u (i32.sub (local.get $wp) (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2)))) (i32.const 2)))

  ;; For the rows rows[start, end), in order: G += g, H += h, C += 1 at the slot of each feature of the row.
  (func (export "buildDense") (param $hist i32) (param $start i32) (param $end i32)
    ${ROW_SLOT_LOCALS}
${indent(4, forEachRowSlotWat(String.raw`(local.set $o (i32.add (local.get $hist) (i32.mul (i32.load16_u (local.get $sp)) (i32.const 24))))
(f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
(f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
(f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))`))})

  ;; buildDense, also setting each touched slot's bit in the bitmap at $map.
  (func (export "buildMarking") (param $hist i32) (param $map i32) (param $start i32) (param $end i32)
    ${ROW_SLOT_LOCALS}
    (local $s i32) (local $wa i32)
${indent(4, forEachRowSlotWat(String.raw`(local.set $s (i32.load16_u (local.get $sp)))
(local.set $o (i32.add (local.get $hist) (i32.mul (local.get $s) (i32.const 24))))
(f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
(f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))
(f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
(local.set $wa (i32.add (local.get $map) (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
(i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))`))})

  ;; buildDense without the counts (G and H only).
  (func (export "buildGH") (param $hist i32) (param $start i32) (param $end i32)
    ${ROW_SLOT_LOCALS}
${indent(4, forEachRowSlotWat(String.raw`(local.set $o (i32.add (local.get $hist) (i32.mul (i32.load16_u (local.get $sp)) (i32.const 24))))
(f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (local.get $g)))
(f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (local.get $h)))`))})

  ;; The bitmap at $map from the counts: bit s set exactly when slot s has rows.
  (func (export "markOccupied") (param $hist i32) (param $map i32) (param $nSlots i32)
    (local $s i32) (local $bits i32) (local $o i32)
    (block $done
      (loop $slot
        (br_if $done (i32.ge_u (local.get $s) (local.get $nSlots)))
        (if (f64.ne (f64.load offset=16 (local.get $hist)) (f64.const 0))
          (then (local.set $bits (i32.or (local.get $bits) (i32.shl (i32.const 1) (local.get $s))))))
        (local.set $hist (i32.add (local.get $hist) (i32.const 24)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (if (i32.eqz (i32.and (local.get $s) (i32.const 31)))
          (then
            (i32.store (local.get $map) (local.get $bits))
            (local.set $map (i32.add (local.get $map) (i32.const 4)))
            (local.set $bits (i32.const 0))))
        (br $slot)))
    (if (i32.and (local.get $nSlots) (i32.const 31)) (then (i32.store (local.get $map) (local.get $bits)))))

  ;; ---- Sampled features (RandomForest: histogram.ts buildFeatureHistograms, clearFeatureHistogram) ----------
  ;; One feature f of rows[start, end) into the histogram whose slot 0 is at $sums (the feature's slots start at slot
  ;; $first), setting bit (slot - first) of the 8 words at $marks for every occupied bin.
  (func (export "featureBuild") (param $sums i32) (param $marks i32) (param $start i32) (param $end i32) (param $f i32) (param $first i32)
    (local $rp i32) (local $rend i32) (local $i i32) (local $sp i32) (local $s i32) (local $o i32) (local $wa i32)
    (local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
        (local.set $i (i32.load (local.get $rp)))
        (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $s (i32.load16_u (i32.add (global.get $slots)
          (i32.shl (i32.add (i32.mul (local.get $i) (global.get $nF)) (local.get $f)) (i32.const 1)))))
        (local.set $o (i32.add (local.get $sums) (i32.mul (local.get $s) (i32.const 24))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64.load (local.get $sp))))
        (f64.store offset=8 (local.get $o) (f64.add (f64.load offset=8 (local.get $o)) (f64.load offset=8 (local.get $sp))))
        (f64.store offset=16 (local.get $o) (f64.add (f64.load offset=16 (local.get $o)) (f64.const 1)))
        (local.set $s (i32.sub (local.get $s) (local.get $first)))
        (local.set $wa (i32.add (local.get $marks) (i32.shl (i32.shr_u (local.get $s) (i32.const 5)) (i32.const 2))))
        (i32.store (local.get $wa) (i32.or (i32.load (local.get $wa)) (i32.shl (i32.const 1) (local.get $s))))
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (br $row))))

  ;; featureBuild for four features in one pass over the rows (marks blocks of 8 words at $marks, +32, +64, +96).
  (func (export "featureBuild4") (param $sums i32) (param $marks i32) (param $start i32) (param $end i32)
    (param $f0 i32) (param $f1 i32) (param $f2 i32) (param $f3 i32)
    (param $first0 i32) (param $first1 i32) (param $first2 i32) (param $first3 i32)
    (local $rp i32) (local $rend i32) (local $i i32) (local $sp i32) (local $row i32) (local $g f64) (local $h f64)
    (local $s i32) (local $o i32) (local $wa i32)
    (local.set $rp (i32.add (global.get $rows) (i32.shl (local.get $start) (i32.const 2))))
    (local.set $rend (i32.add (global.get $rows) (i32.shl (local.get $end) (i32.const 2))))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_u (local.get $rp) (local.get $rend)))
        (local.set $i (i32.load (local.get $rp)))
        (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $g (f64.load (local.get $sp)))
        (local.set $h (f64.load offset=8 (local.get $sp)))
        (local.set $row (i32.add (global.get $slots) (i32.shl (i32.mul (local.get $i) (global.get $nF)) (i32.const 1))))
${[0, 1, 2, 3].map((k) => addRowToFeatureWat(k)).join('\n')}
        (local.set $rp (i32.add (local.get $rp) (i32.const 4)))
        (br $rowLoop))))

  ;; Zeroes the marked bins of one feature (its slots start at $first in the histogram at $sums) and its 8 words of
  ;; marks.
  (func (export "featureClear") (param $sums i32) (param $marks i32) (param $first i32)
    (local $w i32) (local $bits i32) (local $o i32)
    (block $done
      (loop $words
        (br_if $done (i32.ge_u (local.get $w) (i32.const 8)))
        (local.set $bits (i32.load (i32.add (local.get $marks) (i32.shl (local.get $w) (i32.const 2)))))
        (block $wordDone
          (loop $set
            (br_if $wordDone (i32.eqz (local.get $bits)))
            (local.set $o (i32.add (local.get $sums) (i32.mul (i32.add (local.get $first)
              (i32.add (i32.shl (local.get $w) (i32.const 5)) (i32.ctz (local.get $bits)))) (i32.const 24))))
            (f64.store (local.get $o) (f64.const 0))
            (f64.store offset=8 (local.get $o) (f64.const 0))
            (f64.store offset=16 (local.get $o) (f64.const 0))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (br $set)))
        (i32.store (i32.add (local.get $marks) (i32.shl (local.get $w) (i32.const 2))) (i32.const 0))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $words))))

  ;; grower.ts scanSmallNode's compaction: sorts rows[start, end) by their code of feature f (insertion sort of keys
  ;; code * 256 + position at $keys: unique keys, so ties keep row order), then sums each occupied bin's rows into
  ;; consecutive slots of the compact histogram at $compact (bin codes to $binOfSlot), missing bin last. Returns the
  ;; number of value slots.
  (func (export "smallNode") (param $start i32) (param $end i32) (param $f i32) (param $missingBin i32)
    (param $keys i32) (param $compact i32) (param $binOfSlot i32) (result i32)
    (local $n i32) (local $col i32) (local $k i32) (local $j i32) (local $key i32) (local $slots i32) (local $code i32)
    (local $i i32) (local $sp i32) (local $g f64) (local $h f64) (local $c f64) (local $o i32)
    (local.set $n (i32.sub (local.get $end) (local.get $start)))
    (local.set $col (i32.add (global.get $codes) (i32.mul (local.get $f) (global.get $n))))
    (block $sorted
      (loop $insert
        (br_if $sorted (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $key (i32.add
          (i32.shl (i32.load8_u (i32.add (local.get $col)
            (i32.load (i32.add (global.get $rows) (i32.shl (i32.add (local.get $start) (local.get $k)) (i32.const 2)))))) (i32.const 8))
          (local.get $k)))
        (local.set $j (i32.sub (local.get $k) (i32.const 1)))
        (block $placed
          (loop $shift
            (br_if $placed (i32.lt_s (local.get $j) (i32.const 0)))
            (br_if $placed (i32.le_s (i32.load (i32.add (local.get $keys) (i32.shl (local.get $j) (i32.const 2)))) (local.get $key)))
            (i32.store (i32.add (local.get $keys) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2)))
              (i32.load (i32.add (local.get $keys) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $shift)))
        (i32.store (i32.add (local.get $keys) (i32.shl (i32.add (local.get $j) (i32.const 1)) (i32.const 2))) (local.get $key))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $insert)))
    (local.set $k (i32.const 0))
    (block $valuesDone
      (loop $slot
        (br_if $valuesDone (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $code (i32.shr_u (i32.load (i32.add (local.get $keys) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 8)))
        (br_if $valuesDone (i32.eq (local.get $code) (local.get $missingBin)))
        (local.set $g (f64.const 0)) (local.set $h (f64.const 0)) (local.set $c (f64.const 0))
        (block $binDone
          (loop $inBin
            (br_if $binDone (i32.ge_s (local.get $k) (local.get $n)))
            (local.set $key (i32.load (i32.add (local.get $keys) (i32.shl (local.get $k) (i32.const 2)))))
            (br_if $binDone (i32.ne (i32.shr_u (local.get $key) (i32.const 8)) (local.get $code)))
            (local.set $i (i32.load (i32.add (global.get $rows)
              (i32.shl (i32.add (local.get $start) (i32.and (local.get $key) (i32.const 255))) (i32.const 2)))))
            (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
            (local.set $g (f64.add (local.get $g) (f64.load (local.get $sp))))
            (local.set $h (f64.add (local.get $h) (f64.load offset=8 (local.get $sp))))
            (local.set $c (f64.add (local.get $c) (f64.const 1)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $inBin)))
        (local.set $o (i32.add (local.get $compact) (i32.mul (local.get $slots) (i32.const 24))))
        (f64.store (local.get $o) (local.get $g))
        (f64.store offset=8 (local.get $o) (local.get $h))
        (f64.store offset=16 (local.get $o) (local.get $c))
        (i32.store (i32.add (local.get $binOfSlot) (i32.shl (local.get $slots) (i32.const 2))) (local.get $code))
        (local.set $slots (i32.add (local.get $slots) (i32.const 1)))
        (br $slot)))
    ;; Rows with a missing value sort last (their code is the largest).
    (local.set $g (f64.const 0)) (local.set $h (f64.const 0)) (local.set $c (f64.const 0))
    (block $missingDone
      (loop $missing
        (br_if $missingDone (i32.ge_s (local.get $k) (local.get $n)))
        (local.set $key (i32.load (i32.add (local.get $keys) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $i (i32.load (i32.add (global.get $rows)
          (i32.shl (i32.add (local.get $start) (i32.and (local.get $key) (i32.const 255))) (i32.const 2)))))
        (local.set $sp (i32.add (global.get $stats) (i32.mul (local.get $i) (i32.const 24))))
        (local.set $g (f64.add (local.get $g) (f64.load (local.get $sp))))
        (local.set $h (f64.add (local.get $h) (f64.load offset=8 (local.get $sp))))
        (local.set $c (f64.add (local.get $c) (f64.const 1)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $missing)))
    (local.set $o (i32.add (local.get $compact) (i32.mul (local.get $slots) (i32.const 24))))
    (f64.store (local.get $o) (local.get $g))
    (f64.store offset=8 (local.get $o) (local.get $h))
    (f64.store offset=16 (local.get $o) (local.get $c))
    (local.get $slots))

  ;; ---- Sibling subtraction and clearing (histogram.ts subtractHistogram, Histogram.clear) --------------------
  ;; parent -= child over the child's occupied slots (bitmap at $map, $words words).
  (func (export "subtract") (param $parent i32) (param $child i32) (param $map i32) (param $words i32)
    (local $w i32) (local $bits i32) (local $off i32) (local $p i32) (local $c i32)
    (block $done
      (loop $wordLoop
        (br_if $done (i32.ge_u (local.get $w) (local.get $words)))
        (local.set $bits (i32.load (i32.add (local.get $map) (i32.shl (local.get $w) (i32.const 2)))))
        (block $wordDone
          (loop $set
            (br_if $wordDone (i32.eqz (local.get $bits)))
            (local.set $off (i32.mul (i32.add (i32.shl (local.get $w) (i32.const 5)) (i32.ctz (local.get $bits))) (i32.const 24)))
            (local.set $p (i32.add (local.get $parent) (local.get $off)))
            (local.set $c (i32.add (local.get $child) (local.get $off)))
            (f64.store (local.get $p) (f64.sub (f64.load (local.get $p)) (f64.load (local.get $c))))
            (f64.store offset=8 (local.get $p) (f64.sub (f64.load offset=8 (local.get $p)) (f64.load offset=8 (local.get $c))))
            (f64.store offset=16 (local.get $p) (f64.sub (f64.load offset=16 (local.get $p)) (f64.load offset=16 (local.get $c))))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (br $set)))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $wordLoop))))

  ;; Zeroes the slots of the bitmap at $map ($words words) and the bitmap.
  (func (export "clear") (param $hist i32) (param $map i32) (param $words i32)
    (local $w i32) (local $bits i32) (local $o i32) (local $wa i32)
    (block $done
      (loop $wordLoop
        (br_if $done (i32.ge_u (local.get $w) (local.get $words)))
        (local.set $wa (i32.add (local.get $map) (i32.shl (local.get $w) (i32.const 2))))
        (local.set $bits (i32.load (local.get $wa)))
        (block $wordDone
          (loop $set
            (br_if $wordDone (i32.eqz (local.get $bits)))
            (local.set $o (i32.add (local.get $hist)
              (i32.mul (i32.add (i32.shl (local.get $w) (i32.const 5)) (i32.ctz (local.get $bits))) (i32.const 24))))
            (f64.store (local.get $o) (f64.const 0))
            (f64.store offset=8 (local.get $o) (f64.const 0))
            (f64.store offset=16 (local.get $o) (f64.const 0))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            (br $set)))
        (i32.store (local.get $wa) (i32.const 0))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $wordLoop))))

  ;; ---- The split scans (split.ts BestSplit.scanJs) ----------------------------------------------------------
  (func (export "node") (param $G f64) (param $H f64) (param $C f64) (param $ps f64) (param $l2 f64) (param $minLeaf f64) (param $minHess f64)
    (global.set $G (local.get $G))
    (global.set $H (local.get $H))
    (global.set $C (local.get $C))
    (global.set $ps (local.get $ps))
    (global.set $l2 (local.get $l2))
    (global.set $minLeaf (local.get $minLeaf))
    (global.set $minHess (local.get $minHess)))

  ;; Every bin in order, skipping empty ones (count 0). For each candidate, as in JavaScript:
  ;;   if (cL < minLeaf) continue; if (C - cL < minLeaf) break; hR = H - hL;
  ;;   if (hL >= minHess && hR >= minHess) { gR = G - gL; dL = hL + l2; dR = hR + l2;
  ;;     gain = (gL*gL*dR + gR*gR*dL) / (dL*dR) - ps; if (gain > best) record }
${SPLIT_SCANS_WAT}
)`;

export const TREE_KERNEL_WASM_BASE64 =
  'AGFzbQEAAAABXwpgB39/f39/f38AYAZ/f39/f38Bf2ADf39/AGAEf39/fwBgBn9/f39/fwBgDH9/f39/f39/f39/fwBgB39/f39/f38Bf2AHfHx8' +
  'fHx8fABgA39/fAF/YAV/f39/fAF/AxEQAAECAwICBAUCBgMCBwgJCQUDAQABBngOfAFEAAAAAAAAAAALfAFEAAAAAAAAAAALfAFEAAAAAAAAAAAL' +
  'fAFEAAAAAAAAAAALfAFEAAAAAAAAAAALfAFEAAAAAAAAAAALfAFEAAAAAAAAAAALfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38BQQALfwFBAAsH' +
  'xAERBm1lbW9yeQIABXNldHVwAAAJcGFydGl0aW9uAAEKYnVpbGREZW5zZQACDGJ1aWxkTWFya2luZwADB2J1aWxkR0gABAxtYXJrT2NjdXBpZWQA' +
  'BQxmZWF0dXJlQnVpbGQABg1mZWF0dXJlQnVpbGQ0AAcMZmVhdHVyZUNsZWFyAAgJc21hbGxOb2RlAAkIc3VidHJhY3QACgVjbGVhcgALBG5vZGUA' +
  'DAVkZW5zZQANBGJpdHMADgtiaXRzTWlzc2luZwAPCrofEB4AIAAkByABJAggAiQJIAMkCiAEJAsgBSQMIAYkDQv/AgIJfwl8IwggAiMKbGohBiMM' +
  'IABBAnRqIQcjDCABQQJ0aiEIIAchCSMNIQoCQANAIAcgCE8NASAHKAIAIQsgBiALai0AACEMIAUgDCADTSAMIARGGyENIwsgC0EYbGohDiAOKwMA' +
  'IQ8gDisDCCEQIA4rAxAhESAJIAs2AgAgCiALNgIAIAkgDUECdGohCSAKQQEgDWtBAnRqIQogEiAPRAAAAAAAAAAAIA0boCESIBMgEEQAAAAAAAAA' +
  'ACANG6AhEyAUIBFEAAAAAAAAAAAgDRugIRQgFUQAAAAAAAAAACAPIA0boCEVIBZEAAAAAAAAAAAgECANG6AhFiAXRAAAAAAAAAAAIBEgDRugIRcg' +
  'B0EEaiEHDAALCyMNIQcgCSELAkADQCAHIApPDQEgCyAHKAIANgIAIAdBBGohByALQQRqIQsMAAsLQRAgEjkDAEEYIBM5AwBBICAUOQMAQSggFTkD' +
  'AEEwIBY5AwBBOCAXOQMAIAkjDCAAQQJ0amtBAnYLuQEDA38CfAN/IwwgAUECdGohAyMMIAJBAnRqIQQCQANAIAMgBE8NASADKAIAIQUjCyAFQRhs' +
  'aiEKIAorAwAhBiAKKwMIIQcjByAFIwlsQQF0aiEIIAgjCUEBdGohCQJAA0AgCCAJTw0BIAAgCC8BAEEYbGohCiAKIAorAwAgBqA5AwAgCiAKKwMI' +
  'IAegOQMIIAogCisDEEQAAAAAAADwP6A5AxAgCEECaiEIDAALCyADQQRqIQMMAAsLC9oBAwN/AnwFfyMMIAJBAnRqIQQjDCADQQJ0aiEFAkADQCAE' +
  'IAVPDQEgBCgCACEGIwsgBkEYbGohCyALKwMAIQcgCysDCCEIIwcgBiMJbEEBdGohCSAJIwlBAXRqIQoCQANAIAkgCk8NASAJLwEAIQwgACAMQRhs' +
  'aiELIAsgCysDACAHoDkDACALIAsrAwggCKA5AwggCyALKwMQRAAAAAAAAPA/oDkDECABIAxBBXZBAnRqIQ0gDSANKAIAQQEgDHRyNgIAIAlBAmoh' +
  'CQwACwsgBEEEaiEEDAALCwulAQMDfwJ8A38jDCABQQJ0aiEDIwwgAkECdGohBAJAA0AgAyAETw0BIAMoAgAhBSMLIAVBGGxqIQogCisDACEGIAor' +
  'AwghByMHIAUjCWxBAXRqIQggCCMJQQF0aiEJAkADQCAIIAlPDQEgACAILwEAQRhsaiEKIAogCisDACAGoDkDACAKIAorAwggB6A5AwggCEECaiEI' +
  'DAALCyADQQRqIQMMAAsLC2cBA38CQANAIAMgAk8NASAAKwMQRAAAAAAAAAAAYgRAIARBASADdHIhBAsgAEEYaiEAIANBAWohAyADQR9xRQRAIAEg' +
  'BDYCACABQQRqIQFBACEECwwACwsgAkEfcQRAIAEgBDYCAAsLtAEBB38jDCACQQJ0aiEGIwwgA0ECdGohBwJAA0AgBiAHTw0BIAYoAgAhCCMLIAhB' +
  'GGxqIQkjByAIIwlsIARqQQF0ai8BACEKIAAgCkEYbGohCyALIAsrAwAgCSsDAKA5AwAgCyALKwMIIAkrAwigOQMIIAsgCysDEEQAAAAAAADwP6A5' +
  'AxAgCiAFayEKIAEgCkEFdkECdGohDCAMIAwoAgBBASAKdHI2AgAgBkEEaiEGDAALCwuNBAMFfwJ8A38jDCACQQJ0aiEMIwwgA0ECdGohDQJAA0Ag' +
  'DCANTw0BIAwoAgAhDiMLIA5BGGxqIQ8gDysDACERIA8rAwghEiMHIA4jCWxBAXRqIRAgECAEQQF0ai8BACETIAAgE0EYbGohFCAUIBQrAwAgEaA5' +
  'AwAgFCAUKwMIIBKgOQMIIBQgFCsDEEQAAAAAAADwP6A5AxAgEyAIayETIAEgE0EFdkECdGohFSAVIBUoAgBBASATdHI2AgAgECAFQQF0ai8BACET' +
  'IAAgE0EYbGohFCAUIBQrAwAgEaA5AwAgFCAUKwMIIBKgOQMIIBQgFCsDEEQAAAAAAADwP6A5AxAgEyAJayETIAFBIGogE0EFdkECdGohFSAVIBUo' +
  'AgBBASATdHI2AgAgECAGQQF0ai8BACETIAAgE0EYbGohFCAUIBQrAwAgEaA5AwAgFCAUKwMIIBKgOQMIIBQgFCsDEEQAAAAAAADwP6A5AxAgEyAK' +
  'ayETIAFBwABqIBNBBXZBAnRqIRUgFSAVKAIAQQEgE3RyNgIAIBAgB0EBdGovAQAhEyAAIBNBGGxqIRQgFCAUKwMAIBGgOQMAIBQgFCsDCCASoDkD' +
  'CCAUIBQrAxBEAAAAAAAA8D+gOQMQIBMgC2shEyABQeAAaiATQQV2QQJ0aiEVIBUgFSgCAEEBIBN0cjYCACAMQQRqIQwMAAsLC4kBAQN/AkADQCAD' +
  'QQhPDQEgASADQQJ0aigCACEEAkADQCAERQ0BIAAgAiADQQV0IARoampBGGxqIQUgBUQAAAAAAAAAADkDACAFRAAAAAAAAAAAOQMIIAVEAAAAAAAA' +
  'AAA5AxAgBCAEQQFrcSEEDAALCyABIANBAnRqQQA2AgAgA0EBaiEDDAALCwuxBAMJfwN8AX8gASAAayEHIwggAiMKbGohCAJAA0AgCSAHTg0BIAgj' +
  'DCAAIAlqQQJ0aigCAGotAABBCHQgCWohCyAJQQFrIQoCQANAIApBAEgNASAEIApBAnRqKAIAIAtMDQEgBCAKQQFqQQJ0aiAEIApBAnRqKAIANgIA' +
  'IApBAWshCgwACwsgBCAKQQFqQQJ0aiALNgIAIAlBAWohCQwACwtBACEJAkADQCAJIAdODQEgBCAJQQJ0aigCAEEIdiENIA0gA0YNAUQAAAAAAAAA' +
  'ACEQRAAAAAAAAAAAIRFEAAAAAAAAAAAhEgJAA0AgCSAHTg0BIAQgCUECdGooAgAhCyALQQh2IA1HDQEjDCAAIAtB/wFxakECdGooAgAhDiMLIA5B' +
  'GGxqIQ8gECAPKwMAoCEQIBEgDysDCKAhESASRAAAAAAAAPA/oCESIAlBAWohCQwACwsgBSAMQRhsaiETIBMgEDkDACATIBE5AwggEyASOQMQIAYg' +
  'DEECdGogDTYCACAMQQFqIQwMAAsLRAAAAAAAAAAAIRBEAAAAAAAAAAAhEUQAAAAAAAAAACESAkADQCAJIAdODQEgBCAJQQJ0aigCACELIwwgACAL' +
  'Qf8BcWpBAnRqKAIAIQ4jCyAOQRhsaiEPIBAgDysDAKAhECARIA8rAwigIREgEkQAAAAAAADwP6AhEiAJQQFqIQkMAAsLIAUgDEEYbGohEyATIBA5' +
  'AwAgEyAROQMIIBMgEjkDECAMC4oBAQV/AkADQCAEIANPDQEgAiAEQQJ0aigCACEFAkADQCAFRQ0BIARBBXQgBWhqQRhsIQYgACAGaiEHIAEgBmoh' +
  'CCAHIAcrAwAgCCsDAKE5AwAgByAHKwMIIAgrAwihOQMIIAcgBysDECAIKwMQoTkDECAFIAVBAWtxIQUMAAsLIARBAWohBAwACwsLhAEBBH8CQANA' +
  'IAMgAk8NASABIANBAnRqIQYgBigCACEEAkADQCAERQ0BIAAgA0EFdCAEaGpBGGxqIQUgBUQAAAAAAAAAADkDACAFRAAAAAAAAAAAOQMIIAVEAAAA' +
  'AAAAAAA5AxAgBCAEQQFrcSEEDAALCyAGQQA2AgAgA0EBaiEDDAALCwseACAAJAAgASQBIAIkAiADJAMgBCQEIAUkBSAGJAYL/AEEAX8JfAF/CHwj' +
  'ACEPIwEhECMCIREjAyESIwQhEyMFIRQjBiEVQX8hDQJAA0AgAyABTg0BIAArAxAhBCAERAAAAAAAAAAAYgRAIAUgACsDAKAhBSAGIAArAwigIQYg' +
  'ByAEoCEHIAcgFGYEQCARIAehIBRjDQMgECAGoSEIIAYgFWYgCCAVZnEEQCAPIAWhIQkgBiAToCEKIAggE6AhCyAFIAWiIAuiIAkgCaIgCqKgIAog' +
  'C6KjIBKhIQwgDCACZARAIAwhAiADIQ0gByEOCwsLCyAAQRhqIQAgA0EBaiEDDAALCyANQQBOBEBBACACOQMAQQggDjkDAAsgDQuEAwQHfwl8AX8I' +
  'fCMAIRcjASEYIwIhGSMDIRojBCEbIwUhHCMGIR1BfyEVIAMgAWpBAWshByADQQV2IQUgB0EFdiEGAkAgAUEATA0AA0AgBSAGSw0BIAVBBXQhCCAC' +
  'IAVBAnRqKAIAIQkgCCADSARAIAlBfyADIAhrdHEhCQsgCEEfaiAHSgRAIAlBfyAIQR9qIAdrdnEhCQsCQANAIAlFDQEgCCAJaGogA2shCiAJIAlB' +
  'AWtxIQkgACAKQRhsaiELIAsrAxAhDCAMRAAAAAAAAAAAYgRAIA0gCysDAKAhDSAOIAsrAwigIQ4gDyAMoCEPIA8gHGYEQCAZIA+hIBxjDQUgGCAO' +
  'oSEQIA4gHWYgECAdZnEEQCAXIA2hIREgDiAboCESIBAgG6AhEyANIA2iIBOiIBEgEaIgEqKgIBIgE6KjIBqhIRQgFCAEZARAIBQhBCAKIRUgDyEW' +
  'CwsLCwwACwsgBUEBaiEFDAALCyAVQQBOBEBBACAEOQMAQQggFjkDAAsgFQu5BAYHfwl8AX8BfAF/DnwjACEfIwEhICMCISEjAyEiIwQhIyMFISQj' +
  'BiElIAAgAUEYbGohCyALKwMAIRggCysDCCEZIAsrAxAhGkF/IRUgAyABakEBayEHIANBBXYhBSAHQQV2IQYCQCABQQBMDQADQCAFIAZLDQEgBUEF' +
  'dCEIIAIgBUECdGooAgAhCSAIIANIBEAgCUF/IAMgCGt0cSEJCyAIQR9qIAdKBEAgCUF/IAhBH2ogB2t2cSEJCwJAA0AgCUUNASAIIAloaiADayEK' +
  'IAkgCUEBa3EhCSAAIApBGGxqIQsgCysDECEMIAxEAAAAAAAAAABiBEAgDSALKwMAoCENIA4gCysDCKAhDiAPIAygIQ8gDyAaoCAkZgRAICEgD6Eg' +
  'JGMNBSAgIA6hIRAgDyAkZiAOICVmIBAgJWZxcQRAIB8gDaEhESAOICOgIRIgECAjoCETIA0gDaIgE6IgESARoiASoqAgEiAToqMgIqEhFCAUIARk' +
  'BEAgFCEEIAohFSAPIRZBACEXCwsgDSAYoCEbIA4gGaAhHCAPIBqgIR0gICAcoSEeICEgHaEgJGYgHCAlZiAeICVmcXEEQCAfIBuhIREgHCAjoCES' +
  'IB4gI6AhEyAbIBuiIBOiIBEgEaIgEqKgIBIgE6KjICKhIRQgFCAEZARAIBQhBCAKIRUgHSEWQQEhFwsLCwsMAAsLIAVBAWohBQwACwsgFUEATgR/' +
  'QQAgBDkDAEEIIBY5AwAgFUEBdCAXcgVBfwsL';
