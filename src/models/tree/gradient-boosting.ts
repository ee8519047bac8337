/**
 * Binary log-loss gradient boosting on the histogram engine, shared by HistGradientBoosting and the
 * LightGBM-style booster (they differ only in defaults and binning).
 *
 * raw(x) = base + sum_t tree_t(x), P(1) = sigmoid(raw). base is the log-odds of the weighted class-1 rate (with
 * balanced class weights that rate is 0.5, so base = 0). Each round fits a leaf-wise tree to the gradient
 * g = w*(p - y) and hessian h = w*p*(1-p) of the weighted log-loss; leaf values are -learningRate*G/(H + l2).
 * Node covers are the summed row weights w (class weight x sample weight), the distribution TreeSHAP averages over.
 */
import type { Matrix } from '../matrix.ts';
import { binMatrix, fitBinMapper } from './binning.ts';
import { GrowContext, growTree } from './grower.ts';
import type { Tree, TreeEnsemble } from './tree.ts';
import { yieldToEventLoop } from './tree-classifier.ts';

export interface BoostingOptions {
  readonly nIterations: number;
  readonly learningRate: number;
  readonly maxLeaves: number;
  /** Infinity for unlimited. */
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  readonly minHessianLeaf: number;
  readonly l2: number;
  readonly maxBins: number;
  readonly minRowsPerBin: number;
}

/** Smallest class-1 rate used for the baseline, so a one-class y gives a large but finite log-odds. */
const RATE_EPS = 1e-15;

export async function fitLogisticBoosting(X: Matrix, y: Uint8Array, weight: Float64Array, o: BoostingOptions): Promise<TreeEnsemble> {
  const n = X.nRows;
  const binned = binMatrix(fitBinMapper(X, { maxBins: o.maxBins, minRowsPerBin: o.minRowsPerBin }), X);
  const ctx = new GrowContext(binned);
  const growOptions = {
    criterion: 'newton' as const,
    growth: 'best-first' as const,
    maxDepth: o.maxDepth,
    maxLeaves: o.maxLeaves,
    minSamplesLeaf: o.minSamplesLeaf,
    minSamplesSplit: 2,
    minHessianLeaf: o.minHessianLeaf,
    l2: o.l2,
    maxFeatures: X.nCols,
    shrinkage: o.learningRate,
  };

  let wSum = 0;
  let wPos = 0;
  for (let i = 0; i < n; i++) {
    wSum += weight[i]!;
    wPos += weight[i]! * y[i]!;
  }
  const rate = Math.min(1 - RATE_EPS, Math.max(RATE_EPS, wPos / wSum));
  const base = Math.log(rate / (1 - rate));

  const raw = new Float64Array(n).fill(base);
  const stats = new Float64Array(3 * n);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const trees: Tree[] = [];
  for (let it = 0; it < o.nIterations; it++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]!));
      const w = weight[i]!;
      stats[3 * i] = w * (p - y[i]!);
      stats[3 * i + 1] = w * p * (1 - p);
      stats[3 * i + 2] = w;
    }
    const grown = growTree(ctx, stats, rows, growOptions);
    const t = grown.tree;
    // Update the training scores leaf by leaf: each leaf's rows are contiguous in grown.rows.
    for (let node = 0; node < t.left.length; node++) {
      if (t.left[node] !== -1) continue;
      const v = t.value[node]!;
      for (let k = grown.nodeStart[node]!; k < grown.nodeEnd[node]!; k++) raw[grown.rows[k]!] += v;
    }
    trees.push(t);
    if (it % 10 === 9) await yieldToEventLoop();
  }
  return { trees, treeWeights: new Float64Array(trees.length).fill(1), base, link: 'logistic', nFeatures: X.nCols };
}
