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

