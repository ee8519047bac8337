/** Plain-words notes about a prediction that every transport shows the same way (chat replies, the HTTP API). */
import type { PredictionView } from './services.ts';

/** One line on where the model's knowledge comes from, for global models and ensembles; null for per-coin models. */
export function basisLine(p: PredictionView): string | null {
  const coins = p.basis.pooledCoins;
  const pooled = coins !== null ? `the pooled history of ${coins} coins` : 'the pooled history of the configured coins';
  if (p.basis.shortHistoryRows !== null) {
    return `${p.symbol} has only ${p.basis.shortHistoryRows} days of labelled history of its own, too few for a model of its own: this signal comes from a global model trained on ${pooled}.`;
  }
  if (p.scope === 'global') return `Global model: trained on ${pooled}, not on ${p.symbol} alone.`;
  if (p.scope === 'ensemble' && p.basis.members) {
    const global = p.basis.members.some((m) => m.startsWith('global:'));
    return `Ensemble: the average of ${p.basis.members.join(', ')}${global ? ` (global models are trained on ${pooled})` : ''}.`;
  }
  return null;
}


/**
 * Where a version's test metrics come from, in words, so that no one reads an in-sample figure as a test result.
 * They are always out-of-sample for the model that was scored: walk-forward scores a model trained before the TEST
 * window (purged), and then refits the served model on every row, TEST included; the seed protocol serves the model
 * it scored, but its TEST rows overlap the label windows of its last training rows.
 */
export function metricsNote(m: { protocol: string; testWindow?: string | null; trainedThrough?: string | null }): string {
  const window = m.testWindow ? ` ${m.testWindow}` : '';
  if (m.protocol === 'seed') {
    return `out-of-sample: TEST window${window} of the seed protocol, not used for training (but its first rows share label days with the last training rows)`;
  }
  return `out-of-sample: TEST window${window}, scored by the recipe trained before it; the served model was then refit on all rows${m.trainedThrough ? ` through ${m.trainedThrough}` : ''}`;
}
