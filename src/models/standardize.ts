/**
 * Z-score scaling, scikit-learn's StandardScaler: (x - mean) / std with the population std (ddof 0), and a scale
 * of 1 for constant columns so they map to 0 instead of NaN.
 *
 * The distance- and gradient-based kinds (SVM, kNN, MLP, NeuralNet, Ridge) scale inside the model, so a model is
 * one artifact and callers never have to remember to scale. The seed fed raw features to scikit-learn; scaling
 * is the sane choice for these algorithms (an RBF kernel or a kNN distance on raw volume vs. RSI is dominated by
 * the largest column).
 */
import type { FitOptions } from './classifier.ts';
import type { Matrix } from './matrix.ts';

export interface Standardizer {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

export interface StandardizerJSON {
  mean: number[];
  scale: number[];
}

/** Learns mean and std per column. Throws on NaN/Infinity: these models cannot use them. */
export function fitStandardizer(X: Matrix, who: string): Standardizer {
  assertFinite(X, who);
  const { nRows: n, nCols: d, data } = X;
  if (n === 0) throw new Error(`${who}: cannot fit on an empty matrix`);
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j] /= n;
  // Two-pass variance: numerically safer than E[x^2] - E[x]^2 on large-valued columns (volumes).
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const c = data[i * d + j]! - mean[j]!;
      scale[j] += c * c;
    }
  }
  for (let j = 0; j < d; j++) {
    const std = Math.sqrt(scale[j]! / n);
    // A column whose spread is only rounding noise is constant: scale 1 maps it to ~0 instead of amplifying noise.
    scale[j] = std > 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j]!)) ? std : 1;
  }
  return { mean, scale };
}

/** Returns a new, scaled matrix. Throws on NaN/Infinity or on a column-count mismatch. */
export function standardize(s: Standardizer, X: Matrix, who: string): Matrix {
  const d = s.mean.length;
  if (X.nCols !== d) throw new Error(`${who}: expected ${d} features, got ${X.nCols}`);
  assertFinite(X, who);
  const out = new Float64Array(X.data.length);
  for (let i = 0; i < X.nRows; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = (X.data[o + j]! - s.mean[j]!) / s.scale[j]!;
  }
  return { nRows: X.nRows, nCols: d, data: out };
}

export function standardizerToJSON(s: Standardizer): StandardizerJSON {
  return { mean: Array.from(s.mean), scale: Array.from(s.scale) };
}

export function standardizerFromJSON(j: StandardizerJSON, who: string): Standardizer {
  if (!j || !Array.isArray(j.mean) || !Array.isArray(j.scale) || j.mean.length !== j.scale.length) {
    throw new Error(`${who}: artifact has no valid scaler (mean/scale arrays of equal length)`);
  }
  return { mean: Float64Array.from(j.mean), scale: Float64Array.from(j.scale) };
}

/** Names the first offending cell, so a bad feature row can be found in the data. */
export function assertFinite(X: Matrix, who: string): void {
  const { data, nCols } = X;
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k]!)) {
      throw new Error(`${who}: non-finite value ${data[k]} at row ${Math.floor(k / nCols)}, column ${k % nCols}`);
    }
  }
}

/**
 * Checks what every classifier's fit needs: one 0/1 label per row and a finite, non-empty matrix.
 * (Shared by the kinds of this folder; a candidate for classifier.ts.)
 */
export function assertTrainingSet(X: Matrix, y: Uint8Array, fit: FitOptions, who: string, options: { allowNaN?: boolean } = {}): void {
  if (X.nRows === 0 || X.nCols === 0) throw new Error(`${who}: empty training matrix (${X.nRows}x${X.nCols})`);
  if (y.length !== X.nRows) throw new Error(`${who}: ${X.nRows} rows but ${y.length} labels`);
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`${who}: label at row ${i} is ${y[i]}, expected 0 or 1`);
  }
  const sw = fit.sampleWeight;
  if (sw) {
    if (sw.length !== X.nRows) throw new Error(`${who}: ${X.nRows} rows but ${sw.length} sample weights`);
    for (let i = 0; i < sw.length; i++) {
      if (!(sw[i]! >= 0) || !Number.isFinite(sw[i]!)) throw new Error(`${who}: sample weight at row ${i} is ${sw[i]}, expected a finite value >= 0`);
    }
  }
  if (!Number.isFinite(fit.seed)) throw new Error(`${who}: seed must be a finite number, got ${fit.seed}`);
  if (!options.allowNaN) assertFinite(X, who);
}
