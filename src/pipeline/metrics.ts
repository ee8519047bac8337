/**
 * The seed's evaluation metrics, exactly, plus ROC AUC, Brier score, base rate and lift.
 * A prediction is positive when the classifier's 0/1 decision says so (P(1) > 0.5 strictly; Ridge: its own predict).
 */
import type { EvaluationMetrics } from '../app/services.ts';

export const OVERALL_WEIGHTS = { accuracy: 0.1, precision: 0.4, negative_accuracy: 0.2, positive_accuracy: 0.3 } as const;

export function overallScore(m: Pick<EvaluationMetrics, 'accuracy' | 'precision' | 'negative_accuracy' | 'positive_accuracy'>): number {
  return (
    OVERALL_WEIGHTS.accuracy * m.accuracy +
    OVERALL_WEIGHTS.precision * m.precision +
    OVERALL_WEIGHTS.negative_accuracy * m.negative_accuracy +
    OVERALL_WEIGHTS.positive_accuracy * m.positive_accuracy
  );
}

/** Zero division gives 0, as scikit-learn's zero_division=0 does in the seed. */
const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * ROC AUC by the rank-sum (Mann-Whitney) formula with average ranks for ties, which equals the trapezoidal area under
 * the ROC curve. Undefined (one class only) is reported as NaN rather than a made-up 0.5.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j + 2) / 2; // ranks are 1-based
    for (let k = i; k <= j; k++) if (labels[idx[k]!] === 1) { pos++; rankSumPos += avgRank; }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function brierScore(labels: ArrayLike<number>, proba: ArrayLike<number>): number {
  if (labels.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += (proba[i]! - labels[i]!) ** 2;
  return s / labels.length;
}

export function evaluate(labels: ArrayLike<number>, decisions: ArrayLike<number>, proba: ArrayLike<number>): EvaluationMetrics {
  if (labels.length !== decisions.length || labels.length !== proba.length) throw new Error('evaluate: labels, decisions and proba must have the same length');
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] === 1;
    const d = decisions[i] === 1;
    if (y && d) tp++; else if (!y && d) fp++; else if (!y && !d) tn++; else fn++;
  }
  const n = labels.length;
  const accuracy = ratio(tp + tn, n);
  const precision = ratio(tp, tp + fp);
  const negative_accuracy = ratio(tn, tn + fp);
  const positive_accuracy = ratio(tp, tp + fn);
  const base_rate = ratio(tp + fn, n);
  return {
    accuracy,
    precision,
    negative_accuracy,
    positive_accuracy,
    overall: overallScore({ accuracy, precision, negative_accuracy, positive_accuracy }),
    auc: rocAuc(labels, proba),
    brier: brierScore(labels, proba),
    base_rate,
    lift: ratio(precision, base_rate),
    tp, fp, tn, fn, n,
  };
}

/** Mean of each metric over folds (NaN values, e.g. AUC of a one-class fold, are skipped). */
export function meanMetrics(folds: readonly EvaluationMetrics[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (folds.length === 0) return out;
  for (const key of Object.keys(folds[0]!) as (keyof EvaluationMetrics)[]) {
    const vals = folds.map((f) => f[key]).filter((v) => Number.isFinite(v));
    out[key] = vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : Number.NaN;
  }
  return out;
}

/** JSON cannot hold NaN: the store gets finite numbers only (NaN metrics are omitted). */
export function finiteMetrics(m: Record<string, number> | EvaluationMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (Number.isFinite(v)) out[k] = v;
  return out;
}
