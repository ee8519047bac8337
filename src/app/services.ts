/**
 * The application's use cases, as one port. The HTTP API, the chat commands, the jobs and the CLI all talk to this
 * interface and never to the pipeline or the store's internals directly, so each of them can be tested with a real
 * embedded store or with a small fake.
 *
 * The real implementation is built by createServices() in src/app/create-services.ts.
 */
import type { Trend } from '../data/candle.ts';
import type { AppConfig } from '../../config/schema.ts';
import type { Store } from '../store/ports.ts';
import type { Logger } from './logger.ts';

/** The seed's five metrics plus the extras, on one evaluation window. */
export type EvaluationMetrics = {
  accuracy: number;
  precision: number;
  negative_accuracy: number;
  positive_accuracy: number;
  overall: number;
  auc: number;
  brier: number;
  base_rate: number;
  lift: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  n: number;
};

/** A model version that holds the champion alias. */
export interface DeployedModel {
  symbol: string;
  trend: Trend;
  modelName: string;
  version: number;
  classifier: string;
  /** Test-window metrics recorded at registration. */
  metrics: Record<string, number>;
  /** Mean SHAP per feature (the seed's feature_importance). */
  shapImportance: Record<string, number>;
  shapMeanAbs: Record<string, number>;
  featureNames: string[];
  targetPct: number;
  window: number;
  protocol: string;
  trainedAt: Date;
  dataRange: { from: string; to: string };
  /** The TEST window of `metrics`, and the last row the served model was fitted on (see metricsNote). */
  testWindow: string | null;
  trainedThrough: string | null;
}

/** Realised performance of a model version on predictions whose outcome is known. */
export interface LiveStats {
  count: number;
  hitRate: number; // accuracy of the 0/1 signal against realised labels
  precision: number;
  positiveAccuracy: number;
  negativeAccuracy: number;
}

export interface PredictionView {
  symbol: string;
  trend: Trend;
  /** P(trend): calibrated on the validation folds for versions registered with calibration. */
  probability: number;
  /** probability >= threshold, and not inside the abstain band. */
  signal: boolean;
  /** Inside the abstain band around the threshold: "no clear signal". */
  abstain: boolean;
  /** The version's own threshold (the calibrated decision boundary) or config.signalThreshold. */
  threshold: number;
  /** 'global': a model trained on the pooled history of every coin; 'ensemble': an average of several models. */
  scope: 'coin' | 'global' | 'ensemble';
  /**
   * What a global model (or an ensemble with one) learnt from: the coins of the pooled data and, when the coin's own
   * history was too short for walk-forward, how many labelled rows it had (the reply says so).
   */
  basis: { pooledCoins: number | null; members: string[] | null; shortHistoryRows: number | null };
  asOf: string;
  modelName: string;
  version: number;
  classifier: string;
  testMetrics: Record<string, number>;
  live: LiveStats | null;
  /** True when served from a stored prediction (no data fetch, no model call). */
  cached: boolean;
  /**
   * Set when the market data could not be refreshed and the prediction comes from the cached candles: how old
   * they are and why (issue 19).
   */
  staleData?: { lastCandle: string; ageDays: number; reason: string };
}

export interface BatchPredictionResult {
  trend: Trend;
  predictions: PredictionView[];
  failures: { symbol: string; error: string }[];
}

export type DeployProgress =
  | { type: 'start'; trend: Trend; symbols: string[]; classifiers: string[]; total: number }
  | { type: 'classifier'; symbol: string; classifier: string; done: number; total: number; ok: boolean; seconds: number }
  | { type: 'symbol'; summary: SymbolDeploySummary; done: number; total: number };

export interface SymbolDeploySummary {
  symbol: string;
  trend: Trend;
  ok: boolean;
  error?: string;
  selected?: string;
  validationOverall?: number;
  testMetrics?: Record<string, number>;
  registered: boolean;
  version?: number;
  becameChampion: boolean;
  gateReason?: string;
  championReason?: string;
  /** Wall time of the stages, for benchmarks and logs. */
  timings?: { dataSeconds: number; poolSeconds: number; shapSeconds: number; registerSeconds: number };
}

export interface DeploySummary {
  trend: Trend;
  protocol: string;
  startedAt: Date;
  seconds: number;
  symbols: SymbolDeploySummary[];
}

export interface DeployRequest {
  trend: Trend;
  symbols?: string[];
  classifiers?: string[];
  protocol?: 'seed' | 'walk-forward';
  seed?: number;
  actor: string;
  onProgress?: (event: DeployProgress) => void;
  signal?: AbortSignal;
}

/** One PNG image with a suggested file name. */
export interface ChartImage {
  name: string;
  png: Uint8Array;
  title: string;
}

export interface SignalPoolServices {
  readonly config: AppConfig;
  readonly store: Store;
  readonly logger: Logger;
  /** Symbols the pool knows (config.symbols). */
  knownSymbols(): string[];
  listChampions(trend?: Trend): Promise<DeployedModel[]>;
  getChampion(symbol: string, trend: Trend): Promise<DeployedModel | null>;
  /** Latest prediction for the champion; served from the store when fresh, else computed and stored. */
  predict(symbol: string, trend: Trend): Promise<PredictionView>;
  /** Batch predictions for every champion of a trend (or the given symbols). One coin failing never stops others. */
  batchPredict(trend: Trend, symbols?: string[]): Promise<BatchPredictionResult>;
  /** Resolves outcomes of predictions whose window has passed. Returns how many were resolved. */
  resolveOutcomes(): Promise<number>;
  liveStats(modelName: string, version: number): Promise<LiveStats | null>;
  /** Runs a deployment. Throws DeploymentBusyError when one is already running in this process. */
  deploy(request: DeployRequest): Promise<DeploySummary>;
  isDeploying(): boolean;
  /** Charts for chat and reports; null when the data needed is not there. */
  charts: {
    shapImportance(symbol: string, trend: Trend): Promise<ChartImage | null>;
    poolMetrics(symbol: string, trend: Trend): Promise<ChartImage | null>;
    dailySignals(predictions: PredictionView[], date: string): Promise<ChartImage | null>;
  };
}

export class DeploymentBusyError extends Error {
  override readonly name = 'DeploymentBusyError';
  constructor() {
    super('A deployment is already running. Wait for it to finish.');
  }
}

/** An error whose message is safe and useful to show a user (unknown symbol, no model...). */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
  constructor(message: string, readonly code: 'NOT_FOUND' | 'BAD_REQUEST' | 'UNAVAILABLE' = 'BAD_REQUEST') {
    super(message);
  }
}
