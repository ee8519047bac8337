/**
 * Predictions from champion versions. A prediction is keyed by (model version, as-of date): when the store already
 * holds one for the champion and the newest candle, it is returned without touching the provider or the model.
 */
import type { AppConfig } from '../../config/schema.ts';
import type { LiveStats, PredictionView } from '../app/services.ts';
import { UserFacingError } from '../app/services.ts';
import type { MarketData } from '../app/market-data.ts';
import type { Trend } from '../data/candle.ts';
import { isFeatureSetName, SEED_FEATURE_SET } from '../data/feature-sets.ts';
import type { Classifier } from '../models/classifier.ts';
import { createFeatureRows, type ContextSpec, type FeatureRows } from './feature-rows.ts';
import { registeredModelName, type ModelVersion, type Prediction, type Store } from '../store/ports.ts';
import { loadModel } from './artifacts.ts';

export interface PredictDeps {
  config: AppConfig;
  store: Store;
  market: MarketData;
  /** Loaded models by artifact id (artifacts are immutable, so entries never go stale). */
  modelCache?: Map<string, Classifier>;
  /** Builds input rows; keep one per process so the market context is computed once per day. */
  featureRows?: FeatureRows;
}

/** The threshold a version's probability is compared with: its own (calibrated versions) or the configured one. */
export function thresholdOf(v: ModelVersion, config: AppConfig): number {
  const own = v.tags.signalThreshold;
  return typeof own === 'number' && own > 0 && own < 1 ? own : config.signalThreshold;
}

/** The market context a version's features need (global models), from its tags. */
export function contextSpecOf(v: ModelVersion): ContextSpec | null {
  const g = v.tags.global;
  if (!g || typeof g !== 'object' || Array.isArray(g)) return null;
  const universe = Array.isArray(g.universe) ? g.universe.filter((s): s is string => typeof s === 'string') : [];
  return { universe, reference: g.reference === 'index' ? 'index' : 'BTC' };
}

export async function championOf(store: Store, symbol: string, trend: Trend): Promise<ModelVersion> {
  const champion = await store.getAlias(registeredModelName(symbol, trend), 'champion');
  if (!champion) throw new UserFacingError(`No deployed ${trend} model for ${symbol} yet. An admin can run /deploy ${trend} ${symbol}.`, 'NOT_FOUND');
  return champion;
}

async function modelFor(deps: PredictDeps, v: ModelVersion): Promise<Classifier> {
  const cache = deps.modelCache;
  const hit = cache?.get(v.artifactId);
  if (hit) return hit;
  const model = await loadModel(deps.store, v.artifactId, v.tags.featureNames);
  cache?.set(v.artifactId, model);
  return model;
}

function basisOf(v: ModelVersion): PredictionView['basis'] {
  const g = v.tags.global;
  const coins = g && typeof g === 'object' && !Array.isArray(g) && typeof g.coins === 'number' ? g.coins : null;
  const members = Array.isArray(v.tags.ensemble) ? v.tags.ensemble.filter((m): m is string => typeof m === 'string') : null;
  const own = v.tags.ownHistory;
  const short = own && typeof own === 'object' && !Array.isArray(own) && own.folds === 0 && typeof own.labelledRows === 'number' ? own.labelledRows : null;
  return { pooledCoins: coins, members, shortHistoryRows: short };
}

export function toView(p: Prediction, v: ModelVersion, config: AppConfig, live: LiveStats | null, cached: boolean): PredictionView {
  const threshold = thresholdOf(v, config);
  // Abstain band: a probability this close to the threshold is reported as no clear signal, not a coin-flip.
  const abstain = config.abstainBand > 0 && Math.abs(p.probability - threshold) < config.abstainBand;
  return {
    symbol: p.symbol, trend: p.trend, probability: p.probability, signal: !abstain && p.probability >= threshold, abstain,
    threshold, asOf: p.asOf, scope: v.tags.scope === 'global' || v.tags.scope === 'ensemble' ? v.tags.scope : 'coin', basis: basisOf(v), modelName: p.modelName, version: p.version, classifier: v.tags.classifier,
    testMetrics: v.tags.metrics, live, cached,
  };
}

/** Predicts P(trend) for the newest complete candle with the champion, storing the prediction with its inputs. */
export async function predictLatest(deps: PredictDeps, symbol: string, trend: Trend, opts: { useCachedCandles?: boolean } = {}): Promise<{ prediction: Prediction; version: ModelVersion; cached: boolean }> {
  const version = await championOf(deps.store, symbol, trend);
  const candles = opts.useCachedCandles ? await deps.market.cached(symbol) : await deps.market.candles(symbol);
  const set = isFeatureSetName(version.tags.featureSet) ? version.tags.featureSet : SEED_FEATURE_SET;
  const rows = deps.featureRows ?? createFeatureRows({ period: deps.config.indicatorPeriod, contextCandles: (s) => deps.market.cached(s) });
  const row = await rows.latest(symbol, candles, set, contextSpecOf(version));
  if (!row) throw new UserFacingError(`Not enough candle data to compute features for ${symbol}${set === SEED_FEATURE_SET ? '' : ' and the market around it'}.`, 'UNAVAILABLE');
  const existing = await deps.store.findPrediction(version.modelName, version.version, row.date);
  if (existing) return { prediction: existing, version, cached: true };
  const model = await modelFor(deps, version);
  const probability = model.predictProba({ nRows: 1, nCols: row.values.length, data: row.values })[0]!;
  if (!Number.isFinite(probability)) throw new Error(`${version.modelName} v${version.version} produced a non-finite probability`);
  const features: Record<string, number> = {};
  version.tags.featureNames.forEach((name, j) => { features[name] = row.values[j]!; });
  const prediction = await deps.store.savePrediction({
    modelName: version.modelName, version: version.version, symbol, trend, asOf: row.date, probability, features, classifier: version.tags.classifier,
  });
  return { prediction, version, cached: false };
}

/**
 * Realised performance of a version on predictions with known outcomes. The decision is the served signal
 * (probability >= the version's threshold), so live figures compare with the test metrics of the same decisions.
 */
export async function computeLiveStats(store: Store, modelName: string, version: number, threshold: number): Promise<LiveStats | null> {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await store.listPredictions({ modelName, version, hasOutcome: true, limit: 1000, offset });
    for (const p of page.items) {
      const d = p.probability >= threshold;
      const y = p.outcome!.label === 1;
      if (d && y) tp++; else if (d && !y) fp++; else if (!d && !y) tn++; else fn++;
    }
    offset = page.nextOffset;
  }
  const count = tp + fp + tn + fn;
  if (count === 0) return null;
  const r = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return { count, hitRate: r(tp + tn, count), precision: r(tp, tp + fp), positiveAccuracy: r(tp, tp + fn), negativeAccuracy: r(tn, tn + fp) };
}
