/**
 * SupportVectorMachine: scikit-learn's SVC(probability=True, class_weight='balanced') defaults — C-SVC, RBF
 * kernel, C = 1, gamma 'scale' = 1 / (n_features · Var(X)), tol 1e-3, shrinking — on standardized inputs.
 *
 * The dual problem is solved by our own SMO solver (svm-solver.ts), which takes the same steps as LIBSVM 3.22 (the
 * solver of scikit-learn and of libsvm-js, which this class used until it was replaced for speed) and so fits the
 * same models, bit for bit; the tests check it against libsvm-js. Around it:
 * - The RBF kernel matrix of the training set is computed once per fit (svm-kernel.ts) and shared by the six solves
 *   of a fit (five Platt folds and the final model): each solve reads its rows' sub-matrix. libsvm-js recomputed
 *   kernel rows with sparse dot products in every solve; that was nearly all of its time.
 * - The class weights are libsvm's per-class C multipliers (-w0/-w1), which is what scikit-learn passes too.
 * - The support vectors are the training rows with α ≠ 0, listed in libsvm's model order. Decision values and
 *   probabilities are computed here in float64 (decisionValues), so predictions need no wasm and round-trip exactly
 *   through JSON; the cross-validated decision values of a fit are computed in wasm with the same operations.
 * - Probabilities use Platt scaling fitted exactly like libsvm's `-b 1` (5-fold cross-validated decision values,
 *   then Lin, Lin & Weng's Newton method), but with the folds drawn from our seeded RNG: libsvm draws them with C
 *   `rand()`, whose state carries over between fits in one process, so two identical fits gave different
 *   probabilities. Orientation is fixed so that the decision value is positive for class 1, whatever order libsvm
 *   stores the labels in.
 *
 * Per-row sample weights are not supported by libsvm (only per-class weights); fit() rejects them.
 */
import { z } from 'zod';
import { type Classifier, type ClassifierFactory, type ClassifierState, type FitOptions, type Params, balancedClassWeight, thresholdProba } from './classifier.ts';
import { parseArtifactState, parseParams as parseParamsFor } from './params.ts';
import { type Matrix, takeRows } from './matrix.ts';
import { createRng, shuffleInPlace } from './rng.ts';
import { type Standardizer, assertTrainingSet, fitStandardizer, standardize, standardizerFromJSON, standardizerToJSON } from './standardize.ts';
import { KernelMatrix } from './svm-kernel.ts';
import { trainBinarySvc } from './svm-solver.ts';

const KIND = 'SupportVectorMachine' as const;

const paramsSchema = z.object({
  C: z.number().positive(),
  /** 'scale' = 1 / (n_features · Var(X)) as in scikit-learn; or a positive number. */
  gamma: z.union([z.literal('scale'), z.number().positive()]),
  tol: z.number().positive(),
  /** Used when fit() gets no classWeight. */
  classWeight: z.enum(['balanced', 'none']),
  /** Folds for the Platt-scaling cross-validation (libsvm uses 5). */
  plattFolds: z.number().int().min(2),
  /**
   * Memory for the kernel matrix, in MB (scikit-learn's cache_size). Up to this size the whole matrix is computed
   * once per fit; above it, kernel rows are cached least-recently-used within it (same model, slower fit).
   */
  kernelCacheMB: z.number().positive(),
}).strict();
type SvmParams = z.infer<typeof paramsSchema>;

const DEFAULTS: SvmParams = { C: 1, gamma: 'scale', tol: 1e-3, classWeight: 'balanced', plattFolds: 5, kernelCacheMB: 256 };

/** libsvm clips pairwise probabilities to [1e-7, 1 - 1e-7]. */
const MIN_PROB = 1e-7;

const stateSchema = z.object({
  scaler: z.object({ mean: z.array(z.number()), scale: z.array(z.number()) }),
  gamma: z.number().positive(),
  /** Support vectors (standardized), row-major. */
  supportVectors: z.array(z.number()),
  /** Dual coefficients y_i·alpha_i, oriented so that a positive decision value means class 1. */
  coef: z.array(z.number()),
  rho: z.number(),
  plattA: z.number(),
  plattB: z.number(),
});

