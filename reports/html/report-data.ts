/**
 * Gathers everything one (symbol, trend) report page shows: the champion version and its tags (validated), the
 * candles, the latest feature rows, the backtest and the live predictions with their outcomes. Each missing or broken
 * piece becomes a warning and an empty section, never a failed report.
 */
import type { Candle, Trend } from '../../src/data/candle.ts';
import type { Matrix } from '../../src/models/matrix.ts';
import { registeredModelName, type ModelVersion, type Prediction, type RegisteredModel, type Store } from '../../src/store/ports.ts';
import { backtestSignals } from '../backtest.ts';
import {
  backtestTagSchema,
  evaluationTagSchema,
  gateTagSchema,
  poolTagSchema,
  readTag,
  type BacktestTag,
  type EvaluationTag,
  type GateTag,
  type PoolEntry,
  type TagResult,
} from '../tags.ts';

/** The store methods the report reads; a real Store satisfies it, and so can a small fake in tests. */
export type ReportStore = Pick<Store, 'getAlias' | 'getRegisteredModel' | 'listRegisteredModels' | 'listPredictions'>;

/** What computeFeatures (src/data/features.ts) returns, reduced to what the feature table needs. */
export interface FeatureRows {
  readonly dates: readonly string[];
  readonly X: Matrix;
  readonly featureNames: readonly string[];
}
export type BuildFeatureTable = (candles: readonly Candle[]) => FeatureRows | Promise<FeatureRows>;

export interface PageSettings {
  /** Probability at or above which a prediction is a signal (config.signalThreshold). */
  readonly threshold: number;
  /** Used to recompute a backtest for versions that do not store one (config.backtest). */
  readonly feePct: number;
  readonly allowShort: boolean;
  /** Rows of the feature table. */
  readonly featureRowCount: number;
}

export interface PageDeps {
  readonly store: ReportStore;
  readonly loadCandles: (symbol: string) => Promise<Candle[]>;
  readonly buildFeatureTable: BuildFeatureTable;
  readonly settings: PageSettings;
}

export interface LiveStats {
  /** Predictions of the version whose outcome is known. */
  readonly resolved: number;
  readonly pending: number;
  /** Share of resolved predictions whose 0/1 signal matched the realised label. */
  readonly hitRate: number | null;
  readonly signals: number;
  /** Share of resolved signals where the trend happened. */
  readonly precision: number | null;
}

export type BacktestSection =
  | { readonly ok: true; readonly source: 'stored' | 'computed'; readonly value: BacktestTag }
  | { readonly ok: false; readonly error: string };

export interface ModelPageData {
  readonly symbol: string;
  readonly trend: Trend;
  readonly modelName: string;
  /** File-name-safe id, e.g. "BTC-uptrend". */
  readonly pageId: string;
  readonly registered: RegisteredModel | null;
  /** The champion version, or null when the model is not deployed. */
  readonly version: ModelVersion | null;
  readonly candles: Candle[] | null;
  readonly candlesError: string | null;
  readonly features: { dates: string[]; featureNames: string[]; rows: number[][] } | null;
  readonly featuresError: string | null;
  readonly pool: TagResult<PoolEntry[]> | null;
  readonly gate: TagResult<GateTag> | null;
  readonly evaluation: TagResult<EvaluationTag> | null;
  readonly backtest: BacktestSection | null;
  /** Every prediction of this model (all versions), newest first. */
  readonly predictions: Prediction[];
  /** Live statistics of the champion version. */
  readonly live: LiveStats | null;
  readonly warnings: string[];
}

export function pageIdOf(symbol: string, trend: Trend): string {
  return `${symbol.replace(/[^A-Za-z0-9_-]/g, '_')}-${trend}`;
}

