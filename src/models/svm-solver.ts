/**
 * SMO solver for the C-SVC dual, over a precomputed kernel (svm-kernel.ts):
 *
 *   min ½·αᵀQα − eᵀα   subject to  yᵀα = 0,  0 ≤ α_i ≤ Cp (y_i = +1),  0 ≤ α_i ≤ Cn (y_i = −1),   Q_ij = y_i·y_j·K(i, j)
 *
 * The algorithm is LIBSVM's, as described by Chang & Lin ("LIBSVM: A Library for Support Vector Machines", ACM TIST
 * 2011, section 4) and Fan, Chen & Lin ("Working set selection using second order information for training SVM",
 * JMLR 2005); LIBSVM 3.22's svm.cpp was read to confirm the details that decide which optimum is reached:
 * - working-set selection WSS 3: i maximises −y_i·∇f_i over I_up, j minimises the second-order decrease −b²/a over
 *   I_low (a ≤ 0 replaced by τ = 1e-12); scans keep the last index among equals;
 * - the two-variable update clipped to the box, with ∇f and Ḡ (the gradient's part from the variables at their upper
 *   bound, which rebuilds the gradient of shrunk variables) kept up to date;
 * - shrinking every min(l, 1000) iterations (moving variables to the end of the active set by swaps), one unshrink
 *   with gradient reconstruction once the violation falls under 10·eps, and a reconstruction and re-check of the
 *   whole problem before stopping; the reconstruction uses whichever of LIBSVM's two loop orders it would use;
 * - stopping when the maximal violation m(α) − M(α) < eps;
 * - rho as the mean of y_i·∇f_i over free variables, else the midpoint of the bounds.
 *
 * Why replicate LIBSVM down to its tie-breaking: the fitted model is meant to be the one LIBSVM (and scikit-learn's
 * SVC) fits. SMO stops at an eps-approximate optimum, and which one depends on the exact path; taking the same path —
 * the same candidates in the same order, kernel values rounded to float32 as LIBSVM's cache stores them, the same
 * float64 operations in the same order — gives the same support vectors, coefficients and rho, bit for bit. The tests
 * compare against LIBSVM itself (libsvm-js).
 *
 * The per-iteration passes over the active variables run in WebAssembly (SvmOps in svm-kernel.ts); the bookkeeping
 * (the pair update, statuses, shrinking, reconstruction, rho) is here. One deliberate difference: LIBSVM chooses the
 * reconstruction loop order with 32-bit integer products that overflow past ~46,000 variables; here they are exact.
 */
import type { KernelMatrix, SolverArrays, SvmOps } from './svm-kernel.ts';

/** LIBSVM's τ: the curvature used when a pair's a = K_ii + K_jj − 2K_ij is not positive. */
const TAU = 1e-12;
const INT_MAX = 2147483647;

const LOWER = 0;
const UPPER = 1;
const FREE = 2;

export interface DualProblem {
  kernel: KernelMatrix;
  /** The kernel row of each variable, in the order the solver sees them (ties depend on this order). */
  rows: Int32Array;
  /** +1 or −1 per variable. */
  y: Int8Array;
  /** Upper bounds for y = +1 and y = −1. */
  Cp: number;
  Cn: number;
  /** Stopping tolerance on the maximal violation. */
  eps: number;
  shrinking: boolean;
}

export interface DualSolution {
  /** α per variable, in the order of DualProblem.rows. */
  alpha: Float64Array;
  rho: number;
  iterations: number;
}

/**
 * One solve. The per-variable arrays are indexed by position: shrinking moves variables to the end of the active set
 * by swapping positions, so `base` (the kernel row) and `origin` (the index in the caller's problem) travel with
 * them. base, y·∇f, y·Ḡ, QD and the I_up / I_low multipliers live in the kernel's wasm memory, where the hot loops
 * read them (SvmOps); y, α, status and origin are only used here.
 *
 * The gradient is kept as yG_i = y_i·∇f_i (and Ḡ as y_i·Ḡ_i): every update of ∇f_i is y_i times a sum, and
 * y·round(G + y·t) = round(y·G + t) exactly, so this saves a multiplication per variable and update while staying bit
 * for bit y times LIBSVM's G. ∇f_i = y_i·yG_i where LIBSVM's formulas need it.
 */