/** The decision function f(x) = Σ coef_i · exp(-gamma·|x - sv_i|²) - rho, positive for class 1. */
interface KernelExpansion {
  gamma: number;
  supportVectors: Matrix;
  coef: Float64Array;
  rho: number;
}

interface Fitted extends KernelExpansion {
  scaler: Standardizer;
  plattA: number;
  plattB: number;
}

class SupportVectorMachine implements Classifier {
  readonly kind = KIND;
  private fitted: Fitted | undefined;

  constructor(readonly params: Readonly<SvmParams>, fitted?: Fitted) {
    this.fitted = fitted;
  }

  async fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void> {
    assertTrainingSet(X, y, options, KIND);
    if (options.sampleWeight) throw new Error(`${KIND}: per-row sampleWeight is not supported (libsvm only has per-class weights)`);
    const classes = new Set(y);
    if (classes.size < 2) throw new Error(`${KIND}: the training labels contain only class ${[...classes][0]}`);
    const scaler = fitStandardizer(X, KIND);
    const Z = standardize(scaler, X, KIND);
    const gamma = this.params.gamma === 'scale' ? scaleGamma(Z) : this.params.gamma;
    const cw = options.classWeight ?? (this.params.classWeight === 'balanced' ? balancedClassWeight(y) : { 0: 1, 1: 1 });
    const kernel = new KernelMatrix(Z, gamma, this.params.kernelCacheMB * 2 ** 20);
    try {
      const solve = (rows: Int32Array) => trainOnRows(kernel, y, rows, { C: this.params.C, tol: this.params.tol, weight: cw });
      const all = Int32Array.from({ length: y.length }, (_, i) => i);
      const model = solve(all);
      const dec = crossValidatedDecisions(kernel, y, this.params.plattFolds, createRng(options.seed), solve);
      const { A, B } = fitPlatt(dec, y);
      this.fitted = { gamma, supportVectors: takeRows(Z, model.svRows), coef: model.coef, rho: model.rho, scaler, plattA: A, plattB: B };
    } finally {
      kernel.release();
    }
  }

  /** Decision values f(x), positive for class 1. */
  decisionFunction(X: Matrix): Float64Array {
    const f = this.requireFitted();
    return decisionValues(f, standardize(f.scaler, X, KIND));
  }

  predictProba(X: Matrix): Float64Array {
    const f = this.requireFitted();
    const dec = this.decisionFunction(X);
    const out = new Float64Array(dec.length);
    for (let i = 0; i < dec.length; i++) {
      const p = plattProbability(dec[i]!, f.plattA, f.plattB);
      out[i] = Math.min(Math.max(p, MIN_PROB), 1 - MIN_PROB);
    }
    return out;
  }

  predict(X: Matrix): Uint8Array {
    return thresholdProba(this.predictProba(X));
  }

  toJSON(): ClassifierState {
    const f = this.requireFitted();
    return {
      kind: KIND,
      params: { ...this.params },
      state: {
        scaler: standardizerToJSON(f.scaler),
        gamma: f.gamma,
        supportVectors: Array.from(f.supportVectors.data),
        coef: Array.from(f.coef),
        rho: f.rho,
        plattA: f.plattA,
        plattB: f.plattB,
      },
    };
  }

  private requireFitted(): Fitted {
    if (!this.fitted) throw new Error(`${KIND}: model is not fitted`);
    return this.fitted;
  }
}

/** scikit-learn's gamma='scale': 1 / (n_features · variance of all values of X), 1 when X is constant. */
function scaleGamma(Z: Matrix): number {
  const n = Z.data.length;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += Z.data[k]!;
  mean /= n;
  let v = 0;
  for (let k = 0; k < n; k++) v += (Z.data[k]! - mean) ** 2;
  v /= n;
  return v > 0 ? 1 / (Z.nCols * v) : 1;
}

/**
 * f(x) = -rho + Σ_v coef_v · exp(-gamma · Σ_j (x_j - sv_vj)²) per row, terms in support-vector order. Rows are taken
 * four at a time so that each support-vector value is loaded once for four rows (2.5x faster in V8); every row's
 * sums are still the same operations in the same order as a one-row loop, so the values do not depend on blocking.
 */
