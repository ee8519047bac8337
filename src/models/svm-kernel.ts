/**
 * The RBF kernel matrix K(i, j) = exp(-gamma · |z_i - z_j|²) of one fit's training set, and the WebAssembly loops
 * that read it. The matrix is computed once per fit and shared by every SMO solve of that fit: the five Platt
 * cross-validation folds and the final model each solve a problem over a subset of the same rows, and each reads its
 * sub-matrix through its own index map (svm-solver.ts).
 *
 * Values are computed the way LIBSVM computes them, so that a solve over this kernel takes exactly the steps LIBSVM's
 * takes: |z_i - z_j|² is expanded as ‖z_i‖² + ‖z_j‖² − 2·z_i·z_j, each dot product is summed from 0 in feature
 * order, the exponential is Math.exp's (LIBSVM in wasm calls Math.exp) and the result is rounded to float32, the
 * precision of LIBSVM's kernel cache (`Qfloat`). The diagonal stays float64 (LIBSVM's `QD`).
 *
 * Storage is bounded by a memory budget:
 * - dense: the whole symmetric n×n float32 matrix, computed up front (each pair once, then mirrored), when it fits
 *   the budget; 33 MB at the 2,869 rows of a typical training set;
 * - rows: above the budget, rows are computed on demand into a least-recently-used cache of budget / (4·n) rows (as
 *   LIBSVM's `cache_size` does), so that large n still trains, only slower.
 * Both hold exactly the same values, hence give the same solutions.
 *
 * Why WebAssembly: a fit is ~14,000 SMO iterations, each two passes over ~2,000 active variables with a kernel-row
 * lookup per variable, plus ~4 million kernel values and ~3.6 million cross-validation decision terms. As plain
 * TypeScript loops the passes took 4-8 ns per variable. The loops here (svm-kernel.wat) take two variables, rows or
 * columns at a time in the lanes of an f64x2 and use only IEEE add/sub/mul/div/compare; lanes are never two terms of
 * one sum, so every value is the same sequence of float64 operations as the one-at-a-time loop in the comments.
 * Even the exponential runs in wasm, as fdlibm's algorithm, which is what V8's Math.exp computes (bit for bit, the
 * tests check millions of arguments): in a process that has instantiated any wasm module (tsx's own module lexer
 * does), Math.exp costs ~50 ns instead of ~18 ns, and the kernel and decision values need ~7.7 million of them.
 */
import { compileWasmFile } from './wasm-module.ts';

/** LIBSVM's default cache_size is 100 MB; ours is larger so that the dense path covers ~8,000 rows. */
export const DEFAULT_KERNEL_BUDGET_BYTES = 256 * 2 ** 20;
/** wasm32 memory ends at 4 GiB; the kernel region is kept well below it. */
const MAX_KERNEL_BYTES = 2 ** 31;
/** Held-out rows per batch when evaluating decision values. */
const DECISION_BLOCK_ROWS = 64;
/**
 * A released kernel's wasm instance is kept for the next fit in this thread if its memory is at most this large:
 * fits then reuse the memory instead of mapping (and faulting in) ~36 MB each time, which also spares the garbage
 * collector the external-memory pressure. Larger memories are left to the collector.
 */
const REUSE_LIMIT_BYTES = 64 * 2 ** 20;
let spare: WebAssembly.Instance | undefined;
/** Bytes 0..167 of the memory hold svm-kernel.wat's constant table (its data segment). */
const WASM_CONSTANTS_BYTES = 168;

/** The solver's per-variable arrays in the kernel's memory (see SvmOps.layout), sized for n variables. */
export interface SolverArrays {
  /** Kernel row (= column) of each variable. */
  base: Int32Array;
  /** y_i·∇f_i: the gradient with each variable's label folded in. */
  yG: Float64Array;
  /** y_i·Ḡ_i, Ḡ being the gradient's part from the variables at their upper bound. */
  yGbar: Float64Array;
  /** K(i, i). */
  QD: Float64Array;
  /** −1 for the variables in I_up, NaN for the others; +1 for the variables in I_low, NaN for the others. */
  upMul: Float64Array;
  lowMul: Float64Array;
  /** Byte offset of each array above, for the wasm loops. */
  at: { base: number; yG: number; yGbar: number; QD: number; upMul: number; lowMul: number };
}

/** The loops of svm-kernel.wat (offsets are bytes into the kernel's memory). */
export interface SvmOps {
  memory: WebAssembly.Memory;
  /** Maximum of −y·∇f over I_up found by the last updateScan(), and of y·∇f over I_low. */
  gmax: WebAssembly.Global;
  gmax2: WebAssembly.Global;
  layout(base: number, yG: number, yGbar: number, QD: number, upMul: number, lowMul: number): void;
  updateScan(n: number, mode: number, rowI: number, rowJ: number, si: number, sj: number, ci: number, cj: number): number;
  selectJ(n: number, rowI: number, qdi: number, gmax: number): number;
  axpy(dst: number, from: number, to: number, row: number, c: number): void;
  exp(x: number): number;
  expSpan(src: number, count: number, dst: number): void;
  rbfRow(zrm: number, zt: number, sq: number, stride: number, d: number, i: number, j0: number, count: number, negGamma: number, args: number, out: number): void;
  decisions(zrm: number, d: number, pairs: number, nPairs: number, sv: number, coef: number, nSv: number, rho: number, negGamma: number, scratch: number, out: number): void;
  mirror(K: number, n: number, i0: number, i1: number): void;
}