class SmoSolver {
  private readonly l: number;
  private readonly kernel: KernelMatrix;
  private readonly ops: SvmOps;
  private readonly arrays: SolverArrays;
  private readonly base: Int32Array;
  private readonly y: Int8Array;
  private readonly yG: Float64Array;
  private readonly yGbar: Float64Array;
  private readonly QD: Float64Array;
  private readonly upMul: Float64Array;
  private readonly lowMul: Float64Array;
  private readonly status: Uint8Array;
  private readonly alpha: Float64Array;
  private readonly origin: Int32Array;
  private readonly Cp: number;
  private readonly Cn: number;
  private readonly eps: number;
  private active: number;
  private unshrink = false;
  /** The state of the last scan over the active set: i ∈ I_up maximising −y_i·∇f_i, that maximum, and max y·∇f over I_low. */
  private scanned = false;
  private iUp = -1;
  private gmax = -Infinity;
  private gmax2 = -Infinity;

  constructor(p: DualProblem) {
    const l = p.rows.length;
    const k = p.kernel;
    this.l = l;
    this.kernel = k;
    this.ops = k.ops;
    this.arrays = k.solver;
    this.base = k.solver.base;
    this.y = Int8Array.from(p.y);
    this.yG = k.solver.yG;
    this.yGbar = k.solver.yGbar;
    this.QD = k.solver.QD;
    this.upMul = k.solver.upMul;
    this.lowMul = k.solver.lowMul;
    this.status = new Uint8Array(l);
    this.base.set(p.rows);
    // α = 0: ∇f = Qα − e = −e, no variable is at its upper bound.
    for (let i = 0; i < l; i++) {
      this.QD[i] = k.diagonal(p.rows[i]!);
      this.yG[i] = -this.y[i]!;
    }
    this.yGbar.fill(0, 0, l);
    // The padding after the last variable (read by the pairwise passes when l is odd) is inert.
    this.upMul.fill(NaN, l);
    this.lowMul.fill(NaN, l);
    this.base.fill(0, l);
    this.yG.fill(0, l);
    this.alpha = new Float64Array(l);
    for (let i = 0; i < l; i++) this.setStatus(i, LOWER);
    this.origin = Int32Array.from({ length: l }, (_, i) => i);
    this.Cp = p.Cp;
    this.Cn = p.Cn;
    this.eps = p.eps;
    this.active = l;
    const at = k.solver.at;
    this.ops.layout(at.base, at.yG, at.yGbar, at.QD, at.upMul, at.lowMul);
  }