function decisionValues(f: KernelExpansion, Z: Matrix): Float64Array {
  const sv = f.supportVectors.data;
  const nSv = f.supportVectors.nRows;
  const { coef, rho } = f;
  const negGamma = -f.gamma;
  const { nRows: n, nCols: d, data: z } = Z;
  const out = new Float64Array(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const z0 = i * d, z1 = z0 + d, z2 = z1 + d, z3 = z2 + d;
    let s0 = -rho, s1 = -rho, s2 = -rho, s3 = -rho;
    for (let v = 0, so = 0; v < nSv; v++, so += d) {
      let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
      for (let j = 0; j < d; j++) {
        const x = sv[so + j]!;
        const a0 = z[z0 + j]! - x, a1 = z[z1 + j]! - x, a2 = z[z2 + j]! - x, a3 = z[z3 + j]! - x;
        e0 += a0 * a0;
        e1 += a1 * a1;
        e2 += a2 * a2;
        e3 += a3 * a3;
      }
      const c = coef[v]!;
      s0 += c * Math.exp(negGamma * e0);
      s1 += c * Math.exp(negGamma * e1);
      s2 += c * Math.exp(negGamma * e2);
      s3 += c * Math.exp(negGamma * e3);
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; i++) {
    const zo = i * d;
    let s = -rho;
    for (let v = 0, so = 0; v < nSv; v++, so += d) {
      let e = 0;
      for (let j = 0; j < d; j++) {
        const a = z[zo + j]! - sv[so + j]!;
        e += a * a;
      }
      s += coef[v]! * Math.exp(negGamma * e);
    }
    out[i] = s;
  }
  return out;
}

/** libsvm's sigmoid_predict: P(class 1) = 1 / (1 + exp(A·f + B)), written to avoid overflow. */
function plattProbability(dec: number, A: number, B: number): number {
  const fApB = dec * A + B;
  return fApB >= 0 ? Math.exp(-fApB) / (1 + Math.exp(-fApB)) : 1 / (1 + Math.exp(fApB));
}

// ---- Solving ---------------------------------------------------------------------------------------------------

interface SolverOptions {
  C: number;
  tol: number;
  weight: { 0: number; 1: number };
}

/** A model in terms of training rows: f(x) = Σ coef_v · K(z_svRows[v], x) − rho, positive for class 1. */
interface RowModel {
  svRows: Int32Array;
  coef: Float64Array;
  rho: number;
}

/**
 * Trains on the given rows (indices into the kernel's rows and y), oriented so that f > 0 means class 1. A
 * single-class subset (possible in a cross-validation fold) gets the constant decision ±1, as libsvm does.
 */
function trainOnRows(kernel: KernelMatrix, y: Uint8Array, rows: Int32Array, o: SolverOptions): RowModel {
  let positives = 0;
  for (const r of rows) positives += y[r]!;
  if (positives === 0 || positives === rows.length) {
    return { svRows: new Int32Array(0), coef: new Float64Array(0), rho: positives === 0 ? 1 : -1 };
  }
  const m = trainBinarySvc(kernel, y, rows, { C: o.C, weight: o.weight, eps: o.tol, shrinking: true });
  // libsvm's decision value is positive for its first label; flip when that label is 0.
  const sign = m.firstLabel === 1 ? 1 : -1;
  return { svRows: m.svRows, coef: m.coef.map((c) => c * sign), rho: m.rho * sign };
}

// ---- Platt scaling ------------------------------------------------------------------------------------------

/**
 * libsvm's svm_binary_svc_probability: decision values of each row from a model that did not see it. The held-out
 * values are computed in wasm from the kernel's copy of Z, with the operations of decisionValues() in its order, so
 * they equal what decisionValues() would give, bit for bit.
 */
function crossValidatedDecisions(
  kernel: KernelMatrix, y: Uint8Array, folds: number, rng: () => number, solve: (rows: Int32Array) => RowModel,
): Float64Array {
  const n = y.length;
  const perm = shuffleInPlace(rng, Int32Array.from({ length: n }, (_, i) => i));
  const dec = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    const begin = Math.floor((f * n) / folds);
    const end = Math.floor(((f + 1) * n) / folds);
    const trainRows = Int32Array.from([...perm.subarray(0, begin), ...perm.subarray(end)]);
    const heldOut = perm.subarray(begin, end);
    if (heldOut.length === 0) continue;
    const m = solve(trainRows);
    const values = kernel.decisionValues(heldOut, m.svRows, m.coef, m.rho);
    for (let k = 0; k < heldOut.length; k++) dec[heldOut[k]!] = values[k]!;
  }
  return dec;
}

