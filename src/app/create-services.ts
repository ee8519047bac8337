/**
 * Builds the real SignalPoolServices from its parts. Everything is passed in (store, provider, logger), so tests build
 * the same system on a temporary embedded store and a local provider.
 */
import type { AppConfig } from '../../config/schema.ts';
import type { Trend } from '../data/candle.ts';
import type { MarketDataProvider } from '../data/providers/provider.ts';
import { ProviderError } from '../data/providers/errors.ts';
import type { Classifier } from '../models/classifier.ts';
import { deployTrend } from '../pipeline/deploy.ts';
import { poolSettings } from '../pipeline/trend-pools.ts';
import { computeLiveStats, predictLatest, thresholdOf, toView } from '../pipeline/predict.ts';
import { createFeatureRows } from '../pipeline/feature-rows.ts';
import { resolveOutcomes } from '../pipeline/outcomes.ts';
import { registeredModelName, type ModelVersion, type Store } from '../store/ports.ts';
import { dailySignalsChartPng, poolMetricsChartPng, shapChartPng } from '../../reports/index.ts';
import type { Logger } from './logger.ts';
import { createMarketData, type MarketData } from './market-data.ts';
import { LruMap } from './model-cache.ts';
import { abandonStaleRuns } from '../store/run-leases.ts';
import {
  DeploymentBusyError, UserFacingError,
  type BatchPredictionResult, type DeployedModel, type DeployRequest, type PredictionView, type SignalPoolServices,
} from './services.ts';

export interface ServiceDeps {
  config: AppConfig;
  store: Store;
  provider: MarketDataProvider;
  logger: Logger;
  now?: () => Date;
}

export function toDeployedModel(v: ModelVersion): DeployedModel {
  return {
    symbol: v.symbol, trend: v.trend, modelName: v.modelName, version: v.version, classifier: v.tags.classifier,
    metrics: v.tags.metrics, shapImportance: v.tags.shapImportance, shapMeanAbs: v.tags.shapMeanAbs, featureNames: v.tags.featureNames,
    targetPct: v.tags.targetPct, window: v.tags.window, protocol: v.tags.protocol, trainedAt: v.createdAt, dataRange: v.tags.dataRange,
    testWindow: typeof v.tags.testWindow === 'string' ? v.tags.testWindow : null, trainedThrough: typeof v.tags.trainedThrough === 'string' ? v.tags.trainedThrough : null,
  };
}