  solve(shrinking: boolean): DualSolution {
    const l = this.l;
    const maxIter = Math.max(10_000_000, l > INT_MAX / 100 ? INT_MAX : 100 * l);
    let iter = 0;
    let counter = Math.min(l, 1000) + 1;
    while (iter < maxIter) {
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (shrinking) this.doShrinking();
      }
      let j = this.selectWorkingSet();
      if (j < 0) {
        // Optimal on the active set: check the whole problem before stopping.
        this.reconstructGradient();
        this.active = l;
        this.scanned = false;
        j = this.selectWorkingSet();
        if (j < 0) break;
        counter = 1; // violators were shrunk away: shrink again at the next iteration
      }
      ++iter;
      this.updatePair(this.iUp, j);
    }
    if (iter >= maxIter && this.active < l) {
      this.reconstructGradient();
      this.active = l;
    }
    const rho = this.calculateRho();
    const alpha = new Float64Array(l);
    for (let i = 0; i < l; i++) alpha[this.origin[i]!] = this.alpha[i]!;
    return { alpha, rho, iterations: iter };
  }

  private C(i: number): number {
    return this.y[i]! > 0 ? this.Cp : this.Cn;
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i]!;
    this.setStatus(i, a >= this.C(i) ? UPPER : a <= 0 ? LOWER : FREE);
  }

  /**
   * Sets the status of variable i and its multipliers for the wasm scans: i ∈ I_up when y_i·α_i can grow (y = +1 below
   * C, y = −1 above 0), i ∈ I_low when it can shrink.
   */
  private setStatus(i: number, s: number): void {
    this.status[i] = s;
    const pos = this.y[i]! > 0;
    this.upMul[i] = (pos ? s !== UPPER : s !== LOWER) ? -1 : NaN;
    this.lowMul[i] = (pos ? s !== LOWER : s !== UPPER) ? 1 : NaN;
  }

  /**
   * Runs a wasm pass over the active variables. The passes work on pairs, so with an odd active size the first
   * inactive variable rides along: it is made inert for the call (NaN multipliers: never selected, never a maximum)
   * and its gradient is restored afterwards.
   */
  private overActive<T>(pass: () => T): T {
    const n = this.active;
    if ((n & 1) === 0 || n === this.l) return pass(); // position l is padding, inert already
    const { upMul, lowMul, yG } = this;
    const up = upMul[n]!, low = lowMul[n]!, g = yG[n]!;
    upMul[n] = NaN;
    lowMul[n] = NaN;
    try {
      return pass();
    } finally {
      upMul[n] = up;
      lowMul[n] = low;
      yG[n] = g;
    }
  }

  /** Refreshes the scan of the active set (i ∈ I_up maximising −y_i·∇f_i, and the extremes) if anything changed. */
  private scan(): void {
    if (this.scanned) return;
    this.readScan(this.overActive(() => this.ops.updateScan(this.active, 0, 0, 0, 0, 0, 0, 0)));
  }

  private readScan(iUp: number): void {
    this.iUp = iUp;
    this.gmax = this.ops.gmax.value as number;
    this.gmax2 = this.ops.gmax2.value as number;
    this.scanned = true;
  }

  /**
   * Second-order working-set selection (WSS 3): i from the scan, j ∈ I_low minimising the second-order decrease
   * −b²/a. Returns j, or −1 when the active set is optimal (violation m − M < eps, or no j can decrease the objective).
   * Scans use >= and <=, so ties go to the last position, as in LIBSVM.
   */
  private selectWorkingSet(): number {
    this.scan();
    const i = this.iUp;
    if (i < 0) return -1; // I_up empty: m(α) = −∞
    const rowI = this.kernel.rowOffset(this.base[i]!);
    const j = this.overActive(() => this.ops.selectJ(this.active, rowI, this.QD[i]!, this.gmax));
    return this.gmax + this.gmax2 < this.eps || j < 0 ? -1 : j;
  }

  /** Solves the two-variable sub-problem for (i, j) analytically, clips it to the box and updates G and Ḡ. */
  private updatePair(i: number, j: number): void {
    const { y, alpha, yG, base, kernel } = this;
    const rowI = kernel.rowOffset(base[i]!);
    const rowJ = kernel.rowOffset(base[j]!);
    const yi = y[i]!;
    const yj = y[j]!;
    const Qij = yi * yj * kernel.f32[rowI / 4 + base[j]!]!;
    const Ci = this.C(i);
    const Cj = this.C(j);
    const oldAi = alpha[i]!;
    const oldAj = alpha[j]!;

    if (yi !== yj) {
      // α_i − α_j stays constant.
      let quad = this.QD[i]! + this.QD[j]! + 2 * Qij;
      if (quad <= 0) quad = TAU;
      const delta = (-(yi * yG[i]!) - yj * yG[j]!) / quad;
      const diff = oldAi - oldAj;
      let ai = oldAi + delta;
      let aj = oldAj + delta;
      // Clip to α ≥ 0 on the side that would cross it, then to α ≤ C.
      if (diff > 0) {
        if (aj < 0) {
          aj = 0;
          ai = diff;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = -diff;
      }
      if (diff > Ci - Cj) {
        if (ai > Ci) {
          ai = Ci;
          aj = Ci - diff;
        }
      } else if (aj > Cj) {
        aj = Cj;
        ai = Cj + diff;
      }
      alpha[i] = ai;
      alpha[j] = aj;
    } else {
      // α_i + α_j stays constant.
      let quad = this.QD[i]! + this.QD[j]! - 2 * Qij;
      if (quad <= 0) quad = TAU;
      const delta = (yi * yG[i]! - yj * yG[j]!) / quad;
      const sum = oldAi + oldAj;
      let ai = oldAi - delta;
      let aj = oldAj + delta;
      if (sum > Ci) {
        if (ai > Ci) {
          ai = Ci;
          aj = sum - Ci;
        }
      } else if (aj < 0) {
        aj = 0;
        ai = sum;
      }
      if (sum > Cj) {
        if (aj > Cj) {
          aj = Cj;
          ai = sum - Cj;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = sum;
      }
      alpha[i] = ai;
      alpha[j] = aj;
    }

    const wasUpperI = this.status[i] === UPPER;
    const wasUpperJ = this.status[j] === UPPER;
    this.updateStatus(i);
    this.updateStatus(j);
    // ∇f_k += Q_ki·Δα_i + Q_kj·Δα_j with Q_ki = y_k·(y_i·K_ki), i.e. yG_k += K_ki·(y_i·Δα_i) + K_kj·(y_j·Δα_j) (sign
    // flips are exact). When i or j reaches or leaves its upper bound, Ḡ_k ±= C·Q_ki over all variables, active or not.
    // The active ones are updated in the same wasm pass, which then scans the new gradient for the next working set
    // (with the new statuses); the inactive ones after it.
    const changedI = wasUpperI !== (this.status[i] === UPPER);
    const changedJ = wasUpperJ !== (this.status[j] === UPPER);
    const ci = changedI ? yi * (wasUpperI ? -Ci : Ci) : 0;
    const cj = changedJ ? yj * (wasUpperJ ? -Cj : Cj) : 0;
    const mode = 1 | (changedI ? 2 : 0) | (changedJ ? 4 : 0);
    const si = yi * (alpha[i]! - oldAi);
    const sj = yj * (alpha[j]! - oldAj);
    const n = this.active;
    this.readScan(this.overActive(() => this.ops.updateScan(n, mode, rowI, rowJ, si, sj, ci, cj)));
    // The pass covered whole pairs: with n odd, variable n's Ḡ was updated there already (its ∇f was restored).
    const rest = n + (n & 1);
    if (changedI && rest < this.l) this.ops.axpy(this.arrays.at.yGbar, rest, this.l, kernel.rowOffset(base[i]!), ci);
    if (changedJ && rest < this.l) this.ops.axpy(this.arrays.at.yGbar, rest, this.l, kernel.rowOffset(base[j]!), cj);
  }

  /**
   * Rebuilds ∇f of the inactive variables from Ḡ and the free variables (∇f = Ḡ − e + Σ_free α_j·Q_j), choosing, as
   * LIBSVM does, whichever loop order reads fewer kernel values; the two orders round differently, so the choice
   * must be the same as LIBSVM's.
   */
  private reconstructGradient(): void {
    const { l, active, yG, yGbar, y, alpha, status, base, kernel } = this;
    if (active === l) return;
    // ∇f_j = Ḡ_j − 1, so y_j·∇f_j = y_j·Ḡ_j − y_j
    for (let j = active; j < l; j++) yG[j] = yGbar[j]! - y[j]!;
    let nFree = 0;
    for (let j = 0; j < active; j++) if (status[j] === FREE) nFree++;
    if (nFree * l > 2 * active * (l - active)) {
      const f32 = kernel.f32;
      for (let i = active; i < l; i++) {
        const row = kernel.rowOffset(base[i]!) / 4;
        // ∇f_i += α_j·Q_ij, i.e. yG_i += y_j·(α_j·K_ij)
        let g = yG[i]!;
        for (let j = 0; j < active; j++) {
          if (status[j] === FREE) g += y[j]! * (alpha[j]! * f32[row + base[j]!]!);
        }
        yG[i] = g;
      }
    } else {
      for (let i = 0; i < active; i++) {
        // ∇f_j += α_i·Q_ij for the inactive j, i.e. yG_j += K_ij·(y_i·α_i)
        if (status[i] === FREE) this.ops.axpy(this.arrays.at.yG, active, l, kernel.rowOffset(base[i]!), y[i]! * alpha[i]!);
      }
    }
  }

  /** Whether variable i, at a bound, cannot take part in a violating pair given the current extremes. */
  private beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    const s = this.status[i];
    const g = this.y[i]! * this.yG[i]!;
    if (s === UPPER) return this.y[i]! > 0 ? -g > Gmax1 : -g > Gmax2;
    if (s === LOWER) return this.y[i]! > 0 ? g > Gmax2 : g > Gmax1;
    return false;
  }

  /**
   * Moves the bounded variables that cannot violate the optimality conditions to the end of the active set. The first
   * time the violation is within 10·eps, the gradient is rebuilt and everything is made active again first, so that
   * variables shrunk too early get another chance.
   */
  private doShrinking(): void {
    // Gmax1 = max −y_i·∇f_i over I_up, Gmax2 = max y_i·∇f_i over I_low: exactly what the scan computes.
    this.scan();
    const Gmax1 = this.gmax;
    const Gmax2 = this.gmax2;
    if (!this.unshrink && Gmax1 + Gmax2 <= this.eps * 10) {
      this.unshrink = true;
      this.reconstructGradient();
      this.active = this.l;
    }
    // Fill each shrinkable slot with the last active variable that stays, scanning from both ends.
    for (let i = 0; i < this.active; i++) {
      if (!this.beShrunk(i, Gmax1, Gmax2)) continue;
      this.active--;
      while (this.active > i) {
        if (!this.beShrunk(this.active, Gmax1, Gmax2)) {
          this.swap(i, this.active);
          break;
        }
        this.active--;
      }
    }
    this.scanned = false;
  }

  private swap(i: number, j: number): void {
    swapIn(this.upMul, i, j);
    swapIn(this.lowMul, i, j);
    swapIn(this.base, i, j);
    swapIn(this.origin, i, j);
    swapIn(this.y, i, j);
    swapIn(this.alpha, i, j);
    swapIn(this.status, i, j);
    swapIn(this.yG, i, j);
    swapIn(this.yGbar, i, j);
    swapIn(this.QD, i, j);
  }

  /** rho = mean of y_i·∇f_i over free variables; with none free, the midpoint of the interval the bounds allow. */
  private calculateRho(): number {
    const { y, yG, status } = this;
    let ub = Infinity;
    let lb = -Infinity;
    let nFree = 0;
    let sumFree = 0;
    for (let i = 0; i < this.active; i++) {
      const v = yG[i]!;
      if (status[i] === FREE) {
        nFree++;
        sumFree += v;
      } else if ((status[i] === UPPER) === (y[i]! < 0)) {
        // at C with y = −1, or at 0 with y = +1: an upper bound on rho
        ub = ub < v ? ub : v;
      } else {
        lb = lb > v ? lb : v;
      }
    }
    return nFree > 0 ? sumFree / nFree : (ub + lb) / 2;
  }
}