/**
 * Fits P(1 | f) = 1 / (1 + exp(A·f + B)) by regularised maximum likelihood (Platt 1999, with the Newton method
 * and target smoothing of Lin, Lin & Weng 2007), ported from libsvm's sigmoid_train.
 */
export function fitPlatt(dec: Float64Array, y: Uint8Array): { A: number; B: number } {
  const n = dec.length;
  let prior1 = 0;
  for (let i = 0; i < n; i++) prior1 += y[i]!;
  const prior0 = n - prior1;
  const maxIter = 100;
  const minStep = 1e-10;
  const sigma = 1e-12;
  const eps = 1e-5;
  const hiTarget = (prior1 + 1) / (prior1 + 2);
  const loTarget = 1 / (prior0 + 2);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = y[i] ? hiTarget : loTarget;
  const objective = (A: number, B: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const fApB = dec[i]! * A + B;
      f += fApB >= 0 ? t[i]! * fApB + Math.log1p(Math.exp(-fApB)) : (t[i]! - 1) * fApB + Math.log1p(Math.exp(fApB));
    }
    return f;
  };
  let A = 0;
  let B = Math.log((prior0 + 1) / (prior1 + 1));
  let fval = objective(A, B);
  for (let iter = 0; iter < maxIter; iter++) {
    let h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
    for (let i = 0; i < n; i++) {
      const fApB = dec[i]! * A + B;
      let p: number, q: number;
      if (fApB >= 0) {
        p = Math.exp(-fApB) / (1 + Math.exp(-fApB));
        q = 1 / (1 + Math.exp(-fApB));
      } else {
        p = 1 / (1 + Math.exp(fApB));
        q = Math.exp(fApB) / (1 + Math.exp(fApB));
      }
      const d2 = p * q;
      h11 += dec[i]! * dec[i]! * d2;
      h22 += d2;
      h21 += dec[i]! * d2;
      const d1 = t[i]! - p;
      g1 += dec[i]! * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < eps && Math.abs(g2) < eps) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= minStep) {
      const newA = A + step * dA;
      const newB = B + step * dB;
      const newf = objective(newA, newB);
      if (newf < fval + 0.0001 * step * gd) {
        A = newA;
        B = newB;
        fval = newf;
        break;
      }
      step /= 2;
    }
    if (step < minStep) break; // line search failed: keep the last good (A, B), as libsvm does
  }
  return { A, B };
}

function parseParams(params: Partial<Params> | undefined): SvmParams {
  return parseParamsFor(KIND, paramsSchema, DEFAULTS, params);
}

export const supportVectorMachineFactory: ClassifierFactory = {
  kind: KIND,
  defaultParams: DEFAULTS,
  create: (params) => new SupportVectorMachine(parseParams(params)),
  fromJSON(state: ClassifierState): Classifier {
    const data = parseArtifactState(KIND, state, stateSchema);
    const params = parseParams(state.params);
    const s = data;
    const scaler = standardizerFromJSON(s.scaler, KIND);
    const d = scaler.mean.length;
    if (s.supportVectors.length !== s.coef.length * d) {
      throw new Error(`${KIND}: artifact has ${s.supportVectors.length} support-vector values for ${s.coef.length} vectors x ${d} features`);
    }
    return new SupportVectorMachine(params, {
      scaler,
      gamma: s.gamma,
      supportVectors: { nRows: s.coef.length, nCols: d, data: Float64Array.from(s.supportVectors) },
      coef: Float64Array.from(s.coef),
      rho: s.rho,
      plattA: s.plattA,
      plattB: s.plattB,
    });
  },
};

