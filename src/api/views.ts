import { basisLine, metricsNote } from '../app/prediction-notes.ts';
/**
 * Maps the services' camelCase objects to the seed's snake_case JSON. Kept apart from the routes so the mapping can
 * be read (and changed) in one place.
 */
import type { DeployedModel, PredictionView } from '../app/services.ts';
import type { Trend } from '../data/candle.ts';

export interface ModelEntry {
  symbol: string;
  trend_type: Trend;
  feature_importance: Record<string, number>;
  performance_metrics: {
    positive_accuracy: number | null;
    negative_accuracy: number | null;
    overall_score: number | null;
    accuracy: number | null;
    precision: number | null;
  };
  target_pct: number;
  prediction_window_days: number;
  version: number;
  classifier: string;
  trained_at: string;
  /** performance_metrics are always out-of-sample; this says which rows and how the served model relates to them. */
  metrics_sample: 'out-of-sample';
  metrics_note: string;
}

export interface PredictionResponse {
  prediction_probabilities: [number, number];
  symbol: string;
  trend_type: Trend;
  as_of: string;
  version: number;
  classifier: string;
  signal: boolean;
  threshold: number;
  /** Inside the abstain band: no clear signal either way. */
  abstain: boolean;
  /** coin: trained on this coin's own history; global: on the pooled history of many coins; ensemble: an average. */
  scope: 'coin' | 'global' | 'ensemble';
  /** Where a global or ensemble model's knowledge comes from, in words; null for a per-coin model. */
  model_note: string | null;
  /** Only when the prediction comes from cached candles because the provider failed (issue 19). */
  stale_data?: { last_candle: string; age_days: number; reason: string };
}

function metric(metrics: Record<string, number>, ...keys: string[]): number | null {
  for (const k of keys) {
    const v = metrics[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

export function toModelEntry(m: DeployedModel): ModelEntry {
  return {
    symbol: m.symbol,
    trend_type: m.trend,
    feature_importance: m.shapImportance,
    performance_metrics: {
      positive_accuracy: metric(m.metrics, 'positive_accuracy'),
      negative_accuracy: metric(m.metrics, 'negative_accuracy'),
      // The pipeline records the seed's overall_score as `overall`; accept either name.
      overall_score: metric(m.metrics, 'overall', 'overall_score'),
      accuracy: metric(m.metrics, 'accuracy'),
      precision: metric(m.metrics, 'precision'),
    },
    target_pct: m.targetPct,
    prediction_window_days: m.window,
    version: m.version,
    classifier: m.classifier,
    trained_at: m.trainedAt.toISOString(),
    metrics_sample: 'out-of-sample',
    metrics_note: metricsNote(m),
  };
}

export function toPredictionResponse(p: PredictionView): PredictionResponse {
  return {
    prediction_probabilities: [1 - p.probability, p.probability],
    symbol: p.symbol,
    trend_type: p.trend,
    as_of: p.asOf,
    version: p.version,
    classifier: p.classifier,
    signal: p.signal,
    threshold: p.threshold,
    abstain: p.abstain,
    scope: p.scope,
    model_note: basisLine(p),
    ...(p.staleData ? { stale_data: { last_candle: p.staleData.lastCandle, age_days: p.staleData.ageDays, reason: p.staleData.reason } } : {}),
  };
}