function swapIn(a: { [k: number]: number }, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/** Solves the C-SVC dual. */
export function solveDual(problem: DualProblem): DualSolution {
  const l = problem.rows.length;
  if (problem.y.length !== l) throw new Error(`solveDual: ${l} rows but ${problem.y.length} labels`);
  if (l > problem.kernel.size) throw new Error(`solveDual: ${l} variables but the kernel has ${problem.kernel.size} rows`);
  if (!(problem.Cp > 0 && problem.Cn > 0)) throw new Error(`solveDual: C must be positive (Cp ${problem.Cp}, Cn ${problem.Cn})`);
  for (let i = 0; i < l; i++) {
    if (problem.y[i] !== 1 && problem.y[i] !== -1) throw new Error(`solveDual: label ${i} is ${problem.y[i]}, expected +1 or -1`);
    const r = problem.rows[i]!;
    if (r < 0 || r >= problem.kernel.size) throw new Error(`solveDual: row ${r} is outside the kernel (${problem.kernel.size} rows)`);
  }
  if (l === 0) return { alpha: new Float64Array(0), rho: 0, iterations: 0 };
  return new SmoSolver(problem).solve(problem.shrinking);
}

export interface BinarySvcOptions {
  C: number;
  /** Per-class multipliers of C (LIBSVM's -w0 / -w1). */
  weight: { 0: number; 1: number };
  eps: number;
  shrinking: boolean;
}

/** A two-class C-SVC model in LIBSVM's form: f(x) = Σ coef_v·K(sv_v, x) − rho, positive for `firstLabel`. */
export interface BinarySvc {
  firstLabel: 0 | 1;
  /** Kernel base rows of the support vectors, in LIBSVM's model order. */
  svRows: Int32Array;
  coef: Float64Array;
  rho: number;
  iterations: number;
}

/**
 * Trains a 0/1 classifier on the given kernel base rows as LIBSVM's svm_train does: the classes in order of first
 * appearance, the rows regrouped by class (stable) so that the first class gets y = +1 and C·weight[first], and the
 * support vectors (α ≠ 0) listed in that grouped order with coefficients y·α. Both classes must be present.
 */
export function trainBinarySvc(kernel: KernelMatrix, labels: Uint8Array, rows: Int32Array, o: BinarySvcOptions): BinarySvc {
  const l = rows.length;
  if (l === 0) throw new Error('trainBinarySvc: no rows');
  const firstLabel = labels[rows[0]!] === 1 ? 1 : 0;
  const secondLabel = firstLabel === 1 ? 0 : 1;
  const grouped = new Int32Array(l);
  const y = new Int8Array(l);
  let at = 0;
  for (const r of rows) if (labels[r] === firstLabel) grouped[at++] = r;
  const nFirst = at;
  for (const r of rows) if (labels[r] !== firstLabel) grouped[at++] = r;
  if (nFirst === l) throw new Error(`trainBinarySvc: the rows contain only class ${firstLabel}`);
  y.fill(1, 0, nFirst).fill(-1, nFirst);

  const { alpha, rho, iterations } = solveDual({
    kernel, rows: grouped, y, Cp: o.C * o.weight[firstLabel], Cn: o.C * o.weight[secondLabel], eps: o.eps, shrinking: o.shrinking,
  });
  let nSv = 0;
  for (let i = 0; i < l; i++) if (alpha[i] !== 0) nSv++;
  const svRows = new Int32Array(nSv);
  const coef = new Float64Array(nSv);
  for (let i = 0, v = 0; i < l; i++) {
    if (alpha[i] === 0) continue;
    svRows[v] = grouped[i]!;
    coef[v++] = alpha[i]! * y[i]!;
  }
  return { firstLabel, svRows, coef, rho, iterations };
}
