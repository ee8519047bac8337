/**
 * Model-agnostic KernelSHAP (Lundberg & Lee 2017, "A Unified Approach to Interpreting Model Predictions"), for the
 * kinds without trees (SVM, kNN, MLP, NeuralNet, Ridge).
 *
 * For one row x, a coalition z ⊆ features is valued by v(z) = mean over background rows b of f(x_z, b_rest)
 * (the interventional expectation). SHAP values are the solution of a weighted least-squares fit of v over
 * coalitions with the Shapley kernel weight (M-1) / (C(M,|z|)·|z|·(M-|z|)), under the constraint
 * Σφ = f(x) − E[f]. The constraint is imposed by eliminating the last feature, so local accuracy holds to
 * rounding error whatever the sampling.
 *
 * Coalitions follow the shap package's scheme: subset sizes are enumerated completely, smallest and largest
 * first (they carry the most kernel weight), while the budget allows; the remaining sizes are sampled with paired
 * complements and the sampled weights rescaled to the kernel mass they stand for. When 2^M − 2 ≤ budget every
 * coalition is enumerated and the values are the exact Shapley values of v (then an unused feature gets exactly
 * 0). A feature whose value equals every background row's is left out and gets 0. No L1 feature selection is done.
 *
 * `predict` is called on batches of ~1 MB of rows that are overwritten afterwards: it must not keep its input.
 *
 * Cost: per row, the model predicts (coalitions × background rows) rows — 2086 × 20 ≈ 42k rows for 19 features.
 * Measured for 100 rows with 20 background rows: Ridge 1.6 s at the default budget, MLP 2.4 s at 500 coalitions;
 * kNN and SVM cost what predicting that many rows costs (~19 s and ~36 s at 200 coalitions), so callers should
 * size nSamples and the background per kind (see the README).
 */
import type { Matrix } from '../models/matrix.ts';
import { createRng, deriveSeed, type Rng } from '../models/rng.ts';

export interface KernelShapOptions {
  seed: number;
  /** Coalitions per row (default 2·M + 2048, the shap package's default). */
  nSamples?: number;
  /**
   * Index of X's first row among all rows being explained (default 0). Row r samples its coalitions from its own
   * stream deriveSeed(seed, rowOffset + r), so explaining rows in chunks (e.g. on several worker threads) gives
   * exactly the values of explaining them all at once.
   */
  rowOffset?: number;
}

export interface KernelShapResult {
  /** Row-major nRows × nFeatures. */
  values: Float64Array;
  /** Mean model output over the background rows. */
  expectedValue: number;
}

export function kernelShap(predict: (X: Matrix) => Float64Array, X: Matrix, background: Matrix, opts: KernelShapOptions): KernelShapResult {
  const d = X.nCols;
  if (background.nCols !== d) throw new Error(`kernelShap: background has ${background.nCols} features, rows to explain have ${d}`);
  if (background.nRows === 0) throw new Error('kernelShap: the background is empty');
  if (opts.nSamples !== undefined && !(Number.isInteger(opts.nSamples) && opts.nSamples > 0)) {
    throw new Error(`kernelShap: nSamples must be a positive integer, got ${opts.nSamples}`);
  }
  const fBackground = checkedPredict(predict, background);
  let expectedValue = 0;
  for (let b = 0; b < fBackground.length; b++) expectedValue += fBackground[b]!;
  expectedValue /= fBackground.length;
  const fX = checkedPredict(predict, X);

  const rowOffset = opts.rowOffset ?? 0;
  if (!(Number.isInteger(rowOffset) && rowOffset >= 0)) throw new Error(`kernelShap: rowOffset must be a non-negative integer, got ${rowOffset}`);
  const values = new Float64Array(X.nRows * d);
  for (let i = 0; i < X.nRows; i++) {
    const x = X.data.subarray(i * d, (i + 1) * d);
    const rng = createRng(deriveSeed(opts.seed, rowOffset + i));
    const phi = explainRow(predict, x, fX[i]!, background, expectedValue, opts.nSamples, rng);
    values.set(phi, i * d);
  }
  return { values, expectedValue };
}

