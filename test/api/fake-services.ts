/**
 * A small in-memory SignalPoolServices for the API tests: two deployed models (BTC uptrend, SOL downtrend), a
 * predict() that knows only those, and a store whose ping / job-run listing can be made to fail.
 */
import type { DeployedModel, PredictionView, SignalPoolServices } from '../../src/app/services.ts';
import { UserFacingError } from '../../src/app/services.ts';
import { silentLogger, type Logger } from '../../src/app/logger.ts';
import type { Trend } from '../../src/data/candle.ts';
import type { JobRun, Store } from '../../src/store/ports.ts';

export function deployedModel(symbol: string, trend: Trend, version: number): DeployedModel {
  return {
    symbol,
    trend,
    modelName: `${symbol}_${trend}_model`,
    version,
    classifier: 'xgboost',
    metrics: { accuracy: 0.71, precision: 0.64, positive_accuracy: 0.62, negative_accuracy: 0.77, overall: 0.695, auc: 0.8 },
    shapImportance: { rsi: 0.031, sma_ratio: -0.012 },
    shapMeanAbs: { rsi: 0.09, sma_ratio: 0.05 },
    featureNames: ['rsi', 'sma_ratio'],
    targetPct: trend === 'uptrend' ? 0.05 : -0.05,
    window: 10,
    protocol: 'walk-forward',
    trainedAt: new Date('2026-11-20T02:00:00.000Z'),
    dataRange: { from: '2020-01-01', to: '2026-11-19' }, testWindow: '2026-07-01..2026-11-09', trainedThrough: '2026-11-09',
  };
}

export function defaultModels(): DeployedModel[] {
  return [deployedModel('SOL', 'downtrend', 3), deployedModel('BTC', 'uptrend', 2)];
}

export interface FakeControls {
  /** The deployed models; tests may replace entries (a new champion version). */
  models: DeployedModel[];
  /** Calls of predict as "SYMBOL/trend". */
  predictCalls: string[];
  /** When set, predict throws it (after recording the call). */
  predictError: Error | null;
  storeReachable: boolean;
  /** When true, store.ping never answers (a hung database). */
  pingHangs: boolean;
  jobRuns: JobRun[];
}

export function fakeServices(opts: { logger?: Logger } = {}): { services: SignalPoolServices; controls: FakeControls } {
  const controls: FakeControls = { models: defaultModels(), predictCalls: [], predictError: null, storeReachable: true, pingHangs: false, jobRuns: [] };
  const unreachable = () => new Error('connection refused');

  const store = {
    kind: 'embedded',
    location: 'memory',
    ping: () => (controls.pingHangs ? new Promise<boolean>(() => {}) : Promise.resolve(controls.storeReachable)),
    listJobRuns: async () => {
      if (!controls.storeReachable) throw unreachable();
      return { items: controls.jobRuns, total: controls.jobRuns.length, nextOffset: null };
    },
    // /health's artifact check: no versions behind these fake models (test/api/health.test.ts uses a real store).
    listAliased: async () => {
      if (!controls.storeReachable) throw unreachable();
      return [];
    },
  } as unknown as Store;

  const findModel = (symbol: string, trend: Trend) => controls.models.find((m) => m.symbol === symbol && m.trend === trend) ?? null;

  const services = {
    config: { signalThreshold: 0.5 },
    store,
    logger: opts.logger ?? silentLogger,
    knownSymbols: () => ['BTC', 'SOL', 'ETH'],
    listChampions: async (trend?: Trend) => {
      if (!controls.storeReachable) throw unreachable();
      return controls.models.filter((m) => !trend || m.trend === trend);
    },
    getChampion: async (symbol: string, trend: Trend) => findModel(symbol, trend),
    predict: async (symbol: string, trend: Trend): Promise<PredictionView> => {
      controls.predictCalls.push(`${symbol}/${trend}`);
      if (controls.predictError) throw controls.predictError;
      const model = findModel(symbol, trend);
      if (!model) throw new UserFacingError(`No model is deployed for ${symbol} ${trend}.`, 'NOT_FOUND');
      const probability = trend === 'uptrend' ? 0.75 : 0.25;
      return {
        symbol, trend, probability, signal: probability >= 0.5, abstain: false, threshold: 0.5, scope: 'coin', basis: { pooledCoins: null, members: null, shortHistoryRows: null }, asOf: '2026-11-23',
        modelName: model.modelName, version: model.version, classifier: model.classifier,
        testMetrics: model.metrics, live: null, cached: true,
      };
    },
  } as unknown as SignalPoolServices;
  return { services, controls };
}
