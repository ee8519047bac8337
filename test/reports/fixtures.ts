/**
 * Fixture data for the report tests and the benchmark: real candles from data/ohlcv, a champion version whose tags
 * look like the pipeline's (pool leaderboard, gate, evaluation rows, backtest), predictions with outcomes, and a small
 * in-memory object implementing only the store methods the report reads.
 *
 * Probabilities are a deterministic function of the realised labels plus noise, so calibration and backtest charts
 * show a plausible (better than chance) model.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Candle, Trend } from '../../src/data/candle.ts';
import { parseCandleCsv } from '../../src/data/csv.ts';
import type { Page, Prediction, PredictionFilter, ModelVersion, RegisteredModel, Store, VersionTags } from '../../src/store/ports.ts';
import { registeredModelName } from '../../src/store/ports.ts';
import { backtestSignals, backtestTag } from '../../reports/backtest.ts';
import { sma } from '../../reports/charts/price-signals.ts';
import type { ReportStore } from '../../reports/html/report-data.ts';

export const FEATURE_NAMES_19 = [
  '7_day_ADX', 'AroonDown', 'AroonUp', 'MACD', 'MACD_Signal', 'MACD_Hist', '7_day_RSI', 'SlowK', 'SlowD', '7_day_MFI',
  '7_day_DX', '7_day_TRIX', 'PPO', 'OBV_pct_change', 'AD_pct_change', 'BBANDS_distance_pct',
  '2_day_SMA_10_day_SMA_pct_diff', '2_day_SMA_20_day_SMA_pct_diff', '10_day_SMA_20_day_SMA_pct_diff',
];

export const POOL_KINDS = ['RandomForest', 'SupportVectorMachine', 'XGBoost', 'HistGradientBoosting', 'AdaBoost', 'Ridge', 'KNeighbors', 'MLP', 'LightGBM', 'NeuralNet'];

const candleCache = new Map<string, Candle[]>();
export function loadCandles(symbol: string): Candle[] {
  let c = candleCache.get(symbol);
  if (!c) {
    const path = fileURLToPath(new URL(`../../data/ohlcv/${symbol}.csv`, import.meta.url));
    c = parseCandleCsv(readFileSync(path, 'utf8'), path).candles;
    candleCache.set(symbol, c);
  }
  return c;
}

/** A small seeded PRNG (Park-Miller) so fixtures are identical on every run. */
export function rng(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

/** Realised labels as the trend is defined: SMA10 `window` days ahead vs today, against targetPct. */
export function labelsOf(candles: readonly Candle[], trend: Trend, window: number, targetPct: number): (0 | 1 | null)[] {
  const s = sma(candles.map((c) => c.close), 10);
  return candles.map((_, i) => {
    const now = s[i];
    const later = s[i + window];
    if (now === null || now === undefined || later === null || later === undefined) return null;
    const pct = (later - now) / now;
    return (trend === 'uptrend' ? pct >= targetPct : pct <= targetPct) ? 1 : 0;
  });
}

export interface FixtureOptions {
  readonly symbol: string;
  readonly trend: Trend;
  readonly version?: number;
  readonly testDays?: number;
  readonly withBacktest?: boolean;
  readonly seed?: number;
}

export function fixtureVersion(opts: FixtureOptions): ModelVersion {
  const { symbol, trend } = opts;
  const candles = loadCandles(symbol);
  const window = 10;
  const targetPct = trend === 'uptrend' ? 0.05 : -0.05;
  const rand = rng(opts.seed ?? 7);
  const labels = labelsOf(candles, trend, window, targetPct);
  // The test window: the last `testDays` candles that have a known label.
  const lastLabelled = labels.length - 1 - window;
  const testDays = opts.testDays ?? 180;
  const start = lastLabelled - testDays + 1;
  const dates: string[] = [];
  const proba: number[] = [];
  const label: (0 | 1)[] = [];
  for (let i = start; i <= lastLabelled; i++) {
    const y = labels[i]!;
    dates.push(candles[i]!.date);
    label.push(y as 0 | 1);
    proba.push(Math.min(0.99, Math.max(0.01, (y === 1 ? 0.62 : 0.3) + (rand() - 0.5) * 0.5)));
  }
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < proba.length; i++) {
    const p = proba[i]! > 0.5 ? 1 : 0;
    if (p === 1 && label[i] === 1) tp++;
    else if (p === 1) fp++;
    else if (label[i] === 1) fn++;
    else tn++;
  }
  const n = tp + fp + tn + fn;
  const metrics = {
    accuracy: (tp + tn) / n,
    precision: tp / Math.max(1, tp + fp),
    positive_accuracy: tp / Math.max(1, tp + fn),
    negative_accuracy: tn / Math.max(1, tn + fp),
    overall: 0,
    auc: 0.71,
    brier: 0.2,
    tp, fp, tn, fn, n,
  };
  metrics.overall = (metrics.accuracy + metrics.precision + metrics.positive_accuracy + metrics.negative_accuracy) / 4;

  const shapImportance: Record<string, number> = {};
  const shapMeanAbs: Record<string, number> = {};
  for (const f of FEATURE_NAMES_19) {
    const v = (rand() - 0.5) * 0.08;
    shapImportance[f] = v;
    shapMeanAbs[f] = Math.abs(v) * 1.7;
  }
  const pool = POOL_KINDS.map((k): { classifier: string; ok: boolean; error: string | null; metrics: Record<string, number>; validationMetrics: Record<string, number> | null; fitSeconds: number } => {
    const jitter = () => Math.min(1, Math.max(0, 0.45 + rand() * 0.4));
    const failed = k === 'MLP';
    return {
      classifier: k,
      ok: !failed,
      error: failed ? 'training diverged (NaN loss)' : null,
      metrics: failed ? {} : k === 'XGBoost' ? { ...metrics } : { accuracy: jitter(), precision: jitter(), positive_accuracy: jitter(), negative_accuracy: jitter(), overall: jitter() },
      validationMetrics: failed ? null : { overall: k === 'XGBoost' ? 0.9 : jitter() * 0.9 },
      fitSeconds: 0.5 + rand(), // the pipeline records this too; the report ignores it
    };
  });
  const closeByDate = new Map(candles.map((c) => [c.date, c.close]));
  const bt = backtestSignals({ dates, close: dates.map((d) => closeByDate.get(d)!), proba, threshold: 0.5, trend, window, feePct: 0.001, allowShort: false });

  const tags: VersionTags = {
    classifier: 'XGBoost',
    metrics,
    validationMetrics: { ...metrics, overall: 0.9 },
    featureNames: FEATURE_NAMES_19,
    shapImportance,
    shapMeanAbs,
    shapMethod: 'tree',
    shapOutputSpace: 'raw',
    targetPct,
    window,
    dataRange: { from: candles[0]!.date, to: candles[lastLabelled + window]!.date },
    trainedThrough: candles[start - 1]!.date,
    testWindow: `${dates[0]}..${dates[dates.length - 1]}`,
    championDecision: 'no current champion',
    protocol: 'walk-forward',
    evaluation: { dates, proba, label },
    pool,
    gate: { passed: true, reasons: [], thresholds: { positiveAccuracy: 0.5, negativeAccuracy: 0.5, overall: 0.6 } },
    ...(opts.withBacktest === false ? {} : { backtest: JSON.parse(JSON.stringify(backtestTag(bt))) }),
  };
  return {
    modelName: registeredModelName(symbol, trend),
    version: opts.version ?? 3,
    symbol,
    trend,
    sourceRunId: `run-${symbol}-${trend}`,
    artifactId: `artifact-${symbol}-${trend}`,
    tags,
    createdAt: new Date(Date.UTC(2025, 0, 5)),
  };
}

