/**
 * Ridge: scikit-learn's RidgeClassifier. Least squares on ±1 targets with an L2 penalty alpha on the coefficients
 * (not on the intercept), solved in closed form: center X and t by their weighted means, then
 * (XcᵀWXc + αI)·β = XcᵀW·tc and intercept = t̄ − x̄ᵀβ. Balanced class weights by default.
 *
 * Inputs are standardized inside the model (the seed fed raw features; with raw features alpha penalises
 * small-valued columns far more than large-valued ones).
 *
 * RidgeClassifier has no predict_proba. `predict` is the sign of the decision function, as the seed scored it;
 * `predictProba` is the logistic of the same decision function, a monotone score for ROC AUC and SHAP, not a
 * calibrated probability. The two always agree: predict(x) = 1 exactly when predictProba(x) > 0.5.
 */
import { z } from 'zod';
import { type Classifier, type ClassifierFactory, type ClassifierState, type FitOptions, type Params, rowWeights } from './classifier.ts';
import { parseArtifactState, parseParams as parseParamsFor } from './params.ts';
import type { Matrix } from './matrix.ts';
import { type Standardizer, assertTrainingSet, fitStandardizer, standardize, standardizerFromJSON, standardizerToJSON } from './standardize.ts';

const KIND = 'Ridge' as const;

const paramsSchema = z.object({
  alpha: z.number().nonnegative(),
  /** Used when fit() gets no classWeight. */
  classWeight: z.enum(['balanced', 'none']),
}).strict();
type RidgeParams = z.infer<typeof paramsSchema>;

const DEFAULTS: RidgeParams = { alpha: 1, classWeight: 'balanced' };

const stateSchema = z.object({
  scaler: z.object({ mean: z.array(z.number()), scale: z.array(z.number()) }),
  coef: z.array(z.number()),
  intercept: z.number(),
});

interface Fitted {
  scaler: Standardizer;
  coef: Float64Array;
  intercept: number;
}

/** The smallest double above 0.5: keeps "decision > 0" and "P > 0.5" in agreement for decisions near 0. */
const JUST_ABOVE_HALF = 0.5 + 2 ** -53;

class RidgeClassifier implements Classifier {
  readonly kind = KIND;
  private fitted: Fitted | undefined;

  constructor(readonly params: Readonly<RidgeParams>, fitted?: Fitted) {
    this.fitted = fitted;
  }

  async fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void> {
    assertTrainingSet(X, y, options, KIND);
    const scaler = fitStandardizer(X, KIND);
    const Z = standardize(scaler, X, KIND);
    const w = rowWeights(y, options, this.params.classWeight === 'balanced');
    const { coef, intercept } = solveRidge(Z, y, w, this.params.alpha);
    this.fitted = { scaler, coef, intercept };
  }

  /** The decision function: > 0 means class 1. */
  decisionFunction(X: Matrix): Float64Array {
    const f = this.requireFitted();
    const Z = standardize(f.scaler, X, KIND);
    const d = Z.nCols;
    const out = new Float64Array(Z.nRows);
    for (let i = 0; i < Z.nRows; i++) {
      let s = f.intercept;
      for (let j = 0; j < d; j++) s += f.coef[j]! * Z.data[i * d + j]!;
      out[i] = s;
    }
    return out;
  }

  predictProba(X: Matrix): Float64Array {
    const dec = this.decisionFunction(X);
    const out = new Float64Array(dec.length);
    for (let i = 0; i < dec.length; i++) {
      const p = 1 / (1 + Math.exp(-dec[i]!));
      // For |decision| below ~1e-16 the logistic rounds to exactly 0.5; nudge so the threshold rule agrees.
      out[i] = dec[i]! > 0 ? Math.max(p, JUST_ABOVE_HALF) : p;
    }
    return out;
  }

  predict(X: Matrix): Uint8Array {
    const dec = this.decisionFunction(X);
    const out = new Uint8Array(dec.length);
    for (let i = 0; i < dec.length; i++) out[i] = dec[i]! > 0 ? 1 : 0;
    return out;
  }

  toJSON(): ClassifierState {
    const f = this.requireFitted();
    return {
      kind: KIND,
      params: { ...this.params },
      state: { scaler: standardizerToJSON(f.scaler), coef: Array.from(f.coef), intercept: f.intercept },
    };
  }

