/**
 * Platt scaling (Platt 1999, "Probabilistic outputs for support vector machines"): a logistic map
 * p = 1 / (1 + exp(-(a·logit(s) + b))) from a model's score s to a calibrated probability, fitted by maximum likelihood
 * on held-out (score, label) pairs with Platt's smoothed targets (n₊+1)/(n₊+2) and 1/(n₋+2), which keep the fit finite
 * when the scores separate the classes.
 *
 * Why Platt and not isotonic: on the walk-forward validation folds Platt gave the lower Brier score on the next
 * window (README, "Signal quality"), and with a few hundred held-out rows its two parameters are far steadier than a
 * step function. It is also strictly increasing (a > 0), so it never reorders scores: AUC and the 0/1 decisions are
 * unchanged, only the probability a user reads becomes honest.
 */

export interface PlattScaling {
  readonly a: number;
  readonly b: number;
}

/** Scores are clipped away from 0 and 1 before the logit so that a hard 0/1 score stays finite. */
const EPS = 1e-6;

export function logit(s: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, s));
  return Math.log(q / (1 - q));
}

export function applyPlatt(c: PlattScaling, score: number): number {
  return 1 / (1 + Math.exp(-(c.a * logit(score) + c.b)));
}

/**
 * Fits Platt scaling by Newton's method. Returns null when calibration is not possible or would not be a calibration:
 * fewer than 2 rows of either class, non-finite scores, or a fit that would reverse the score's order (a ≤ 0, i.e. the
 * held-out scores do not rank the classes at all).
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): PlattScaling | null {
  const n = scores.length;
  if (n !== labels.length) throw new Error('fitPlatt: scores and labels must have the same length');
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i]!)) return null;
    pos += labels[i] === 1 ? 1 : 0;
  }
  const neg = n - pos;
  if (pos < 2 || neg < 2) return null;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const x = Float64Array.from({ length: n }, (_, i) => logit(scores[i]!));
  const t = Float64Array.from({ length: n }, (_, i) => (labels[i] === 1 ? hi : lo));
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-(a * x[i]! + b)));
      const e = p - t[i]!;
      const w = p * (1 - p);
      ga += e * x[i]!;
      gb += e;
      haa += w * x[i]! * x[i]!;
      hab += w * x[i]!;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-12) break;
  }
  return Number.isFinite(a) && Number.isFinite(b) && a > 0 ? { a, b } : null;
}