function checkedPredict(predict: (X: Matrix) => Float64Array, M: Matrix): Float64Array {
  const out = predict(M);
  if (out.length !== M.nRows) throw new Error(`kernelShap: the model returned ${out.length} outputs for ${M.nRows} rows`);
  return out;
}

function explainRow(
  predict: (X: Matrix) => Float64Array, x: Float64Array, fx: number, bg: Matrix, expected: number,
  nSamples: number | undefined, rng: Rng,
): Float64Array {
  const d = x.length;
  const phi = new Float64Array(d);
  const varying: number[] = [];
  for (let j = 0; j < d; j++) {
    for (let b = 0; b < bg.nRows; b++) {
      if (!sameValue(bg.data[b * d + j]!, x[j]!)) {
        varying.push(j);
        break;
      }
    }
  }
  const M = varying.length;
  if (M === 0) return phi;
  if (M === 1) {
    phi[varying[0]!] = fx - expected;
    return phi;
  }
  const design = sampleCoalitions(M, nSamples ?? 2 * M + 2048, rng);
  const v = coalitionValues(predict, x, bg, varying, design.masks, design.count);
  const solved = solveConstrained(design, v, fx - expected, expected, M);
  for (let k = 0; k < M; k++) phi[varying[k]!] = solved[k]!;
  return phi;
}

/** Equality that treats NaN as equal to NaN (a missing value is not "varying" against another missing value). */
function sameValue(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

// ---- coalition design ---------------------------------------------------------------------------------------

export interface CoalitionDesign {
  /** count × M 0/1 masks, row-major. */
  masks: Uint8Array;
  weights: Float64Array;
  count: number;
}

/** The shap package's KernelExplainer sampling scheme (see the module comment). Exported for the tests. */
export function sampleCoalitions(M: number, budget: number, rng: Rng): CoalitionDesign {
  const maxCoalitions = M <= 30 ? 2 ** M - 2 : Infinity;
  const nSamples = Math.max(1, Math.min(budget, maxCoalitions));
  const masks = new Uint8Array(nSamples * M);
  const weights = new Float64Array(nSamples);
  let count = 0;
  const seen = new Map<string, number>();
  const add = (mask: Uint8Array, w: number): void => {
    masks.set(mask, count * M);
    weights[count] = w;
    seen.set(mask.join(''), count);
    count++;
  };

  const numSubsetSizes = Math.ceil((M - 1) / 2);
  const numPairedSizes = Math.floor((M - 1) / 2);
  const kernelMass = new Float64Array(numSubsetSizes);
  for (let s = 1; s <= numSubsetSizes; s++) kernelMass[s - 1] = ((M - 1) / (s * (M - s))) * (s <= numPairedSizes ? 2 : 1);
  normalize(kernelMass);

  // 1. Enumerate whole subset sizes (with their complements) while the budget covers them.
  let fullSizes = 0;
  let samplesLeft = nSamples;
  const remaining = Float64Array.from(kernelMass);
  const mask = new Uint8Array(M);
  for (let s = 1; s <= numSubsetSizes; s++) {
    const paired = s <= numPairedSizes;
    const nSubsets = binomial(M, s) * (paired ? 2 : 1);
    if ((samplesLeft * remaining[s - 1]!) / nSubsets < 1 - 1e-8) break;
    fullSizes++;
    samplesLeft -= nSubsets;
    if (remaining[s - 1]! < 1) {
      const r = 1 - remaining[s - 1]!;
      for (let k = 0; k < remaining.length; k++) remaining[k] /= r;
    }
    const w = kernelMass[s - 1]! / binomial(M, s) / (paired ? 2 : 1);
    forEachSubset(M, s, (members) => {
      mask.fill(0);
      for (const j of members) mask[j] = 1;
      add(mask, w);
      if (paired) {
        for (let j = 0; j < M; j++) mask[j] = 1 - mask[j]!;
        add(mask, w);
      }
    });
  }

  // 2. Sample the remaining sizes in proportion to their kernel mass, each with its complement.
  const nFixed = count;
  if (fullSizes < numSubsetSizes && samplesLeft > 0) {
    const sizeMass = Float64Array.from(kernelMass.subarray(fullSizes), (m, k) => (fullSizes + k < numPairedSizes ? m / 2 : m));
    normalize(sizeMass);
    const perm = Int32Array.from({ length: M }, (_, j) => j);
    const bump = (m: Uint8Array): void => {
      const existing = seen.get(m.join(''));
      if (existing !== undefined) {
        weights[existing] += 1;
      } else {
        add(m, 1);
        samplesLeft--;
      }
    };
    // Drawing the same coalitions over and over means the space is nearly exhausted: stop after a bounded number.
    for (let draws = 0; samplesLeft > 0 && draws < 50 * nSamples; draws++) {
      const s = fullSizes + 1 + drawIndex(sizeMass, rng);
      // Random subset of size s: partial Fisher-Yates.
      for (let k = 0; k < s; k++) {
        const r = k + Math.floor(rng() * (M - k));
        const tmp = perm[k]!;
        perm[k] = perm[r]!;
        perm[r] = tmp;
      }
      mask.fill(0);
      for (let k = 0; k < s; k++) mask[perm[k]!] = 1;
      bump(mask);
      if (samplesLeft > 0 && s <= numPairedSizes) {
        for (let j = 0; j < M; j++) mask[j] = 1 - mask[j]!;
        bump(mask);
      }
    }
    // The sampled coalitions stand for the kernel mass of the sizes that were not enumerated.
    let massLeft = 0;
    for (let k = fullSizes; k < numSubsetSizes; k++) massLeft += kernelMass[k]!;
    let sampled = 0;
    for (let c = nFixed; c < count; c++) sampled += weights[c]!;
    if (sampled > 0) for (let c = nFixed; c < count; c++) weights[c] *= massLeft / sampled;
  }
  return { masks: masks.subarray(0, count * M), weights: weights.subarray(0, count), count };
}

function normalize(a: Float64Array): void {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]!;
  for (let k = 0; k < a.length; k++) a[k] /= s;
}

