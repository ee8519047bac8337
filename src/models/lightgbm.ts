/**
 * LightGBM-style booster: LightGBM's defaults for binary objectives on the histogram engine — leaf-wise growth
 * with num_leaves 31, learning_rate 0.1, 100 rounds, min_data_in_leaf 20, min_sum_hessian_in_leaf 1e-3,
 * lambda_l2 0, max_bin 255, min_data_in_bin 3 (bins are merged until each holds >= 3 training rows),
 * boost_from_average (baseline = log-odds of the weighted class-1 rate), class weights 'balanced'
 * (LGBMClassifier(class_weight='balanced')), no bagging or feature fraction.
 *
 * Not LightGBM itself: no GOSS, EFB, categorical splits or L1; the split search is the engine's (shared with
 * HistGradientBoosting), so the two kinds differ only in their defaults and binning.
 */
import { z } from 'zod';
import { type ClassifierFactory, type ClassifierState, type FitOptions, type Params, rowWeights } from './classifier.ts';
import type { Matrix } from './matrix.ts';
import { fitLogisticBoosting, type BoostingOptions } from './tree/gradient-boosting.ts';
import { TreeEnsembleClassifier, ensembleFromState, parseParams, validateFitInput } from './tree/tree-classifier.ts';

const paramsSchema = z.object({
  numLeaves: z.number().int().min(2),
  learningRate: z.number().positive(),
  nEstimators: z.number().int().min(1),
  /** null: unlimited (LightGBM's -1). */
  maxDepth: z.number().int().min(1).nullable(),
  minDataInLeaf: z.number().int().min(1),
  minSumHessianInLeaf: z.number().min(0),
  lambdaL2: z.number().min(0),
  maxBin: z.number().int().min(2).max(255),
  minDataInBin: z.number().int().min(1),
  classWeight: z.enum(['balanced', 'none']),
}).strict();

export type LightGbmParams = z.infer<typeof paramsSchema>;

const defaultParams: LightGbmParams = {
  numLeaves: 31,
  learningRate: 0.1,
  nEstimators: 100,
  maxDepth: null,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  lambdaL2: 0,
  maxBin: 255,
  minDataInBin: 3,
  classWeight: 'balanced',
};

export class LightGbmClassifier extends TreeEnsembleClassifier<LightGbmParams> {
  readonly kind = 'LightGBM' as const;

  async fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void> {
    validateFitInput(this.kind, X, y, options);
    // No bagging or feature fraction by default, so nothing consumes the seed.
    this.ensemble = await fitLogisticBoosting(X, y, rowWeights(y, options, this.params.classWeight === 'balanced'), this.boostingOptions());
  }

  /** What the shared histogram engine is asked to do (booster-twins.ts compares two kinds by it). */
  boostingOptions(): BoostingOptions & { balanced: boolean } {
    const p = this.params;
    return {
      nIterations: p.nEstimators,
      learningRate: p.learningRate,
      maxLeaves: p.numLeaves,
      maxDepth: p.maxDepth ?? Infinity,
      minSamplesLeaf: p.minDataInLeaf,
      minHessianLeaf: p.minSumHessianInLeaf,
      l2: p.lambdaL2,
      maxBins: p.maxBin,
      minRowsPerBin: p.minDataInBin,
      balanced: p.classWeight === 'balanced',
    };
  }
}

export const lightGbmFactory: ClassifierFactory = {
  kind: 'LightGBM',
  defaultParams,
  create(params?: Partial<Params>) {
    return new LightGbmClassifier(parseParams('LightGBM', paramsSchema, defaultParams, params));
  },
  fromJSON(state: ClassifierState) {
    const params = parseParams('LightGBM', paramsSchema, defaultParams, state.params);
    return new LightGbmClassifier(params, ensembleFromState('LightGBM', state));
  },
};
