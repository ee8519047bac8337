/**
 * RandomForest on the histogram tree engine, with scikit-learn's RandomForestClassifier defaults: 100 trees,
 * sqrt(n_features) features drawn per split, bootstrap samples, Gini impurity, unlimited depth, min_samples_leaf 1,
 * class_weight 'balanced' (computed on the full y, then multiplied by each tree's bootstrap counts, as
 * scikit-learn does). P(1) is the mean over trees of the leaf's weighted class-1 fraction (identity link).
 *
 * Difference from scikit-learn: split thresholds are bin edges (<= 255 quantile bins per feature) instead of every
 * midpoint between sorted values. That is what makes it fast (see the README for measured numbers).
 */
import { z } from 'zod';
import { type ClassifierFactory, type ClassifierState, type FitOptions, type Params, rowWeights } from './classifier.ts';
import type { Matrix } from './matrix.ts';
import { createRng, randomInt } from './rng.ts';
import { binMatrix, fitBinMapper } from './tree/binning.ts';
import { GrowContext, growTree } from './tree/grower.ts';
import type { Tree } from './tree/tree.ts';
import {
  TreeEnsembleClassifier, ensembleFromState, parseParams, validateFitInput, yieldToEventLoop,
} from './tree/tree-classifier.ts';

const paramsSchema = z.object({
  nEstimators: z.number().int().min(1),
  /** 'sqrt' | 'log2' | 'all', a fraction in (0, 1], or a count > 1. */
  maxFeatures: z.union([z.enum(['sqrt', 'log2', 'all']), z.number().positive()]),
  /** null: unlimited. */
  maxDepth: z.number().int().min(1).nullable(),
  minSamplesLeaf: z.number().int().min(1),
  minSamplesSplit: z.number().int().min(2),
  bootstrap: z.boolean(),
  classWeight: z.enum(['balanced', 'none']),
  maxBins: z.number().int().min(2).max(255),
}).strict();

export type RandomForestParams = z.infer<typeof paramsSchema>;

const defaultParams: RandomForestParams = {
  nEstimators: 100,
  maxFeatures: 'sqrt',
  maxDepth: null,
  minSamplesLeaf: 1,
  minSamplesSplit: 2,
  bootstrap: true,
  classWeight: 'balanced',
  maxBins: 255,
};

/** scikit-learn's max_features resolution. */
export function resolveMaxFeatures(maxFeatures: RandomForestParams['maxFeatures'], nFeatures: number): number {
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  if (maxFeatures === 'log2') return Math.max(1, Math.floor(Math.log2(nFeatures)));
  if (maxFeatures === 'all') return nFeatures;
  if (maxFeatures <= 1) return Math.max(1, Math.floor(maxFeatures * nFeatures));
  return Math.min(nFeatures, Math.floor(maxFeatures));
}

export class RandomForestClassifier extends TreeEnsembleClassifier<RandomForestParams> {
  readonly kind = 'RandomForest' as const;

  async fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void> {
    validateFitInput(this.kind, X, y, options);
    const p = this.params;
    const n = X.nRows;
    // Class weights on the full y (scikit-learn's 'balanced', not 'balanced_subsample'), times sample weights.
    const baseWeight = rowWeights(y, options, p.classWeight === 'balanced');
    const binned = binMatrix(fitBinMapper(X, { maxBins: p.maxBins }), X);
    const ctx = new GrowContext(binned);
    const rng = createRng(options.seed);
    const growOptions = {
      criterion: 'gini' as const,
      growth: 'depth-first' as const,
      maxDepth: p.maxDepth ?? Infinity,
      maxLeaves: Infinity,
      minSamplesLeaf: p.minSamplesLeaf,
      minSamplesSplit: p.minSamplesSplit,
      minHessianLeaf: 0,
      l2: 0,
      maxFeatures: resolveMaxFeatures(p.maxFeatures, X.nCols),
      shrinkage: 1,
    };
    const counts = new Int32Array(n);
    const stats = new Float64Array(3 * n);
    const rows = new Int32Array(n);
    const trees: Tree[] = [];
    for (let t = 0; t < p.nEstimators; t++) {
      // Bootstrap as per-row multiplicities folded into the weights (scikit-learn does the same); rows drawn
      // zero times or with zero weight are left out of the tree entirely.
      if (p.bootstrap) {
        counts.fill(0);
        for (let k = 0; k < n; k++) counts[randomInt(rng, n)]++;
      } else {
        counts.fill(1);
      }
      let m = 0;
      for (let i = 0; i < n; i++) {
        const w = baseWeight[i]! * counts[i]!;
        stats[3 * i] = w * y[i]!;
        stats[3 * i + 1] = w;
        stats[3 * i + 2] = w;
        if (w > 0) rows[m++] = i;
      }
      trees.push(growTree(ctx, stats, rows.slice(0, m), growOptions, rng).tree);
      if (t % 10 === 9) await yieldToEventLoop();
    }
    this.ensemble = {
      trees,
      treeWeights: new Float64Array(trees.length).fill(1 / trees.length),
      base: 0,
      link: 'identity',
      nFeatures: X.nCols,
    };
  }
}

export const randomForestFactory: ClassifierFactory = {
  kind: 'RandomForest',
  defaultParams,
  create(params?: Partial<Params>) {
    return new RandomForestClassifier(parseParams('RandomForest', paramsSchema, defaultParams, params));
  },
  fromJSON(state: ClassifierState) {
    const params = parseParams('RandomForest', paramsSchema, defaultParams, state.params);
    return new RandomForestClassifier(params, ensembleFromState('RandomForest', state));
  },
};