function drawIndex(p: Float64Array, rng: Rng): number {
  let u = rng();
  for (let k = 0; k < p.length - 1; k++) {
    u -= p[k]!;
    if (u < 0) return k;
  }
  return p.length - 1;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Calls fn with every k-subset of {0..n-1}, in lexicographic order. */
function forEachSubset(n: number, k: number, fn: (members: Int32Array) => void): void {
  const idx = Int32Array.from({ length: k }, (_, i) => i);
  for (;;) {
    fn(idx);
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

// ---- evaluation and the constrained regression --------------------------------------------------------------

/** v(z) for every coalition: the model's mean over the background with the coalition's features taken from x. */
function coalitionValues(
  predict: (X: Matrix) => Float64Array, x: Float64Array, bg: Matrix, varying: number[], masks: Uint8Array, count: number,
): Float64Array {
  const d = x.length;
  const M = varying.length;
  const nB = bg.nRows;
  // Chunks of ~1 MB keep the rows in cache between being written here and read by the model, and bound memory.
  const coalitionsPerCall = Math.max(1, Math.floor(131_072 / (nB * d)));
  const buffer = new Float64Array(coalitionsPerCall * nB * d);
  const v = new Float64Array(count);
  for (let c0 = 0; c0 < count; c0 += coalitionsPerCall) {
    const c1 = Math.min(count, c0 + coalitionsPerCall);
    const rows = (c1 - c0) * nB;
    const data = buffer.subarray(0, rows * d);
    for (let c = c0; c < c1; c++) {
      const base = (c - c0) * nB * d;
      data.set(bg.data, base);
      for (let k = 0; k < M; k++) {
        if (!masks[c * M + k]) continue;
        const j = varying[k]!;
        const xj = x[j]!;
        for (let b = 0; b < nB; b++) data[base + b * d + j] = xj;
      }
    }
    const out = predict({ nRows: rows, nCols: d, data });
    if (out.length !== rows) throw new Error(`kernelShap: the model returned ${out.length} outputs for ${rows} rows`);
    for (let c = c0; c < c1; c++) {
      let s = 0;
      const o = (c - c0) * nB;
      for (let b = 0; b < nB; b++) s += out[o + b]!;
      v[c] = s / nB;
    }
  }
  return v;
}

/**
 * Weighted least squares of (v − E) on the masks, with Σφ = f(x) − E imposed by substituting
 * φ_last = (f(x) − E) − Σ_{k<last} φ_k (the shap package's solve).
 */
function solveConstrained(design: CoalitionDesign, v: Float64Array, total: number, expected: number, M: number): Float64Array {
  const { masks, weights, count } = design;
  const p = M - 1;
  const A = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  const row = new Float64Array(p);
  for (let c = 0; c < count; c++) {
    const w = weights[c]!;
    if (w === 0) continue;
    const zLast = masks[c * M + p]!;
    const target = v[c]! - expected - zLast * total;
    for (let k = 0; k < p; k++) row[k] = masks[c * M + k]! - zLast;
    for (let a = 0; a < p; a++) {
      const wa = w * row[a]!;
      if (wa === 0) continue;
      rhs[a] += wa * target;
      for (let b = 0; b <= a; b++) A[a * p + b] += wa * row[b]!;
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) A[b * p + a] = A[a * p + b]!;
  const head = solveLinear(A, rhs, p);
  const phi = new Float64Array(M);
  let s = 0;
  for (let k = 0; k < p; k++) {
    phi[k] = head[k]!;
    s += head[k]!;
  }
  phi[p] = total - s;
  return phi;
}

/**
 * Gaussian elimination with partial pivoting. A singular system (too few coalitions to separate the features)
 * gets a tiny ridge so that it still returns the least-norm-leaning answer instead of NaN.
 */
function solveLinear(A: Float64Array, b: Float64Array, n: number): Float64Array {
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(A[i * n + i]!));
  for (const ridge of [0, 1e-10, 1e-6]) {
    const M = Float64Array.from(A);
    const x = Float64Array.from(b);
    for (let i = 0; i < n; i++) M[i * n + i] += ridge * (scale || 1);
    let ok = true;
    for (let col = 0; col < n && ok; col++) {
      let piv = col;
      for (let r = col + 1; r < n; r++) if (Math.abs(M[r * n + col]!) > Math.abs(M[piv * n + col]!)) piv = r;
      if (Math.abs(M[piv * n + col]!) <= 1e-13 * (scale || 1)) {
        ok = false;
        break;
      }
      if (piv !== col) {
        for (let k = 0; k < n; k++) {
          const t = M[col * n + k]!;
          M[col * n + k] = M[piv * n + k]!;
          M[piv * n + k] = t;
        }
        const t = x[col]!;
        x[col] = x[piv]!;
        x[piv] = t;
      }
      for (let r = col + 1; r < n; r++) {
        const f = M[r * n + col]! / M[col * n + col]!;
        if (f === 0) continue;
        for (let k = col; k < n; k++) M[r * n + k] -= f * M[col * n + k]!;
        x[r] -= f * x[col]!;
      }
    }
    if (!ok) continue;
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i]!;
      for (let k = i + 1; k < n; k++) s -= M[i * n + k]! * x[k]!;
      x[i] = s / M[i * n + i]!;
    }
    return x;
  }
  throw new Error('kernelShap: the coalition regression is singular; increase nSamples');
}

// ---- background ----------------------------------------------------------------------------------------------

/**
 * A seeded sample of `size` distinct rows (in their original order), or all rows when there are fewer.
 * A plain sample keeps E[f] an unbiased estimate of the model's mean output over the training data.
 */
export function summarizeBackground(X: Matrix, opts: { size: number; seed: number }): Matrix {
  if (!(Number.isInteger(opts.size) && opts.size > 0)) throw new Error(`summarizeBackground: size must be a positive integer, got ${opts.size}`);
  const n = X.nRows;
  const d = X.nCols;
  if (n <= opts.size) return { nRows: n, nCols: d, data: Float64Array.from(X.data.subarray(0, n * d)) };
  const rng = createRng(opts.seed);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < opts.size; k++) {
    const r = k + Math.floor(rng() * (n - k));
    const t = idx[k]!;
    idx[k] = idx[r]!;
    idx[r] = t;
  }
  const chosen = idx.subarray(0, opts.size).sort();
  const data = new Float64Array(opts.size * d);
  for (let k = 0; k < chosen.length; k++) data.set(X.data.subarray(chosen[k]! * d, (chosen[k]! + 1) * d), k * d);
  return { nRows: opts.size, nCols: d, data };
}
