/**
 * AdaBoost: scikit-learn's AdaBoostClassifier(algorithm='SAMME') over depth-1 Gini trees (stumps) on the histogram
 * engine, 50 estimators, learning_rate 1.0. scikit-learn's AdaBoost has no class_weight; like it, classes are
 * unweighted by default ('none'), and FitOptions class/sample weights scale the initial boosting weights.
 *
 * Training (scikit-learn's _boost_discrete, two classes): boosting weights a start as the normalised row weights;
 * each round fits a stump to a, err = weighted misclassification rate, alpha = lr * log((1 - err) / err);
 * misclassified rows get a *= exp(alpha) and a is renormalised. err = 0 keeps that stump with alpha = 1 and stops;
 * err >= 0.5 discards it and stops.
 *
 * Prediction (scikit-learn's SAMME decision_function + predict_proba for two classes): with v_t(x) = +1 when stump
 * t votes class 1 and -1 otherwise, decision d(x) = 2 * sum_t alpha_t v_t(x) / sum_t alpha_t and
 * P(1) = softmax([-d/2, d/2])[1] = sigmoid(d). So the model IS a tree ensemble with leaf values +-1, tree weights
 * 2*alpha_t/sum(alpha), base 0 and a logistic link: TreeSHAP explains d(x) exactly.
 *
 * Covers: each stump's node covers sum the rows' base weights (the grower's W statistic), not the round's boosting
 * weights, so TreeSHAP's path-dependent expectation averages over the training distribution rather than over the
 * hard rows of that round.
 */
import { z } from 'zod';
import { type ClassifierFactory, type ClassifierState, type FitOptions, type Params, rowWeights } from './classifier.ts';
import type { Matrix } from './matrix.ts';
import { binMatrix, fitBinMapper } from './tree/binning.ts';
import { GrowContext, growTree } from './tree/grower.ts';
import type { Tree } from './tree/tree.ts';
import {
  TreeEnsembleClassifier, ensembleFromState, parseParams, validateFitInput, yieldToEventLoop,
} from './tree/tree-classifier.ts';

const paramsSchema = z.object({
  nEstimators: z.number().int().min(1),
  learningRate: z.number().positive(),
  /** Depth of each weak learner (scikit-learn's default estimator is a depth-1 tree). */
  maxDepth: z.number().int().min(1),
  maxBins: z.number().int().min(2).max(255),
  classWeight: z.enum(['balanced', 'none']),
}).strict();

export type AdaBoostParams = z.infer<typeof paramsSchema>;

const defaultParams: AdaBoostParams = {
  nEstimators: 50,
  learningRate: 1.0,
  maxDepth: 1,
  maxBins: 255,
  classWeight: 'none',
};

export class AdaBoostClassifier extends TreeEnsembleClassifier<AdaBoostParams> {
  readonly kind = 'AdaBoost' as const;

  async fit(X: Matrix, y: Uint8Array, options: FitOptions): Promise<void> {
    validateFitInput(this.kind, X, y, options);
    const p = this.params;
    const n = X.nRows;
    const baseWeight = rowWeights(y, options, p.classWeight === 'balanced');
    const boostWeight = normalised(baseWeight);
    const binned = binMatrix(fitBinMapper(X, { maxBins: p.maxBins }), X);
    const ctx = new GrowContext(binned);
    const growOptions = {
      criterion: 'gini' as const,
      growth: 'depth-first' as const,
      maxDepth: p.maxDepth,
      maxLeaves: Infinity,
      minSamplesLeaf: 1,
      minSamplesSplit: 2,
      minHessianLeaf: 0,
      l2: 0,
      maxFeatures: X.nCols,
      shrinkage: 1,
    };
    const stats = new Float64Array(3 * n);
    const wrong = new Uint8Array(n);
    const trees: Tree[] = [];
    const alphas: number[] = [];
    for (let t = 0; t < p.nEstimators; t++) {
      let m = 0;
      const rows = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const a = boostWeight[i]!;
        stats[3 * i] = a * y[i]!;
        stats[3 * i + 1] = a;
        stats[3 * i + 2] = baseWeight[i]!;
        if (a > 0) rows[m++] = i;
      }
      const grown = growTree(ctx, stats, rows.subarray(0, m), growOptions);
      const tree = votingTree(grown.tree);
      // Misclassified rows, read leaf by leaf from the grower's row partition.
      wrong.fill(0);
      let err = 0;
      let total = 0;
      for (let node = 0; node < tree.left.length; node++) {
        if (tree.left[node] !== -1) continue;
        const vote = tree.value[node]! > 0 ? 1 : 0;
        for (let k = grown.nodeStart[node]!; k < grown.nodeEnd[node]!; k++) {
          const i = grown.rows[k]!;
          total += boostWeight[i]!;
          if (y[i] !== vote) {
            wrong[i] = 1;
            err += boostWeight[i]!;
          }
        }
      }
      err /= total;
      if (err <= 0) {
        trees.push(tree);
        alphas.push(1);
        break;
      }
      if (err >= 0.5) {
        if (trees.length === 0) {
          throw new Error('AdaBoost.fit: the first stump is no better than chance (weighted error >= 0.5); the ensemble cannot be fit');
        }
        break;
      }
      const alpha = p.learningRate * Math.log((1 - err) / err);
      trees.push(tree);
      alphas.push(alpha);
      if (t === p.nEstimators - 1) break;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        if (wrong[i] && boostWeight[i]! > 0) boostWeight[i] = boostWeight[i]! * Math.exp(alpha);
        sum += boostWeight[i]!;
      }
      if (!Number.isFinite(sum) || sum <= 0) break;
      for (let i = 0; i < n; i++) boostWeight[i] = boostWeight[i]! / sum;
      if (t % 10 === 9) await yieldToEventLoop();
    }
    const alphaSum = alphas.reduce((s, a) => s + a, 0);
    this.ensemble = {
      trees,
      treeWeights: Float64Array.from(alphas, (a) => (2 * a) / alphaSum),
      base: 0,
      link: 'logistic',
      nFeatures: X.nCols,
    };
  }
}

function normalised(w: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]!;
  return w.map((v) => v / s);
}

/** The stump's leaves vote +1 (class 1) or -1; a tie goes to class 0, like numpy's argmax in scikit-learn. */
function votingTree(t: Tree): Tree {
  return { ...t, value: t.value.map((p) => (p > 0.5 ? 1 : -1)) };
}

export const adaBoostFactory: ClassifierFactory = {
  kind: 'AdaBoost',
  defaultParams,
  create(params?: Partial<Params>) {
    return new AdaBoostClassifier(parseParams('AdaBoost', paramsSchema, defaultParams, params));
  },
  fromJSON(state: ClassifierState) {
    const params = parseParams('AdaBoost', paramsSchema, defaultParams, state.params);
    return new AdaBoostClassifier(params, ensembleFromState('AdaBoost', state));
  },
};