export async function loadModelPage(deps: PageDeps, symbol: string, trend: Trend): Promise<ModelPageData> {
  const modelName = registeredModelName(symbol, trend);
  const warnings: string[] = [];
  const [registered, version] = await Promise.all([deps.store.getRegisteredModel(modelName), deps.store.getAlias(modelName, 'champion')]);
  const base = {
    symbol,
    trend,
    modelName,
    pageId: pageIdOf(symbol, trend),
    registered,
    version,
    warnings,
  };
  if (version === null) {
    return {
      ...base,
      candles: null,
      candlesError: null,
      features: null,
      featuresError: null,
      pool: null,
      gate: null,
      evaluation: null,
      backtest: null,
      predictions: [],
      live: null,
    };
  }

  let candles: Candle[] | null = null;
  let candlesError: string | null = null;
  try {
    candles = await deps.loadCandles(symbol);
    if (candles.length === 0) {
      candlesError = `no candles for ${symbol}`;
      candles = null;
    }
  } catch (err) {
    candlesError = `could not load candles for ${symbol}: ${message(err)}`;
  }
  if (candlesError) warnings.push(`${modelName}: ${candlesError}`);

  let features: ModelPageData['features'] = null;
  let featuresError: string | null = null;
  if (candles) {
    try {
      features = lastFeatureRows(await deps.buildFeatureTable(candles), deps.settings.featureRowCount);
    } catch (err) {
      featuresError = `could not compute features for ${symbol}: ${message(err)}`;
      warnings.push(`${modelName}: ${featuresError}`);
    }
  }

  const tagWarning = <T>(r: TagResult<T>): TagResult<T> => {
    if (!r.ok) warnings.push(`${modelName} v${version.version}: ${r.error}`);
    return r;
  };
  const pool = tagWarning(readTag(version.tags, 'pool', poolTagSchema));
  const gate = tagWarning(readTag(version.tags, 'gate', gateTagSchema));
  const evaluation = tagWarning(readTag(version.tags, 'evaluation', evaluationTagSchema));
  const backtest = backtestSection(version, evaluation, candles, deps.settings);
  if (!backtest.ok) warnings.push(`${modelName} v${version.version}: ${backtest.error}`);

  const predictions = await allPredictions(deps.store, modelName);
  const live = liveStats(
    predictions.filter((p) => p.version === version.version),
    typeof version.tags.signalThreshold === 'number' ? version.tags.signalThreshold : deps.settings.threshold,
  );
  return { ...base, candles, candlesError, features, featuresError, pool, gate, evaluation, backtest, predictions, live };
}

/** Stored backtest if there is one; otherwise recomputed from the evaluation rows and the candles' closes. */
function backtestSection(
  version: ModelVersion,
  evaluation: TagResult<EvaluationTag>,
  candles: Candle[] | null,
  settings: PageSettings,
): BacktestSection {
  const stored = readTag(version.tags, 'backtest', backtestTagSchema);
  if (stored.ok) return { ok: true, source: 'stored', value: stored.value };
  // The pipeline records { error } when its backtest failed; recomputing may still work (e.g. candles now complete).
  const raw = version.tags.backtest;
  const recordedError =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) && typeof raw.error === 'string' ? `the backtest failed at registration: ${raw.error}` : null;
  if (!stored.missing && recordedError === null) return { ok: false, error: stored.error };
  const why = recordedError ?? 'no backtest recorded';
  if (!evaluation.ok) return { ok: false, error: `${why}, and no evaluation rows to compute one from` };
  if (!candles) return { ok: false, error: `${why}, and no candles to compute one from` };
  const closeByDate = new Map(candles.map((c) => [c.date, c.close]));
  const missing = evaluation.value.dates.filter((d) => !closeByDate.has(d));
  if (missing.length > 0) return { ok: false, error: `${why}, and ${missing.length} evaluation dates have no candle (first ${missing[0]})` };
  try {
    const result = backtestSignals({
      dates: evaluation.value.dates,
      close: evaluation.value.dates.map((d) => closeByDate.get(d)!),
      proba: evaluation.value.proba,
      threshold: settings.threshold,
      trend: version.trend,
      window: version.tags.window,
      feePct: settings.feePct,
      allowShort: settings.allowShort,
    });
    return { ok: true, source: 'computed', value: result };
  } catch (err) {
    return { ok: false, error: `${why}, and recomputing it failed: ${message(err)}` };
  }
}

function lastFeatureRows(table: FeatureRows, count: number): NonNullable<ModelPageData['features']> {
  const start = Math.max(0, table.X.nRows - count);
  const rows: number[][] = [];
  for (let i = start; i < table.X.nRows; i++) rows.push(Array.from(table.X.data.subarray(i * table.X.nCols, (i + 1) * table.X.nCols)));
  return { dates: table.dates.slice(start), featureNames: [...table.featureNames], rows };
}

async function allPredictions(store: ReportStore, modelName: string): Promise<Prediction[]> {
  const out: Prediction[] = [];
  let offset: number | null = 0;
  // A daily model accumulates ~365 predictions a year; the cap only guards against a runaway store.
  while (offset !== null && out.length < 20_000) {
    const page = await store.listPredictions({ modelName, limit: 1000, offset });
    out.push(...page.items);
    offset = page.nextOffset;
  }
  return out;
}

export function liveStats(predictions: readonly Prediction[], threshold: number): LiveStats {
  let resolved = 0;
  let hits = 0;
  let signals = 0;
  let signalHits = 0;
  for (const p of predictions) {
    if (p.outcome === null) continue;
    resolved++;
    const signal = p.probability >= threshold ? 1 : 0;
    if (signal === p.outcome.label) hits++;
    if (signal === 1) {
      signals++;
      if (p.outcome.label === 1) signalHits++;
    }
  }
  return {
    resolved,
    pending: predictions.length - resolved,
    hitRate: resolved > 0 ? hits / resolved : null,
    signals,
    precision: signals > 0 ? signalHits / signals : null,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
