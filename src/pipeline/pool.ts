/**
 * Trains and evaluates one classifier kind under a split plan. Nothing here touches the store: the caller logs runs.
 *
 * seed protocol:         fit on train, score on test (the seed's way; test also picks the winner).
 * walk-forward protocol: fit/score on every fold (selection uses the mean validation score), then fit on the purged
 *                        finalTrain range and score once on the untouched test window (reported, never used to select).
 */
import type { EvaluationMetrics } from '../app/services.ts';
import type { Dataset } from '../data/dataset.ts';
import type { Classifier, ClassifierKind } from '../models/classifier.ts';
import { sliceRows } from '../models/matrix.ts';
import { createClassifier } from '../models/registry.ts';
import { evaluate, meanMetrics } from './metrics.ts';
import type { Range, SplitPlan } from './split.ts';

export interface MemberResult {
  kind: ClassifierKind;
  ok: true;
  params: Record<string, string | number | boolean | null>;
  /** Mean validation metrics over folds (walk-forward only). */
  validation: Record<string, number> | null;
  folds: EvaluationMetrics[];
  /** P(1) on each validation fold's rows (walk-forward only): what ensembles and calibration are built from. */
  foldProba: Float64Array[];
  test: EvaluationMetrics;
  testProba: Float64Array;
  /** The model scored on the test window (trained on train / finalTrain). */
  model: Classifier;
  /**
   * The model already encoded in the artifact format with the dataset's feature names, when the trainer produced it
   * (worker threads encode it next to the fit, so the deployment's thread only writes the bytes).
   */
  artifact?: Uint8Array;
  /** How SHAP explains this model: TreeSHAP when it exposes its trees, else KernelSHAP. */
  shapMethod: 'tree' | 'kernel';
  fitSeconds: number;
  /** Set when this member was not fitted but shares the identical fit of another kind (twin-fits.ts). */
  sameFitAs?: ClassifierKind;
}

export interface MemberFailure {
  kind: ClassifierKind;
  ok: false;
  error: string;
  fitSeconds: number;
}

export type Member = MemberResult | MemberFailure;

/** Makes an unfitted classifier of a kind; tests inject failing or slow ones. */
export type MakeClassifier = (kind: ClassifierKind) => Classifier;

async function fitOn(make: MakeClassifier, kind: ClassifierKind, data: Dataset, range: Range, seed: number): Promise<Classifier> {
  const model = make(kind);
  const y = data.y.subarray(range.start, range.end);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i]!;
  if (pos === 0 || pos === y.length) {
    throw new Error(`training rows ${data.dates[range.start]}..${data.dates[range.end - 1]} hold only class ${pos === 0 ? 0 : 1}`);
  }
  await model.fit(sliceRows(data.X, range.start, range.end), y, { seed });
  return model;
}

function score(model: Classifier, data: Dataset, range: Range): { metrics: EvaluationMetrics; proba: Float64Array } {
  const X = sliceRows(data.X, range.start, range.end);
  const proba = model.predictProba(X);
  const decisions = model.predict(X);
  return { metrics: evaluate(data.y.subarray(range.start, range.end), decisions, proba), proba };
}

export async function trainMember(kind: ClassifierKind, data: Dataset, plan: SplitPlan, seed: number, make: MakeClassifier = (k) => createClassifier(k)): Promise<Member> {
  const started = performance.now();
  try {
    const folds: EvaluationMetrics[] = [];
    const foldProba: Float64Array[] = [];
    if (plan.protocol === 'walk-forward') {
      for (const fold of plan.folds) {
        const m = await fitOn(make, kind, data, fold.train, seed);
        const scored = score(m, data, fold.valid);
        folds.push(scored.metrics);
        foldProba.push(scored.proba);
      }
    }
    const trainRange = plan.protocol === 'seed' ? plan.train : plan.finalTrain;
    const model = await fitOn(make, kind, data, trainRange, seed);
    const { metrics, proba } = score(model, data, plan.test);
    return {
      kind,
      ok: true,
      params: { ...model.params },
      validation: plan.protocol === 'walk-forward' ? meanMetrics(folds) : null,
      folds,
      foldProba,
      test: metrics,
      testProba: proba,
      model,
      shapMethod: model.treeEnsemble?.() ? 'tree' : 'kernel',
      fitSeconds: (performance.now() - started) / 1000,
    };
  } catch (err) {
    return { kind, ok: false, error: err instanceof Error ? err.message : String(err), fitSeconds: (performance.now() - started) / 1000 };
  }
}

/** The selection score of a member: mean validation overall (walk-forward) or test overall (seed). */
export function selectionScore(m: MemberResult): number {
  return m.validation ? m.validation.overall ?? Number.NaN : m.test.overall;
}

/** Highest selection score wins; ties keep pool order. Null when every member failed. */
export function selectBest(members: readonly Member[]): MemberResult | null {
  let best: MemberResult | null = null;
  for (const m of members) {
    if (!m.ok || !Number.isFinite(selectionScore(m))) continue;
    if (!best || selectionScore(m) > selectionScore(best)) best = m;
  }
  return best;
}
