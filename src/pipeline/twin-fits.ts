/**
 * The pool skips a fit that would repeat another candidate's: LightGBM and HistGradientBoosting share the histogram
 * engine and, with their references' defaults, usually grow the same trees (models/booster-twins.ts proves it per
 * pair from the bin edges). The skipped kind is still a candidate, logged as its own run, with the served kind's
 * trees, metrics and probabilities, and its run says which fit it shares (`same_fit_as`).
 */
import type { Dataset } from '../data/dataset.ts';
import { BOOSTER_TWINS, asTwin, fitsIdentically } from '../models/booster-twins.ts';
import type { ClassifierKind } from '../models/classifier.ts';
import { sliceRows } from '../models/matrix.ts';
import { createClassifier } from '../models/registry.ts';
import { encodeModel } from './artifacts.ts';
import type { Member, MemberResult } from './pool.ts';
import type { Range, SplitPlan } from './split.ts';

/** Every training range a pool member of this plan is fitted on. */
function trainingRanges(plan: SplitPlan): Range[] {
  return plan.protocol === 'seed' ? [plan.train] : [...plan.folds.map((f) => f.train), plan.finalTrain];
}

/**
 * For one pair: kind → the kind whose fit it can reuse (both in the pool, identical fits on every training range).
 * Costs one binning per range and kind (~10 ms), against a booster fit per range.
 */
export function twinFitsOf(kinds: readonly ClassifierKind[], data: Dataset, plan: SplitPlan): Map<ClassifierKind, ClassifierKind> {
  const twins = new Map<ClassifierKind, ClassifierKind>();
  for (const [skipped, source] of BOOSTER_TWINS) {
    if (!kinds.includes(skipped) || !kinds.includes(source)) continue;
    const sets = trainingRanges(plan).map((r) => sliceRows(data.X, r.start, r.end));
    if (fitsIdentically(createClassifier(skipped), createClassifier(source), sets)) twins.set(skipped, source);
  }
  return twins;
}

/** The member of `kind` made from its twin's trained member (same trees, metrics and probabilities; no fit time). */
export function twinMember(source: Member, kind: ClassifierKind, data: Dataset): Member {
  if (!source.ok) return { kind, ok: false, error: `${source.error} (fit shared with ${source.kind})`, fitSeconds: 0 };
  const model = asTwin(source.model, kind);
  const twin: MemberResult = {
    ...source, kind, params: { ...model.params }, model, fitSeconds: 0, sameFitAs: source.kind,
    artifact: encodeModel(model.toJSON(), data.featureNames),
  };
  return twin;
}