/** The kernel matrix of one fit, with the memory the solver works in. */
export class KernelMatrix {
  readonly size: number;
  readonly storage: 'dense' | 'rows';
  /** The wasm loops, over this kernel's memory. */
  readonly ops: SvmOps;
  /** The solver's arrays (one solve at a time). */
  readonly solver: SolverArrays;
  /** A float32 view of the whole memory: entry j of the row at byte offset r is f32[r / 4 + j]. */
  readonly f32: Float32Array;
  private readonly d: number;
  private readonly stride: number;
  private readonly negGamma: number;
  private readonly diag: Float64Array;
  private readonly at: Record<'zrm' | 'zt' | 'sq' | 'args' | 'sv' | 'coef' | 'pairs' | 'out' | 'scratch' | 'K', number>;
  /** Row cache (storage 'rows'): kernel row → slot, least recently used first. */
  private readonly slots = new Map<number, number>();
  private readonly capacity: number;
  private readonly instance: WebAssembly.Instance;
  private released = false;

  constructor(Z: { nRows: number; nCols: number; data: Float64Array }, gamma: number, budgetBytes = DEFAULT_KERNEL_BUDGET_BYTES) {
    if (!(gamma > 0)) throw new Error(`KernelMatrix: gamma must be positive, got ${gamma}`);
    if (!(budgetBytes > 0)) throw new Error(`KernelMatrix: the memory budget must be positive, got ${budgetBytes}`);
    const n = Z.nRows;
    const d = Z.nCols;
    this.size = n;
    this.d = d;
    this.negGamma = -gamma;
    // Columns are read eight at a time from any start and variables two at a time, so everything is padded past n.
    const stride = Math.ceil(n / 8) * 8 + 8;
    this.stride = stride;
    const budget = Math.min(budgetBytes, MAX_KERNEL_BYTES);
    this.storage = n * n * 4 <= budget ? 'dense' : 'rows';
    this.capacity = this.storage === 'dense' ? n : Math.min(n, Math.max(2, Math.floor(budget / (4 * n))));

    let next = 0;
    const take = (bytes: number): number => {
      const at = next;
      next += Math.ceil(bytes / 16) * 16;
      return at;
    };
    take(WASM_CONSTANTS_BYTES);
    this.at = {
      zrm: take(n * d * 8), zt: take(d * stride * 8), sq: take(stride * 8), args: take(stride * 8), sv: take(stride * 4),
      coef: take(stride * 8), pairs: take((DECISION_BLOCK_ROWS / 2) * d * 16), out: take(DECISION_BLOCK_ROWS * 8),
      scratch: take(stride * 16), K: 0,
    };
    const solverAt = {
      base: take(stride * 4), yG: take(stride * 8), yGbar: take(stride * 8), QD: take(stride * 8), upMul: take(stride * 8), lowMul: take(stride * 8),
    };
    this.at.K = take(this.capacity * n * 4);

    const reuse = spare && (spare.exports.memory as WebAssembly.Memory).buffer.byteLength >= next ? spare : undefined;
    spare = undefined;
    this.instance = reuse ?? new WebAssembly.Instance(svmModule());
    this.ops = this.instance.exports as unknown as SvmOps;
    const memory = this.ops.memory;
    const pages = Math.ceil(next / 65536) - memory.buffer.byteLength / 65536;
    if (pages > 0) memory.grow(pages);
    const buf = memory.buffer;
    this.f32 = new Float32Array(buf);
    this.solver = {
      base: new Int32Array(buf, solverAt.base, stride),
      yG: new Float64Array(buf, solverAt.yG, stride),
      yGbar: new Float64Array(buf, solverAt.yGbar, stride),
      QD: new Float64Array(buf, solverAt.QD, stride),
      upMul: new Float64Array(buf, solverAt.upMul, stride),
      lowMul: new Float64Array(buf, solverAt.lowMul, stride),
      at: solverAt,
    };

    // Z row-major and transposed (zero padding), and ‖z_i‖² summed in feature order (LIBSVM's x_square).
    new Float64Array(buf, this.at.zrm, n * d).set(Z.data);
    const zt = new Float64Array(buf, this.at.zt, d * stride).fill(0);
    const sq = new Float64Array(buf, this.at.sq, stride).fill(0);
    const z = Z.data;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const v = z[i * d + k]!;
        zt[k * stride + i] = v;
        s += v * v;
      }
      sq[i] = s;
    }
    // K(i, i) is computed like any other entry (the expansion cancels exactly, so it is 1), and kept in float64.
    this.diag = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += z[i * d + k]! * z[i * d + k]!;
      this.diag[i] = this.ops.exp(this.negGamma * (sq[i]! + sq[i]! - 2 * s));
    }
    if (this.storage === 'dense') this.fillDense();
  }

  /**
   * Hands the wasm memory over to the next KernelMatrix of this thread (if it is not too large). The matrix must not
   * be used afterwards.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.ops.memory.buffer.byteLength <= REUSE_LIMIT_BYTES) spare = this.instance;
  }

  /** K(i, i) in float64. */
  diagonal(i: number): number {
    return this.diag[i]!;
  }

  /**
   * Byte offset of row i in the memory (computing it if it is not cached). With storage 'rows', the row stays at this
   * offset until two other rows have been requested (the cache holds at least two rows).
   */
  rowOffset(i: number): number {
    if (this.released) throw new Error('KernelMatrix: used after release()');
    const n = this.size;
    if (this.storage === 'dense') return this.at.K + i * n * 4;
    let slot = this.slots.get(i);
    if (slot !== undefined) {
      this.slots.delete(i); // re-inserted below as the most recently used
    } else {
      if (this.slots.size < this.capacity) {
        slot = this.slots.size; // slots fill up in order and are only ever reused after that
      } else {
        const [oldest, freed] = this.slots.entries().next().value!;
        this.slots.delete(oldest);
        slot = freed;
      }
      this.computeSpan(i, 0, this.at.K + slot * n * 4);
    }
    this.slots.set(i, slot);
    return this.at.K + slot * n * 4;
  }

  /** A copy of row i (for tests and diagnostics). */
  row(i: number): Float32Array {
    const at = this.rowOffset(i) / 4;
    return this.f32.slice(at, at + this.size);
  }

  /**
   * f(x_r) = Σ_v coef_v · exp(-gamma · |z_r − z_sv_v|²) − rho for the given rows, with |z_r − z_sv|² summed as
   * differences in float64 (not through the expansion, and not from the float32 kernel): this is how svm.ts evaluates
   * a fitted model, and these values equal those bit for bit.
   */
  decisionValues(rows: Int32Array, svRows: Int32Array, coef: Float64Array, rho: number): Float64Array {
    if (this.released) throw new Error('KernelMatrix: used after release()');
    const { d, at } = this;
    const nSv = svRows.length;
    const out = new Float64Array(rows.length);
    const buf = this.ops.memory.buffer;
    new Int32Array(buf, at.sv, nSv).set(svRows);
    new Float64Array(buf, at.coef, nSv).set(coef);
    const z = new Float64Array(buf, at.zrm, this.size * d);
    const pairs = new Float64Array(buf, at.pairs, (DECISION_BLOCK_ROWS / 2) * d * 2);
    const values = new Float64Array(buf, at.out, DECISION_BLOCK_ROWS);
    for (let start = 0; start < rows.length; start += DECISION_BLOCK_ROWS) {
      const count = Math.min(DECISION_BLOCK_ROWS, rows.length - start);
      const nPairs = Math.ceil(count / 2);
      // Two rows per pair, interleaved feature by feature; an odd last row is paired with itself.
      for (let r = 0; r < nPairs * 2; r++) {
        const src = rows[start + Math.min(r, count - 1)]! * d;
        const dst = (r >> 1) * d * 2 + (r & 1);
        for (let k = 0; k < d; k++) pairs[dst + 2 * k] = z[src + k]!;
      }
      this.ops.decisions(at.zrm, d, at.pairs, nPairs, at.sv, at.coef, nSv, rho, this.negGamma, at.scratch, at.out);
      out.set(values.subarray(0, count), start);
    }
    return out;
  }

  /** Writes K(i, j) for j in [j0, n) as float32 at byte offset `to` (entry j at to + 4·(j − j0)). */
  private computeSpan(i: number, j0: number, to: number): void {
    const { at, stride, d, size: n } = this;
    this.ops.rbfRow(at.zrm, at.zt, at.sq, stride, d, i, j0, n - j0, this.negGamma, at.args, to);
  }

  /**
   * The upper triangle row by row, each block of 64 rows then mirrored into the columns below it (column j of a block
   * is 64 contiguous floats, so the mirror writes stay local). K(i, j) and K(j, i) are the same expression with the
   * operands of each sum swapped, so the mirror is exact.
   */
  private fillDense(): void {
    const n = this.size;
    const BLOCK = 64;
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const i1 = Math.min(n, i0 + BLOCK);
      for (let i = i0; i < i1; i++) this.computeSpan(i, i, this.at.K + (i * n + i) * 4);
      this.ops.mirror(this.at.K, n, i0, i1);
    }
  }
}

let compiled: WebAssembly.Module | undefined;
/** Compiled once per thread, instantiated once per fit (each fit has its own memory). */
function svmModule(): WebAssembly.Module {
  compiled ??= compileWasmFile(new URL('./svm-kernel.wasm', import.meta.url));
  return compiled;
}
