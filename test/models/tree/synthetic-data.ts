/**
 * Seeded synthetic classification data shared by the tree-engine and tree-classifier tests, and the grower settings
 * of the two growth policies they exercise.
 */
import type { Matrix } from '../../../src/models/matrix.ts';
import type { GrowerOptions } from '../../../src/models/tree/grower.ts';
import { createRng } from '../../../src/models/rng.ts';

export interface Dataset {
  readonly X: Matrix;
  readonly y: Uint8Array;
}

/** Gaussian-ish noise from the sum of uniforms (Irwin-Hall, 4 terms), mean 0, sd ~0.58*scale. */
function noise(rng: () => number, scale: number): number {
  return (rng() + rng() + rng() + rng() - 2) * scale;
}

/**
 * Features uniform in [-1, 1]; y = 1 when x0 + 0.5*x1 > 0. Rows closer than `margin` to the boundary are
 * re-drawn, so the classes are separable with a margin.
 */
export function separable(n: number, nFeatures: number, seed: number, margin = 0.1): Dataset {
  const rng = createRng(seed);
  const data = new Float64Array(n * nFeatures);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let s: number;
    do {
      for (let f = 0; f < nFeatures; f++) data[i * nFeatures + f] = rng() * 2 - 1;
      s = data[i * nFeatures]! + 0.5 * data[i * nFeatures + 1]!;
    } while (Math.abs(s) < margin);
    y[i] = s > 0 ? 1 : 0;
  }
  return { X: { nRows: n, nCols: nFeatures, data }, y };
}

/**
 * A weak, non-linear signal buried in label noise: y = 1 when x0 + x1*x2 + noise > 0.3. Bayes accuracy is well
 * below 1 but far above chance.
 */
export function noisy(n: number, nFeatures: number, seed: number, noiseScale = 0.8): Dataset {
  const rng = createRng(seed);
  const data = new Float64Array(n * nFeatures);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < nFeatures; f++) data[i * nFeatures + f] = rng() * 2 - 1;
    const r = i * nFeatures;
    y[i] = data[r]! + data[r + 1]! * data[r + 2]! + noise(rng, noiseScale) > 0.3 ? 1 : 0;
  }
  return { X: { nRows: n, nCols: nFeatures, data }, y };
}


export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/** Copy of X with each value replaced by NaN with probability `rate`. */
export function withMissing(X: Matrix, rate: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = X.data.map((v) => (rng() < rate ? NaN : v));
  return { nRows: X.nRows, nCols: X.nCols, data };
}

export { accuracy } from '../fixtures.ts';

/** HistGradientBoosting's grower: leaf-wise Newton trees of 31 leaves. */
export const boosting: GrowerOptions = {
  criterion: 'newton', growth: 'best-first', maxDepth: Infinity, maxLeaves: 31, minSamplesLeaf: 20,
  minSamplesSplit: 2, minHessianLeaf: 1e-3, l2: 0, maxFeatures: Infinity, shrinkage: 0.1,
};
/** RandomForest's grower without feature sampling: fully grown depth-first Gini trees. */
export const forest: GrowerOptions = {
  criterion: 'gini', growth: 'depth-first', maxDepth: Infinity, maxLeaves: Infinity, minSamplesLeaf: 1,
  minSamplesSplit: 2, minHessianLeaf: 0, l2: 0, maxFeatures: Infinity, shrinkage: 1,
};
