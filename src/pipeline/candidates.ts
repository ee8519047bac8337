/**
 * The candidates of a pair's pool and how one is chosen.
 *
 * A candidate is anything that gives P(trend) on the pair's validation folds and TEST window: a per-coin classifier
 * kind trained on the coin's own rows (`RandomForest`), a global model trained on the pooled rows of every coin
 * (`global:RandomForest`, see global-bank.ts), or a soft-voting ensemble of the best few (`ensemble(top3)`).
 *
 * Selection (walk-forward) reads the validation folds only. With ~10 candidates and ~100-row folds, picking the one
 * with the highest validation score mostly picks the luckiest: on the validation folds of the 40 bundled pairs, the
 * pick did worse on the next window than simply always taking the candidate that is best on average. So each
 * candidate's score is shrunk toward its mean over every pair of the trend (empirical Bayes):
 *
 *     score = λ · (this pair's mean validation overall) + (1 − λ) · (the candidate's mean over all pairs)
 *
 * with λ = 0.05 by default (chosen on validation windows, README "Signal quality"). λ = 1 is the seed's plain selection.
 */
import type { EvaluationMetrics } from '../app/services.ts';
import type { Params } from '../models/classifier.ts';
import type { FeatureSetName } from '../data/feature-sets.ts';
import { unionOf } from '../data/feature-sets.ts';
import { evaluate, meanMetrics } from './metrics.ts';
import type { Member, MemberResult } from './pool.ts';
import type { GlobalSpec } from './global-bank.ts';

export type CandidateScope = 'coin' | 'global' | 'ensemble';

export interface Candidate {
  readonly ok: true;
  /** The pool name, e.g. "SupportVectorMachine", "global:Ridge", "ensemble(top3)". */
  readonly name: string;
  readonly scope: CandidateScope;
  readonly featureSet: FeatureSetName;
  readonly params: Params;
  /** Per validation fold: P(1) on the fold's rows, or null when the candidate could not score that fold. */
  readonly foldProba: readonly (Float64Array | null)[];
  readonly folds: readonly (EvaluationMetrics | null)[];
  /** Mean metrics over the scored folds; null under the seed protocol. */
  readonly validation: Record<string, number> | null;
  readonly test: EvaluationMetrics;
  readonly testProba: Float64Array;
  readonly fitSeconds: number;
  /** scope 'coin': the trained pool member. */
  readonly member?: MemberResult;
  /** scope 'global': the kind and parameters. */
  readonly spec?: GlobalSpec;
  /** scope 'ensemble': the members it averages (registered composition). */
  readonly parts?: readonly Candidate[];
}

export interface FailedCandidate {
  readonly ok: false;
  readonly name: string;
  readonly scope: CandidateScope;
  readonly error: string;
  readonly fitSeconds: number;
}

export type AnyCandidate = Candidate | FailedCandidate;

/** Labels of the pair's validation folds and TEST window. */
export interface PairLabels {
  readonly folds: readonly Uint8Array[];
  readonly test: Uint8Array;
}

const decisions = (p: ArrayLike<number>) => Uint8Array.from(p as ArrayLike<number>, (v) => (v > 0.5 ? 1 : 0));

export function metricsOf(labels: Uint8Array, proba: Float64Array): EvaluationMetrics {
  return evaluate(labels, decisions(proba), proba);
}

function validationOf(folds: readonly (EvaluationMetrics | null)[], walkForward: boolean): Record<string, number> | null {
  if (!walkForward) return null;
  const scored = folds.filter((f): f is EvaluationMetrics => f !== null);
  return scored.length > 0 ? meanMetrics(scored) : { overall: Number.NaN };
}

export function fromMember(member: Member, walkForward: boolean): AnyCandidate {
  if (!member.ok) return { ok: false, name: member.kind, scope: 'coin', error: member.error, fitSeconds: member.fitSeconds };
  return {
    ok: true, name: member.kind, scope: 'coin', featureSet: 'seed19', params: member.params,
    foldProba: member.foldProba, folds: member.folds, validation: walkForward ? member.validation : null,
    test: member.test, testProba: member.testProba, fitSeconds: member.fitSeconds, member,
  };
}

/** A global candidate from its scored windows (fold probabilities and the TEST window's). */
export function globalCandidate(name: string, spec: GlobalSpec, foldProba: (Float64Array | null)[], testProba: Float64Array | null, labels: PairLabels, fitSeconds: number): AnyCandidate {
  if (!testProba) return { ok: false, name, scope: 'global', error: 'no pooled features (or no fitted model) for the TEST window', fitSeconds };
  const folds = foldProba.map((p, f) => (p ? metricsOf(labels.folds[f]!, p) : null));
  return {
    ok: true, name, scope: 'global', featureSet: 'pooled-v1', params: { kind: spec.kind, ...spec.params } as Params,
    foldProba, folds, validation: validationOf(folds, true), test: metricsOf(labels.test, testProba), testProba, fitSeconds, spec,
  };
}

/** Mean validation overall of each candidate over the folds `folds` (all when omitted); NaN if it lacks one. */
export function pairScore(c: Candidate, folds?: readonly number[]): number {
  const use = folds ?? c.folds.map((_, i) => i);
  let s = 0;
  for (const f of use) {
    const m = c.folds[f];
    if (!m) return Number.NaN;
    s += m.overall;
  }
  return use.length ? s / use.length : Number.NaN;
}

