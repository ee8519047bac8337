/**
 * HistGradientBoosting: scikit-learn's HistGradientBoostingClassifier defaults on the histogram engine —
 * log-loss, learning_rate 0.1, max_iter 100, max_leaf_nodes 31 (leaf-wise growth), no depth limit,
 * min_samples_leaf 20, l2_regularization 0, max_bins 255 (+1 bin for missing values), min hessian 1e-3 per child,
 * class_weight 'balanced', baseline = log-odds of the weighted class-1 rate, logistic link.
 *
 * Early stopping: scikit-learn's 'auto' turns it on only above 10 000 rows; the pool trains on ~2 000-3 000 rows,
 * so it is not implemented and every fit runs maxIter rounds.
 */
import { z } from 'zod';
import { type ClassifierFactory, type ClassifierState, type FitOptions, type Params, rowWeights } from './classifier.ts';
import type { Matrix } from './matrix.ts';
import { fitLogisticBoosting, type BoostingOptions } from './tree/gradient-boosting.ts';
import { TreeEnsembleClassifier, ensembleFromState, parseParams, validateFitInput } from './tree/tree-classifier.ts';

const paramsSchema = z.object({
  learningRate: z.number().positive(),
  maxIter: z.number().int().min(1),
  maxLeafNodes: z.number().int().min(2),
  /** null: unlimited. */
  maxDepth: z.number().int().min(1).nullable(),
  minSamplesLeaf: z.number().int().min(1),
  l2Regularization: z.number().min(0),
  maxBins: z.number().int().min(2).max(255),
  classWeight: z.enum(['balanced', 'none']),
}).strict();

export type HistGradientBoostingParams = z.infer<typeof paramsSchema>;

const defaultParams: HistGradientBoostingParams = {
  learningRate: 0.1,
  maxIter: 100,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2Regularization: 0,
  maxBins: 255,
  classWeight: 'balanced',
};

/** scikit-learn's fixed min_hessian_to_split. */
const MIN_HESSIAN = 1e-3;

export class HistGradientBoostingClassifier extends TreeEnsembleClassifier<HistGradientBoostingParams> {
  readonly kind = 'HistGradientBoosting' as const;

  async fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void> {
    validateFitInput(this.kind, X, y, options);
    // Nothing is random here (no subsampling), so the seed is accepted but unused.
    this.ensemble = await fitLogisticBoosting(X, y, rowWeights(y, options, this.params.classWeight === 'balanced'), this.boostingOptions());
  }

  /** What the shared histogram engine is asked to do (booster-twins.ts compares two kinds by it). */
  boostingOptions(): BoostingOptions & { balanced: boolean } {
    const p = this.params;
    return {
      nIterations: p.maxIter,
      learningRate: p.learningRate,
      maxLeaves: p.maxLeafNodes,
      maxDepth: p.maxDepth ?? Infinity,
      minSamplesLeaf: p.minSamplesLeaf,
      minHessianLeaf: MIN_HESSIAN,
      l2: p.l2Regularization,
      maxBins: p.maxBins,
      minRowsPerBin: 1,
      balanced: p.classWeight === 'balanced',
    };
  }
}

export const histGradientBoostingFactory: ClassifierFactory = {
  kind: 'HistGradientBoosting',
  defaultParams,
  create(params?: Partial<Params>) {
    return new HistGradientBoostingClassifier(parseParams('HistGradientBoosting', paramsSchema, defaultParams, params));
  },
  fromJSON(state: ClassifierState) {
    const params = parseParams('HistGradientBoosting', paramsSchema, defaultParams, state.params);
    return new HistGradientBoostingClassifier(params, ensembleFromState('HistGradientBoosting', state));
  },
};