  private requireFitted(): Fitted {
    if (!this.fitted) throw new Error(`${KIND}: model is not fitted`);
    return this.fitted;
  }
}

/**
 * Weighted ridge regression of t = ±1 on Z with an unpenalised intercept.
 * Exported for the tests, which check it against the normal equations directly.
 */
export function solveRidge(Z: Matrix, y: Uint8Array, w: Float64Array, alpha: number): { coef: Float64Array; intercept: number } {
  const { nRows: n, nCols: d, data } = Z;
  let wSum = 0;
  let tMean = 0;
  const xMean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    wSum += wi;
    tMean += wi * (y[i] ? 1 : -1);
    for (let j = 0; j < d; j++) xMean[j] += wi * data[i * d + j]!;
  }
  if (!(wSum > 0)) throw new Error(`${KIND}: all row weights are zero`);
  tMean /= wSum;
  for (let j = 0; j < d; j++) xMean[j] /= wSum;

  const A = new Float64Array(d * d);
  const b = new Float64Array(d);
  const xc = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    for (let j = 0; j < d; j++) xc[j] = data[i * d + j]! - xMean[j]!;
    const tc = (y[i] ? 1 : -1) - tMean;
    for (let j = 0; j < d; j++) {
      const wx = wi * xc[j]!;
      b[j] += wx * tc;
      for (let k = 0; k <= j; k++) A[j * d + k] += wx * xc[k]!;
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < j; k++) A[k * d + j] = A[j * d + k]!;
    A[j * d + j] += alpha;
  }
  const coef = solveSymmetric(A, b, d);
  let intercept = tMean;
  for (let j = 0; j < d; j++) intercept -= xMean[j]! * coef[j]!;
  return { coef, intercept };
}

/**
 * Solves A·x = b for a symmetric positive semi-definite A by Cholesky. With alpha = 0 and a constant (all-zero
 * after scaling) column A is singular; a tiny diagonal jitter makes it solvable.
 */
function solveSymmetric(A: Float64Array, b: Float64Array, d: number): Float64Array {
  let trace = 0;
  for (let j = 0; j < d; j++) trace += A[j * d + j]!;
  for (let attempt = 0; attempt < 6; attempt++) {
    const jitter = attempt === 0 ? 0 : (trace / d || 1) * 10 ** (attempt * 2 - 14);
    const L = cholesky(A, d, jitter);
    if (L) {
      const x = new Float64Array(d);
      for (let i = 0; i < d; i++) {
        let s = b[i]!;
        for (let k = 0; k < i; k++) s -= L[i * d + k]! * x[k]!;
        x[i] = s / L[i * d + i]!;
      }
      for (let i = d - 1; i >= 0; i--) {
        let s = x[i]!;
        for (let k = i + 1; k < d; k++) s -= L[k * d + i]! * x[k]!;
        x[i] = s / L[i * d + i]!;
      }
      return x;
    }
  }
  throw new Error(`${KIND}: the normal equations are singular (alpha too small for collinear features?)`);
}

function cholesky(A: Float64Array, d: number, jitter: number): Float64Array | null {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j]! + (i === j ? jitter : 0);
      for (let k = 0; k < j; k++) s -= L[i * d + k]! * L[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * d + i] = Math.sqrt(s);
      } else {
        L[i * d + j] = s / L[j * d + j]!;
      }
    }
  }
  return L;
}

function parseParams(params: Partial<Params> | undefined): RidgeParams {
  return parseParamsFor(KIND, paramsSchema, DEFAULTS, params);
}

export const ridgeFactory: ClassifierFactory = {
  kind: KIND,
  defaultParams: DEFAULTS,
  create: (params) => new RidgeClassifier(parseParams(params)),
  fromJSON(state: ClassifierState): Classifier {
    const data = parseArtifactState(KIND, state, stateSchema);
    const params = parseParams(state.params);
    const scaler = standardizerFromJSON(data.scaler, KIND);
    if (data.coef.length !== scaler.mean.length) throw new Error(`${KIND}: artifact has ${data.coef.length} coefficients for ${scaler.mean.length} features`);
    return new RidgeClassifier(params, { scaler, coef: Float64Array.from(data.coef), intercept: data.intercept });
  },
};