/** One earlier pair's validation score of a candidate (from the stored runs of an earlier deployment). */
export interface PriorObservation {
  readonly name: string;
  readonly score: number;
}

/**
 * Each candidate name's mean pair score over the pairs where it has one: the prior of the shrunk score. `earlier`
 * adds the stored validation scores of pairs outside this deployment, so that deploying one coin still shrinks toward
 * what the candidates do across all coins.
 */
export function selectionPriors(pairs: readonly (readonly AnyCandidate[])[], earlier: readonly PriorObservation[] = []): Map<string, number> {
  const sums = new Map<string, { total: number; count: number }>();
  const add = (name: string, score: number | undefined) => {
    if (score === undefined || !Number.isFinite(score)) return;
    const acc = sums.get(name) ?? { total: 0, count: 0 };
    acc.total += score;
    acc.count++;
    sums.set(name, acc);
  };
  for (const o of earlier) add(o.name, o.score);
  for (const cands of pairs) {
    for (const c of cands) if (c.ok) add(c.name, c.validation?.overall);
  }
  return new Map([...sums].map(([k, v]) => [k, v.total / v.count]));
}

export interface SelectionRule {
  /** Weight of the pair's own validation score; 1 - λ goes to the candidate's mean over all pairs. */
  readonly lambda: number;
  readonly priors: ReadonlyMap<string, number>;
}

/** The shrunk selection score (walk-forward), or the TEST overall (seed protocol, as the seed selected). */
export function selectionScore(c: Candidate, rule: SelectionRule, folds?: readonly number[]): number {
  if (!c.validation) return c.test.overall;
  const own = folds ? pairScore(c, folds) : c.validation.overall ?? Number.NaN;
  const prior = rule.priors.get(c.name) ?? own;
  // A pair without validation folds (a coin with too little history) is scored by the other pairs alone.
  if (c.folds.length === 0) return prior;
  return rule.lambda * own + (1 - rule.lambda) * prior;
}

/** Highest selection score wins; ties keep pool order. Null when no candidate has a finite score. */
export function selectCandidate(cands: readonly AnyCandidate[], rule: SelectionRule): Candidate | null {
  let best: Candidate | null = null;
  let bestScore = -Infinity;
  for (const c of cands) {
    if (!c.ok) continue;
    const s = selectionScore(c, rule);
    if (Number.isFinite(s) && s > bestScore) {
      best = c;
      bestScore = s;
    }
  }
  return best;
}

/** The soft vote: the element-wise mean of the parts' probabilities. */
export function average(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts[0]!.length);
  for (const p of parts) for (let i = 0; i < out.length; i++) out[i] += p[i]!;
  for (let i = 0; i < out.length; i++) out[i] /= parts.length;
  return out;
}

function topK(cands: readonly Candidate[], k: number, rule: SelectionRule, folds?: readonly number[]): Candidate[] {
  return cands
    .map((c, order) => ({ c, order, s: selectionScore(c, rule, folds) }))
    .filter((x) => Number.isFinite(x.s))
    .sort((a, b) => b.s - a.s || a.order - b.order)
    .slice(0, k)
    .map((x) => x.c);
}

/**
 * The soft-voting ensemble of the top k candidates, as one more candidate. Its validation score is honest: on fold f
 * the members are the top k ranked on the OTHER folds, so the ensemble does not win merely because its members were
 * picked by the folds it is scored on. Its TEST probabilities (and the registered model) average the top k ranked on
 * all folds. Null when fewer than two candidates qualify.
 */
export function ensembleCandidate(cands: readonly AnyCandidate[], k: number, rule: SelectionRule, labels: PairLabels): Candidate | null {
  const base = cands.filter((c): c is Candidate => c.ok && c.scope !== 'ensemble' && c.validation !== null);
  const parts = topK(base, k, rule);
  if (parts.length < 2) return null;
  const nFolds = labels.folds.length;
  const foldProba = Array.from({ length: nFolds }, (_, f) => {
    const others = Array.from({ length: nFolds }, (_, g) => g).filter((g) => g !== f);
    const members = topK(base.filter((c) => c.foldProba[f]), parts.length, rule, others);
    return members.length === parts.length ? average(members.map((c) => c.foldProba[f]!)) : null;
  });
  const folds = foldProba.map((p, f) => (p ? metricsOf(labels.folds[f]!, p) : null));
  const testProba = average(parts.map((c) => c.testProba));
  return {
    ok: true, name: `ensemble(top${parts.length})`, scope: 'ensemble', featureSet: unionOf(parts.map((c) => c.featureSet)),
    params: { members: parts.map((c) => c.name).join(','), voting: 'soft' },
    foldProba, folds, validation: validationOf(folds, true), test: metricsOf(labels.test, testProba), testProba,
    fitSeconds: 0, parts,
  };
}

/** The candidate's held-out validation predictions with their labels (for calibration). */
export function outOfFold(c: Candidate, labels: PairLabels): { proba: Float64Array; labels: Uint8Array } {
  const p: number[] = [];
  const y: number[] = [];
  c.foldProba.forEach((fp, f) => {
    if (!fp) return;
    for (let i = 0; i < fp.length; i++) {
      p.push(fp[i]!);
      y.push(labels.folds[f]![i]!);
    }
  });
  return { proba: Float64Array.from(p), labels: Uint8Array.from(y) };
}
