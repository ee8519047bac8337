/**
 * Models assembled from already fitted models, stored and loaded like any classifier:
 *
 * - CalibratedClassifier: a model whose probability is mapped through Platt scaling fitted on held-out validation
 *   predictions. Its 0/1 decisions are the wrapped model's own (score > 0.5, the balanced operating point that the
 *   seed's gate metrics are measured at); the calibrated probability of that point is its `signalThreshold`.
 * - EnsembleClassifier: soft voting, the mean of its members' probabilities. Members may read different feature
 *   sets: each reads its own columns of the ensemble's input row.
 *
 * Neither can be fitted: the pipeline fits the members and assembles these around them.
 */
import { z } from 'zod';
import type { Classifier, ClassifierState, ModelKind, Params } from './classifier.ts';
import { thresholdProba } from './classifier.ts';
import { takeColumns, type Matrix } from './matrix.ts';
import { applyPlatt, type PlattScaling } from './calibration.ts';

type LoadState = (state: ClassifierState) => Classifier;

function notFittable(kind: ModelKind): never {
  throw new Error(`${kind} models are assembled from fitted models; they cannot be fitted themselves`);
}

const stateObject = z.object({ kind: z.string(), params: z.record(z.string(), z.any()), state: z.unknown() });

export class CalibratedClassifier implements Classifier {
  readonly kind = 'Calibrated' as const;
  readonly params: Readonly<Params>;

  constructor(readonly base: Classifier, readonly calibration: PlattScaling | null) {
    this.params = { base: base.kind, method: calibration ? 'platt' : 'none' };
  }

  fit(): Promise<void> {
    return notFittable(this.kind);
  }

  /** The wrapped model's probability before calibration (what its decisions and SHAP values refer to). */
  score(X: Matrix): Float64Array {
    return this.base.predictProba(X);
  }

  predictProba(X: Matrix): Float64Array {
    const s = this.base.predictProba(X);
    const c = this.calibration;
    return c ? s.map((v) => applyPlatt(c, v)) : s;
  }

  predict(X: Matrix): Uint8Array {
    return this.base.predict(X);
  }

  /** The calibrated probability at the decision boundary: a signal is a probability at or above it. */
  get signalThreshold(): number {
    return this.calibration ? applyPlatt(this.calibration, 0.5) : 0.5;
  }

  toJSON(): ClassifierState {
    return { kind: this.kind, params: { ...this.params }, state: { calibration: this.calibration, base: this.base.toJSON() } };
  }
}

const calibratedState = z.object({
  calibration: z.object({ a: z.number().positive(), b: z.number() }).nullable(),
  base: stateObject,
});

export function calibratedFromJSON(state: ClassifierState, load: LoadState): CalibratedClassifier {
  const parsed = calibratedState.safeParse(state.state);
  if (state.kind !== 'Calibrated' || !parsed.success) throw new Error(`Calibrated: invalid artifact state${parsed.success ? '' : `: ${z.prettifyError(parsed.error)}`}`);
  return new CalibratedClassifier(load(parsed.data.base as ClassifierState), parsed.data.calibration);
}

export interface EnsembleMember {
  /** The member's name in the pool, e.g. "global:RandomForest". */
  readonly name: string;
  readonly model: Classifier;
  /** The ensemble input's columns this member reads, in the member's own feature order. */
  readonly columns: readonly number[];
}

export class EnsembleClassifier implements Classifier {
  readonly kind = 'Ensemble' as const;
  readonly params: Readonly<Params>;

  constructor(readonly members: readonly EnsembleMember[]) {
    if (members.length === 0) throw new Error('Ensemble: needs at least one member');
    this.params = { members: members.map((m) => m.name).join(','), voting: 'soft' };
  }

  fit(): Promise<void> {
    return notFittable(this.kind);
  }

  predictProba(X: Matrix): Float64Array {
    const out = new Float64Array(X.nRows);
    for (const m of this.members) {
      const p = m.model.predictProba(takeColumns(X, m.columns));
      for (let i = 0; i < out.length; i++) out[i] += p[i]!;
    }
    for (let i = 0; i < out.length; i++) out[i] /= this.members.length;
    return out;
  }

  predict(X: Matrix): Uint8Array {
    return thresholdProba(this.predictProba(X));
  }

  toJSON(): ClassifierState {
    return {
      kind: this.kind,
      params: { ...this.params },
      state: { members: this.members.map((m) => ({ name: m.name, columns: [...m.columns], model: m.model.toJSON() })) },
    };
  }
}

const ensembleState = z.object({
  members: z.array(z.object({ name: z.string(), columns: z.array(z.number().int().min(0)), model: stateObject })).min(1),
});

export function ensembleFromJSON(state: ClassifierState, load: LoadState): EnsembleClassifier {
  const parsed = ensembleState.safeParse(state.state);
  if (state.kind !== 'Ensemble' || !parsed.success) throw new Error(`Ensemble: invalid artifact state${parsed.success ? '' : `: ${z.prettifyError(parsed.error)}`}`);
  return new EnsembleClassifier(parsed.data.members.map((m) => ({ name: m.name, columns: m.columns, model: load(m.model as ClassifierState) })));
}