/** Predictions of a version over the last `days` candles; those older than the window have outcomes. */
export function fixturePredictions(version: ModelVersion, days = 60): Prediction[] {
  const candles = loadCandles(version.symbol);
  const labels = labelsOf(candles, version.trend, version.tags.window, version.tags.targetPct);
  const rand = rng(version.version * 31 + version.symbol.length);
  const out: Prediction[] = [];
  for (let i = candles.length - days; i < candles.length; i++) {
    const y = labels[i];
    out.push({
      id: `p-${version.modelName}-${i}`,
      modelName: version.modelName,
      version: version.version,
      symbol: version.symbol,
      trend: version.trend,
      asOf: candles[i]!.date,
      probability: Math.min(0.99, Math.max(0.01, (y === 1 ? 0.6 : 0.35) + (rand() - 0.5) * 0.5)),
      features: {},
      classifier: version.tags.classifier,
      createdAt: new Date(`${candles[i]!.date}T01:00:00Z`),
      outcome: y === null || y === undefined ? null : { label: y, pct: y === 1 ? 0.06 : 0.01, resolvedAt: new Date(`${candles[i]!.date}T02:00:00Z`) },
    });
  }
  return out.reverse(); // newest first, as listPredictions returns them
}

export interface MemoryStoreContent {
  readonly champions: readonly ModelVersion[];
  /** Registered models without a champion (not deployed). */
  readonly registeredOnly?: readonly RegisteredModel[];
  readonly predictions?: readonly Prediction[];
}