export function createServices(deps: ServiceDeps): SignalPoolServices & { market: MarketData } {
  const { config, store, logger } = deps;
  // The request path never waits longer than one provider timeout for fresh candles: past it, or when the provider
  // fails, it answers from the cached candles and says how old they are (PredictionView.staleData).
  const market = createMarketData({ provider: deps.provider, cache: store, requestDeadlineMs: config.provider.timeoutMs, allowStale: true });
  // Bounded (config modelCacheSize): a long-running service never accumulates every artifact it ever loaded.
  const modelCache = new LruMap<string, Classifier>(config.modelCacheSize);
  // One row builder per process: the market context of global models is computed once per new day of candles.
  const featureRows = createFeatureRows({ period: config.indicatorPeriod, contextCandles: (s) => market.cached(s) });
  let deploying = false;

  const knownSymbols = () => [...config.symbols];
  const checkSymbol = (symbol: string) => {
    if (!config.symbols.includes(symbol)) throw new UserFacingError(`Unknown symbol ${symbol}. Known: ${config.symbols.join(', ')}`, 'NOT_FOUND');
  };

  async function predict(symbol: string, trend: Trend): Promise<PredictionView> {
    checkSymbol(symbol);
    let result;
    try {
      result = await predictLatest({ config, store, market, modelCache, featureRows }, symbol, trend);
    } catch (err) {
      // Provider messages are one line and carry no secrets (rate limit, quota, unknown symbol, bad data): worth
      // showing as they are, instead of a generic "something went wrong".
      if (err instanceof ProviderError) throw new UserFacingError(`Market data unavailable: ${err.message}`, 'UNAVAILABLE');
      throw err;
    }
    const { prediction, version, cached } = result;
    const view = toView(prediction, version, config, await computeLiveStats(store, version.modelName, version.version, thresholdOf(version, config)), cached);
    const fresh = market.freshness(symbol);
    if (!fresh.ok && fresh.lastCandle !== null && fresh.ageDays !== null) {
      view.staleData = { lastCandle: fresh.lastCandle, ageDays: fresh.ageDays, reason: fresh.error ?? 'refresh failed' };
    }
    return view;
  }

  async function champion(symbol: string, trend: Trend): Promise<ModelVersion | null> {
    return store.getAlias(registeredModelName(symbol, trend), 'champion');
  }

  const services: SignalPoolServices & { market: MarketData } = {
    config, store, logger, market,
    knownSymbols,
    async listChampions(trend) {
      const versions = await store.listAliased('champion', trend ? { trend } : undefined);
      return versions.map(toDeployedModel).sort((a, b) => a.symbol.localeCompare(b.symbol) || a.trend.localeCompare(b.trend));
    },
    async getChampion(symbol, trend) {
      const v = await champion(symbol, trend);
      return v ? toDeployedModel(v) : null;
    },
    predict,
    async batchPredict(trend, symbols) {
      const champions = await store.listAliased('champion', { trend });
      const wanted = symbols ? new Set(symbols) : null;
      const result: BatchPredictionResult = { trend, predictions: [], failures: [] };
      // Global models read the market around a coin: refresh every configured coin first, so that each prediction
      // sees today's candles of the whole universe (a refresh that fails is reported with its coin's prediction).
      await Promise.all(knownSymbols().map((s) => market.candles(s).catch(() => undefined)));
      for (const sym of symbols ?? []) if (!champions.some((c) => c.symbol === sym)) result.failures.push({ symbol: sym, error: `no deployed ${trend} model` });
      for (const v of champions.sort((a, b) => a.symbol.localeCompare(b.symbol))) {
        if (wanted && !wanted.has(v.symbol)) continue;
        try {
          const view = await predict(v.symbol, trend);
          // The batch (daily job, daily post) never passes off stale candles as today's signal: a coin whose market
          // data could not be refreshed is a failure of the batch, while an API or chat request gets the stale answer
          // with its age (issue 19).
          if (view.staleData) throw new Error(`market data unavailable (${view.staleData.reason}); newest cached candle ${view.staleData.lastCandle}`);
          result.predictions.push(view);
        } catch (err) {
          // One coin failing (provider error, bad data) is reported and never stops the others.
          const message = err instanceof Error ? err.message : String(err);
          logger.warn('prediction failed', { symbol: v.symbol, trend, error: message });
          result.failures.push({ symbol: v.symbol, error: message });
        }
      }
      return result;
    },
    resolveOutcomes: () => resolveOutcomes({ config, store, candles: (s) => market.cached(s), now: deps.now }),
    liveStats: async (modelName, version) => {
      const v = await store.getVersion(modelName, version);
      return computeLiveStats(store, modelName, version, v ? thresholdOf(v, config) : config.signalThreshold);
    },
    isDeploying: () => deploying,
    async deploy(request: DeployRequest) {
      if (deploying) throw new DeploymentBusyError();
      deploying = true;
      try {
        const symbols = request.symbols?.length ? request.symbols : knownSymbols();
        symbols.forEach(checkSymbol);
        let pool;
        try {
          pool = poolSettings(config, request.classifiers);
        } catch (err) {
          throw new UserFacingError((err as Error).message);
        }
        // Runs left RUNNING by a deployment that was killed are marked ABANDONED first (issue 19).
        const abandoned = await abandonStaleRuns(store, { onError: (err) => logger.warn(`could not check for abandoned runs: ${err.message}`) });
        if (abandoned.length > 0) logger.warn(`marked ${abandoned.length} run(s) ABANDONED: their process is gone`, { runs: abandoned.map((r) => r.id) });
        return await deployTrend(
          // Training waits for the provider and never trains on stale candles silently.
          { config, store, logger, loadCandles: (s) => market.candles(s, { allowStale: false, deadlineMs: Number.POSITIVE_INFINITY }), now: deps.now },
          {
            trend: request.trend, symbols, pool, protocol: request.protocol ?? config.protocol, seed: request.seed ?? config.seed,
            actor: request.actor, onProgress: request.onProgress, signal: request.signal,
          },
        );
      } finally {
        deploying = false;
      }
    },
    charts: {
      async shapImportance(symbol, trend) {
        const v = await champion(symbol, trend);
        return v ? { name: `${symbol}-${trend}-shap.png`, title: `SHAP importance: ${symbol} ${trend}`, png: await shapChartPng(v) } : null;
      },
      async poolMetrics(symbol, trend) {
        const v = await champion(symbol, trend);
        return v ? { name: `${symbol}-${trend}-pool.png`, title: `Pool metrics: ${symbol} ${trend}`, png: await poolMetricsChartPng(v, { gate: config.gate }) } : null;
      },
      async dailySignals(predictions, date) {
        if (predictions.length === 0) return null;
        const rows = predictions.map((p) => ({ symbol: p.symbol, trend: p.trend, probability: p.probability, signal: p.signal, threshold: p.threshold }));
        return { name: `signals-${date}.png`, title: `Signals ${date}`, png: await dailySignalsChartPng(rows, date, config.signalThreshold) };
      },
    },
  };
  return services;
}
