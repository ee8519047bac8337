/**
 * Booster twins: two kinds that run the same histogram engine (LightGBM and HistGradientBoosting) grow the same trees
 * when the engine is asked the same thing and their bin edges on the training rows coincide. With their references'
 * defaults the only difference is LightGBM's min_data_in_bin 3, which on ~2,000 rows rarely merges a bin; then one fit
 * serves both candidates (the pool skips the duplicate, see pipeline/twin-fits.ts).
 *
 * The check is exact, not a heuristic: same engine options but min_data_in_bin, and bit-identical bin edges for every
 * training range. Given those, the fit is a deterministic function of (binned rows, labels, weights, options), so the
 * two ensembles are identical (test/models/booster-twins.test.ts fits both and compares them).
 */
import type { Classifier, ClassifierKind, Params } from './classifier.ts';
import type { Matrix } from './matrix.ts';
import { classifierFromState, createClassifier } from './registry.ts';
import { fitBinMapper } from './tree/binning.ts';
import type { BoostingOptions } from './tree/gradient-boosting.ts';

type EngineOptions = BoostingOptions & { balanced: boolean };

function engineOptions(model: Classifier): EngineOptions | null {
  const m = model as Classifier & { boostingOptions?: () => EngineOptions };
  return typeof m.boostingOptions === 'function' ? m.boostingOptions() : null;
}

/** True when a and b ask the engine the same thing, apart from the binning's min rows per bin. */
function sameEngineRequest(a: EngineOptions, b: EngineOptions): boolean {
  return a.nIterations === b.nIterations && a.learningRate === b.learningRate && a.maxLeaves === b.maxLeaves
    && a.maxDepth === b.maxDepth && a.minSamplesLeaf === b.minSamplesLeaf && a.minHessianLeaf === b.minHessianLeaf
    && a.l2 === b.l2 && a.maxBins === b.maxBins && a.balanced === b.balanced;
}

function sameEdges(X: Matrix, a: EngineOptions, b: EngineOptions): boolean {
  if (a.minRowsPerBin === b.minRowsPerBin) return true;
  const ea = fitBinMapper(X, { maxBins: a.maxBins, minRowsPerBin: a.minRowsPerBin }).edges;
  const eb = fitBinMapper(X, { maxBins: b.maxBins, minRowsPerBin: b.minRowsPerBin }).edges;
  for (let f = 0; f < ea.length; f++) {
    const x = ea[f]!, y = eb[f]!;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  }
  return true;
}

/**
 * Whether fitting `a` and `b` (unfitted, with their params) on each of `trainingSets` gives identical models.
 * False for any kind that is not on the histogram booster engine.
 */
export function fitsIdentically(a: Classifier, b: Classifier, trainingSets: readonly Matrix[]): boolean {
  const oa = engineOptions(a), ob = engineOptions(b);
  if (!oa || !ob || !sameEngineRequest(oa, ob)) return false;
  return trainingSets.every((X) => sameEdges(X, oa, ob));
}

/** The pairs of pool kinds that can be twins: [the kind whose fit is skipped, the kind whose fit serves it]. */
export const BOOSTER_TWINS: readonly (readonly [ClassifierKind, ClassifierKind])[] = [['LightGBM', 'HistGradientBoosting']];

/**
 * `fitted` (a fitted booster) re-labelled as the twin kind with that kind's params: the same trees, so the same
 * predictions and TreeSHAP values. Only valid after fitsIdentically said so for the rows `fitted` was trained on.
 */
export function asTwin(fitted: Classifier, kind: ClassifierKind, params?: Partial<Params>): Classifier {
  const twin = createClassifier(kind, params);
  return classifierFromState({ kind, params: twin.params, state: fitted.toJSON().state });
}