/** Implements only the four store methods the report reads, with the ports' semantics (paging, newest first). */
export function memoryReportStore(content: MemoryStoreContent): ReportStore & { calls: string[] } {
  const calls: string[] = [];
  const registered: RegisteredModel[] = [
    ...content.champions.map((v) => ({ name: v.modelName, symbol: v.symbol, trend: v.trend, createdAt: v.createdAt, latestVersion: v.version })),
    ...(content.registeredOnly ?? []),
  ];
  const preds = [...(content.predictions ?? [])].sort((a, b) => b.asOf.localeCompare(a.asOf));
  return {
    calls,
    async getAlias(modelName: string, alias: string) {
      calls.push(`getAlias ${modelName} ${alias}`);
      return alias === 'champion' ? (content.champions.find((v) => v.modelName === modelName) ?? null) : null;
    },
    async getRegisteredModel(name: string) {
      calls.push(`getRegisteredModel ${name}`);
      return registered.find((r) => r.name === name) ?? null;
    },
    async listRegisteredModels(filter?: { trend?: Trend; symbol?: string }) {
      calls.push('listRegisteredModels');
      return registered.filter((r) => (!filter?.trend || r.trend === filter.trend) && (!filter?.symbol || r.symbol === filter.symbol));
    },
    async listPredictions(filter: PredictionFilter = {}): Promise<Page<Prediction>> {
      calls.push(`listPredictions ${filter.modelName ?? '*'}`);
      const items = preds.filter(
        (p) =>
          (filter.modelName === undefined || p.modelName === filter.modelName) &&
          (filter.version === undefined || p.version === filter.version) &&
          (filter.symbol === undefined || p.symbol === filter.symbol) &&
          (filter.trend === undefined || p.trend === filter.trend) &&
          (filter.hasOutcome === undefined || (p.outcome !== null) === filter.hasOutcome),
      );
      const limit = Math.min(filter.limit ?? 50, 1000);
      const offset = filter.offset ?? 0;
      const page = items.slice(offset, offset + limit);
      return { items: page, total: items.length, nextOffset: offset + limit < items.length ? offset + limit : null };
    },
  };
}

/**
 * Writes fixture champions (and their predictions with outcomes) into a real store through its public methods, the
 * way the pipeline and the outcome job would. Returns the versions as the store recorded them.
 */
export async function seedStore(
  store: Pick<Store, 'registerVersion' | 'savePredictions' | 'setOutcome' | 'ensureRegisteredModel'>,
  champions: readonly ModelVersion[],
  predictions: readonly Prediction[],
): Promise<ModelVersion[]> {
  const out: ModelVersion[] = [];
  for (const v of champions) {
    // Earlier versions exist in a real registry too; register placeholders so the champion gets its own number.
    let registered: ModelVersion | null = null;
    for (let n = 1; n <= v.version; n++) {
      const { version } = await store.registerVersion({
        modelName: v.modelName,
        symbol: v.symbol,
        trend: v.trend,
        sourceRunId: v.sourceRunId,
        artifactId: v.artifactId,
        tags: v.tags,
        ...(n === v.version ? { promote: { alias: 'champion', reason: 'fixture', actor: 'test' } } : {}),
      });
      registered = version;
    }
    out.push(registered!);
  }
  const saved = await store.savePredictions(
    predictions.map((p) => ({
      modelName: p.modelName,
      version: p.version,
      symbol: p.symbol,
      trend: p.trend,
      asOf: p.asOf,
      probability: p.probability,
      features: p.features,
      classifier: p.classifier,
    })),
  );
  for (let i = 0; i < saved.length; i++) {
    const outcome = predictions[i]!.outcome;
    if (outcome) await store.setOutcome(saved[i]!.id, outcome);
  }
  return out;
}
