/**
 * A deployment of one trend over symbols: train every pair's pool (trend-pools.ts: per-coin kinds, global kinds,
 * ensemble, selection, calibration, gate), log every run, then for each pair that passes the gate explain (SHAP),
 * backtest and register a new version (moving the champion alias when the new version beats the current one).
 *
 * Crash safety: runs are logged as the work goes, but the registry changes in exactly one store call per pair,
 * `registerVersion` (version + alias move, atomic in both stores), issued last. A deployment that dies at any earlier
 * point leaves the registry and the champion exactly as they were; its parent runs stay RUNNING or FAILED.
 */
import type { AppConfig } from '../../config/schema.ts';
import type { DeployProgress, DeploySummary, SymbolDeploySummary } from '../app/services.ts';
import type { Logger } from '../app/logger.ts';
import type { Candle, Trend } from '../data/candle.ts';
import { columnsWithin, featureNamesOf, isFeatureSetName, SEED_FEATURE_SET, type FeatureSetName } from '../data/feature-sets.ts';
import { pooledRowsAt } from '../data/pooled-dataset.ts';
import { POOLED_FEATURE_SET } from '../data/pooled-features.ts';
import type { Classifier, ClassifierKind } from '../models/classifier.ts';
import { CalibratedClassifier, EnsembleClassifier } from '../models/composite.ts';
import { takeRows, type Matrix } from '../models/matrix.ts';
import { chunkRanges, mergeShapChunks, planShapFor, summarizeShap } from '../explain/explain.ts';
import { backtestSignals } from '../../reports/backtest.ts';
import { registeredModelName, type JsonValue, type Store, type VersionTags } from '../store/ports.ts';
import { decodeModel, encodeModel, loadModel, saveMemberModel } from './artifacts.ts';
import type { AnyCandidate, Candidate, PriorObservation } from './candidates.ts';
import { compareWithChampion } from './champion.ts';
import { evaluate, finiteMetrics } from './metrics.ts';
import type { MakeClassifier } from './pool.ts';
import { inProcessTrainer, workerTrainer, type ExplainTarget, type Trainer } from './trainer.ts';
import {
  poolSettings, trainTrendPools, type PairEvaluation, type PairPlan, type PoolSettings, type Protocol, type TrendPoolsResult,
} from './trend-pools.ts';
import type { Range } from './split.ts';

export type { Protocol };
export { SKLEARN_KINDS } from '../models/classifier.ts';

export interface DeployDeps {
  config: AppConfig;
  store: Store;
  logger: Logger;
  loadCandles(symbol: string): Promise<Candle[]>;
  now?: () => Date;
  /** Defaults to the classifier registry; tests inject failing classifiers (training then runs in-process). */
  makeClassifier?: MakeClassifier;
  /** Where pool members train; default worker threads (in-process when makeClassifier is given). */
  trainer?: Trainer;
}

export interface RunReport {
  symbol: string;
  trend: Trend;
  classifier: string;
  ok: boolean;
  error?: string;
  metrics: Record<string, number>;
  validation: Record<string, number> | null;
  fitSeconds: number;
}

export interface DeployOptions {
  trend: Trend;
  symbols: string[];
  /**
   * Candidate names (per-coin kinds, `global:<Kind>`): narrows the configured pool (poolSettings in trend-pools.ts).
   * Ignored when `pool` is given.
   */
  classifiers?: readonly string[];
  pool?: PoolSettings;
  protocol: Protocol;
  seed: number;
  actor: string;
  /** Log an artifact for every per-coin child run ('all') or only for the registered model ('selected'). */
  logArtifacts?: 'all' | 'selected';
  onProgress?: (event: DeployProgress) => void;
  /** Called once per finished child run, e.g. for the CLI's --json lines. */
  onRun?: (run: RunReport) => void;
  signal?: AbortSignal;
}

const prefixed = (prefix: string, m: Record<string, number>) => Object.fromEntries(Object.entries(finiteMetrics(m)).map(([k, v]) => [`${prefix}${k}`, v]));

/** Plain JSON copy (drops undefined, typed arrays become objects: callers pass plain arrays). */
const toJson = (x: unknown): JsonValue => JSON.parse(JSON.stringify(x)) as JsonValue;

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('deployment aborted');
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The validation scores the latest finished deployment of each coin outside `exclude` recorded for its candidates:
 * a partial deployment (one coin from chat, say) shrinks its selection toward them (see candidates.ts).
 */
export async function storedPriorObservations(store: Store, trend: Trend, exclude: readonly string[]): Promise<PriorObservation[]> {
  const latest = new Map<string, string>();
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await store.listRuns({ experiment: `deploy/${trend}`, parentRunId: null, status: 'FINISHED', limit: 500, offset });
    for (const run of page.items) {
      if (run.symbol && !exclude.includes(run.symbol) && !latest.has(run.symbol)) latest.set(run.symbol, run.id);
    }
    offset = page.nextOffset;
  }
  const out: PriorObservation[] = [];
  for (const parentRunId of latest.values()) {
    const children = await store.listRuns({ parentRunId, status: 'FINISHED', limit: 100 });
    for (const child of children.items) {
      const score = child.metrics.val_overall;
      if (typeof score === 'number') out.push({ name: child.name, score });
    }
  }
  return out;
}

/** Candidates a deployment reports progress for: per-coin kinds and global kinds, per symbol. */
export function progressTotal(symbols: number, pool: PoolSettings, protocol: Protocol): number {
  return symbols * (pool.kinds.length + (protocol === 'walk-forward' ? pool.globals.length : 0));
}

export async function deployTrend(deps: DeployDeps, options: DeployOptions): Promise<DeploySummary> {
  const { config, store, logger } = deps;
  const pool = options.pool ?? poolSettings(config, options.classifiers);
  // Injected classifiers may not be the registry's: never assume two of them fit alike.
  const opts = { ...options, pool: deps.makeClassifier ? { ...pool, skipTwinFits: false } : pool };
  const startedAt = (deps.now ?? (() => new Date()))();
  const t0 = performance.now();
  const total = progressTotal(opts.symbols.length, opts.pool, opts.protocol);
  const candidateNames = [...opts.pool.kinds, ...(opts.protocol === 'walk-forward' ? opts.pool.globals.map((g) => `global:${g.kind}`) : [])];
  opts.onProgress?.({ type: 'start', trend: opts.trend, symbols: opts.symbols, classifiers: candidateNames, total });
  const trainer = deps.trainer ?? (deps.makeClassifier ? inProcessTrainer(deps.makeClassifier) : workerTrainer());
  const progress = { done: 0 };
  const targetPct = config.targetPct[opts.trend];

  // A parent run per symbol from the start, so an interrupted deployment shows what was in progress.
  const parents = new Map<string, string>();
  for (const symbol of opts.symbols) {
    const run = await store.createRun({
      experiment: `deploy/${opts.trend}`, name: `${symbol}_${opts.trend}`, symbol, trend: opts.trend,
      params: { protocol: opts.protocol, seed: opts.seed, window: config.predictionWindow, target_pct: targetPct, indicator_period: config.indicatorPeriod, classifiers: candidateNames.join(',') },
      tags: { actor: opts.actor },
    });
    parents.set(symbol, run.id);
  }

  const results: SymbolDeploySummary[] = [];
  try {
    let pools: TrendPoolsResult;
    try {
      const priorObservations = opts.protocol === 'walk-forward' ? await storedPriorObservations(store, opts.trend, opts.symbols) : [];
      pools = await trainTrendPools({ config, logger, trainer, loadCandles: deps.loadCandles }, {
        trend: opts.trend, symbols: opts.symbols, protocol: opts.protocol, seed: opts.seed, pool: opts.pool, signal: opts.signal, priorObservations,
        onCandidate: async (symbol, c) => {
          await logChildRun(deps, opts, parents.get(symbol)!, symbol, c);
          if (c.scope === 'ensemble') return;
          progress.done++;
          opts.onProgress?.({ type: 'classifier', symbol, classifier: c.name, done: progress.done, total, ok: c.ok, seconds: c.fitSeconds });
        },
      });
    } catch (err) {
      const message = errorText(err);
      for (const [symbol, id] of parents) {
        await store.endRun(id, 'FAILED', message).catch(() => undefined);
        results.push({ symbol, trend: opts.trend, ok: false, error: message, registered: false, becameChampion: false });
      }
      return { trend: opts.trend, protocol: opts.protocol, startedAt, seconds: (performance.now() - t0) / 1000, symbols: results };
    }
    for (const outcome of pools.pairs) {
      const summary = await finishPair(deps, opts, trainer, pools, outcome, parents.get(outcome.symbol)!);
      results.push(summary);
      opts.onProgress?.({ type: 'symbol', summary, done: progress.done, total });
      if (opts.signal?.aborted) break;
    }
  } finally {
    if (!deps.trainer) await trainer.close();
  }
  return { trend: opts.trend, protocol: opts.protocol, startedAt, seconds: (performance.now() - t0) / 1000, symbols: results };
}

async function finishPair(deps: DeployDeps, opts: DeployOptions, trainer: Trainer, pools: TrendPoolsResult, outcome: TrendPoolsResult['pairs'][number], parentRunId: string): Promise<SymbolDeploySummary> {
  const { store, logger } = deps;
  const { symbol } = outcome;
  const trend = opts.trend;
  const log = logger.child({ symbol, trend });
  const pair = outcome.ok ? outcome : outcome.pair;
  try {
    if (pair) {
      await store.updateRun(parentRunId, {
        params: { n_labeled: pair.data.y.length, n_test: pair.plan.test.end - pair.plan.test.start, folds: pair.plan.protocol === 'walk-forward' ? pair.plan.folds.length : 0, dropped_rows: pair.data.dropped },
        tags: { data_from: pair.data.range.from, data_to: pair.data.range.to, test_window: pair.testWindow },
      });
    }
    if (!outcome.ok) throw new Error(outcome.error);
    throwIfAborted(opts.signal);
    const best = outcome.selected;
    const summary: SymbolDeploySummary = {
      symbol, trend, ok: true, selected: best.name, validationOverall: best.validation?.overall,
      testMetrics: finiteMetrics(outcome.test), registered: false, becameChampion: false, gateReason: outcome.gate.reasons.join('; '),
    };
    log.info(`selected ${best.name}`, { test_overall: outcome.test.overall, gate: outcome.gate.passed });
    if (outcome.gate.passed) Object.assign(summary, await registerSelected(deps, opts, trainer, pools, outcome, parentRunId));
    await store.updateRun(parentRunId, {
      metrics: prefixed('test_', outcome.test),
      tags: { selected: best.name, gate: outcome.gate.reasons.join('; '), registered: summary.registered, version: summary.version ?? null, champion: summary.becameChampion },
    });
    await store.endRun(parentRunId, 'FINISHED');
    return summary;
  } catch (err) {
    const message = errorText(err);
    log.error('deployment failed', { error: message });
    await store.endRun(parentRunId, 'FAILED', message).catch(() => undefined);
    return { symbol, trend, ok: false, error: message, registered: false, becameChampion: false };
  }
}

async function logChildRun(deps: DeployDeps, opts: DeployOptions, parentRunId: string, symbol: string, c: AnyCandidate): Promise<void> {
  const { store } = deps;
  const run = await store.createRun({
    experiment: `deploy/${opts.trend}`, parentRunId, name: c.name, symbol, trend: opts.trend,
    params: c.ok ? { ...c.params, seed: opts.seed } : { seed: opts.seed },
    tags: { classifier: c.name, scope: c.scope, ...(c.ok && c.member?.sameFitAs ? { same_fit_as: c.member.sameFitAs } : {}) },
  });
  const report = (ok: boolean, metrics: Record<string, number>, validation: Record<string, number> | null, error?: string) =>
    opts.onRun?.({ symbol, trend: opts.trend, classifier: c.name, ok, ...(error ? { error } : {}), metrics, validation, fitSeconds: c.fitSeconds });
  if (!c.ok) {
    await store.updateRun(run.id, { metrics: { fit_seconds: c.fitSeconds } });
    await store.endRun(run.id, 'FAILED', c.error);
    report(false, {}, null, c.error);
    return;
  }
  // Per-coin members carry their own model; global models are shared by many pairs (the registered one is stored
  // with its version), and an ensemble is its members.
  const artifactId = c.member && (opts.logArtifacts ?? 'all') === 'all' ? await saveMemberModel(store, c.member, featureNamesOf(SEED_FEATURE_SET)) : null;
  await store.updateRun(run.id, {
    metrics: { ...prefixed('test_', c.test), ...(c.validation ? prefixed('val_', c.validation) : {}), fit_seconds: c.fitSeconds },
    artifactId,
  });
  await store.endRun(run.id, 'FINISHED');
  report(true, finiteMetrics(c.test), c.validation ? finiteMetrics(c.validation) : null);
}

/**
 * The pair's input rows in a feature set, for a range of its labelled rows. A pooled row is missing for the first
 * days of a coin (the pooled features' warm-up is longer than the seed's): with `skipMissing` those rows are left out
 * (the SHAP background), else the result is null (a window that must be complete).
 */
function pairRows(pools: TrendPoolsResult, pair: PairPlan, set: FeatureSetName, range: Range, skipMissing = false): Matrix | null {
  const all = Array.from({ length: range.end - range.start }, (_, k) => range.start + k);
  const coin = set === SEED_FEATURE_SET ? null : pools.global?.universe.coins.get(pair.symbol);
  if (set !== SEED_FEATURE_SET && !coin) return null;
  const rows = coin && skipMissing ? all.filter((r) => coin.rowOf.has(pair.data.dates[r]!)) : all;
  if (rows.length === 0) return null;
  const seed = takeRows(pair.data.X, rows);
  if (set === SEED_FEATURE_SET) return seed;
  const pooled = pooledRowsAt(coin!, rows.map((r) => pair.data.dates[r]!));
  if (!pooled || set === POOLED_FEATURE_SET) return pooled;
  const d = seed.nCols + pooled.nCols;
  const data = new Float64Array(seed.nRows * d);
  for (let i = 0; i < seed.nRows; i++) {
    data.set(seed.data.subarray(i * seed.nCols, (i + 1) * seed.nCols), i * d);
    data.set(pooled.data.subarray(i * pooled.nCols, (i + 1) * pooled.nCols), i * d + seed.nCols);
  }
  return { nRows: seed.nRows, nCols: d, data };
}

interface FinalModel {
  model: Classifier;
  /** The encoded model when it came from a trainer (SHAP workers decode it instead of receiving its state). */
  artifact?: Uint8Array;
  params: Record<string, JsonValue>;
  /** Dates of the first and last row whose label trained it, and how many rows (all coins, for a global model). */
  trainedFrom: string;
  trainedThrough: string;
  trainedRows: number;
  global?: JsonValue;
}

/** Fits the model that will be served for a candidate: on every labelled row (walk-forward) or as scored (seed). */
async function finalModelOf(opts: DeployOptions, trainer: Trainer, pools: TrendPoolsResult, pair: PairEvaluation, c: Candidate): Promise<FinalModel> {
  const { data, plan } = pair;
  if (c.scope === 'coin') {
    if (plan.protocol === 'seed') {
      return { model: c.member!.model, artifact: c.member!.artifact, params: { ...c.params }, trainedFrom: data.dates[plan.train.start]!, trainedThrough: data.dates[plan.train.end - 1]!, trainedRows: plan.train.end - plan.train.start };
    }
    const refit = await trainer.train(c.name as ClassifierKind, data, { protocol: 'seed', train: { start: 0, end: data.y.length }, test: plan.test }, opts.seed);
    if (!refit.ok) throw new Error(`refit of ${c.name} on all rows failed: ${refit.error}`);
    return { model: refit.artifact ? decodeModel(refit.artifact) : refit.model, artifact: refit.artifact, params: { ...refit.params }, trainedFrom: data.dates[0]!, trainedThrough: data.dates[data.y.length - 1]!, trainedRows: data.y.length };
  }
  if (c.scope === 'global') {
    const bank = pools.global?.bank;
    if (!bank || !c.spec) throw new Error(`${c.name}: the global models are not available`);
    const fit = await bank.finalModel(c.spec, data.range.to);
    return {
      model: decodeModel(fit.artifact!), artifact: fit.artifact!, params: { ...fit.params },
      trainedFrom: [...pools.global!.universe.coins.values()].map((k) => k.dates[0] ?? '9999').sort()[0]!, trainedThrough: data.range.to, trainedRows: fit.info.rows,
      global: { universe: pools.global!.symbols, reference: pools.global!.universe.context.reference, trainedRows: fit.info.rows, coins: fit.info.coins, labelsKnownBefore: fit.info.trainedBefore },
    };
  }
  const parts = await Promise.all(c.parts!.map((p) => finalModelOf(opts, trainer, pools, pair, p)));
  const members = c.parts!.map((p, i) => ({ name: p.name, model: parts[i]!.model, columns: columnsWithin(c.featureSet, p.featureSet) }));
  return {
    model: new EnsembleClassifier(members), params: { ...c.params },
    trainedFrom: parts.map((p) => p.trainedFrom).sort()[0]!, trainedThrough: parts.map((p) => p.trainedThrough).sort().at(-1)!,
    trainedRows: Math.max(...parts.map((p) => p.trainedRows)),
    global: parts.find((p) => p.global)?.global,
  };
}

async function registerSelected(deps: DeployDeps, opts: DeployOptions, trainer: Trainer, pools: TrendPoolsResult, pair: PairEvaluation, parentRunId: string): Promise<Partial<SymbolDeploySummary>> {
  const { config, store } = deps;
  const { data, plan, selected: best } = pair;
  const modelName = registeredModelName(data.symbol, data.trend);
  const set = best.featureSet;
  const featureNames = [...featureNamesOf(set)];

  const final = await finalModelOf(opts, trainer, pools, pair, best);
  throwIfAborted(opts.signal);
  // Served model: the calibrated wrapper when there is a calibration (walk-forward), else the model as trained.
  const served: Classifier = pair.calibration ? new CalibratedClassifier(final.model, pair.calibration) : final.model;
  const signalThreshold = served instanceof CalibratedClassifier ? served.signalThreshold : config.signalThreshold;

  // SHAP explains the model's own score (before calibration, a monotone map that cannot reorder features' effects).
  const Xtest = pairRows(pools, pair, set, plan.test, true);
  const trainEnd = plan.protocol === 'seed' ? plan.train.end : data.y.length;
  const training = pairRows(pools, pair, set, { start: 0, end: trainEnd }, true);
  if (!Xtest) throw new Error(`no ${set} feature rows for the TEST window of ${data.symbol}`);
  if (!training) throw new Error(`no ${set} feature rows to explain ${data.symbol}'s model against`);
  const shapStarted = performance.now();
  const method = final.model.treeEnsemble?.() ? 'tree' : 'kernel';
  const shapPlan = planShapFor(final.model.kind, method, Xtest, training, { seed: opts.seed });
  const target: ExplainTarget = { model: final.model, ...(final.artifact ? { artifact: final.artifact } : {}) };
  const chunks = await Promise.all(chunkRanges(shapPlan.rows.nRows, trainer.parallelism).map(([s, e]) => trainer.explain(target, shapPlan, s, e)));
  const shap = mergeShapChunks(shapPlan, chunks);
  const { mean, meanAbs } = summarizeShap(shap, featureNames);
  const shapSeconds = (performance.now() - shapStarted) / 1000;

  const testDates = data.dates.slice(plan.test.start, plan.test.end);
  const testProba = Array.from(pair.testProba);
  let backtest: JsonValue = null;
  try {
    const closeByDate = new Map(pair.candles.map((c) => [c.date, c.close]));
    backtest = toJson(backtestSignals({
      dates: testDates, close: testDates.map((d) => closeByDate.get(d)!), proba: testProba,
      threshold: signalThreshold, trend: data.trend, window: config.predictionWindow,
      feePct: config.backtest.feePct, allowShort: config.backtest.allowShort,
    }));
  } catch (err) {
    backtest = { error: errorText(err) };
  }

  // Champion rule on rows neither model was trained on (champion.ts): never the stored champion on its own training rows.
  const current = await store.getAlias(modelName, 'champion');
  const decision = current
    ? await compareWithChampion({
      candidates: pair.candidates.filter((c): c is Candidate => c.ok), selected: best, challengerTest: pair.test, labels: pair.labels.test,
      testDates, current, margin: config.championMargin, minLiveRows: config.championMinLiveRows,
      scoreStored: async (rows) => {
        try {
          const champSet = isFeatureSetName(current.tags.featureSet) ? current.tags.featureSet : SEED_FEATURE_SET;
          const all = pairRows(pools, pair, champSet, plan.test);
          if (!all) throw new Error(`no ${champSet} feature rows for the test window`);
          const X = takeRows(all, rows);
          const champ = await loadModel(store, current.artifactId, current.tags.featureNames);
          return { proba: champ.predictProba(X), decisions: champ.predict(X) };
        } catch (err) {
          deps.logger.warn('current champion could not be scored on its live window', { modelName, error: errorText(err) });
          return null;
        }
      },
    })
    : { promote: true, reason: 'no champion yet', comparison: null };

  const artifactId = served === final.model && final.artifact
    ? await store.putArtifact(final.artifact, { kind: served.kind })
    : await store.putArtifact(encodeModel(served.toJSON(), featureNames), { kind: served.kind });
  const tags: VersionTags = {
    classifier: best.name,
    scope: best.scope,
    featureSet: set,
    metrics: finiteMetrics(pair.test),
    ...(best.validation ? { validationMetrics: finiteMetrics(best.validation) } : {}),
    featureNames,
    shapImportance: mean,
    shapMeanAbs: meanAbs,
    shapMethod: shap.method,
    shapOutputSpace: shap.outputSpace,
    targetPct: config.targetPct[data.trend],
    window: config.predictionWindow,
    dataRange: { from: data.range.from, to: data.range.to },
    trainedThrough: final.trainedThrough,
    protocol: plan.protocol,
    testWindow: pair.testWindow,
    seed: opts.seed,
    params: final.params,
    signalThreshold,
    calibration: pair.calibration ? { method: 'platt', a: pair.calibration.a, b: pair.calibration.b, brierBefore: pair.brierUncalibrated, brierAfter: pair.test.brier } : null,
    selection: { score: pair.selectionScore, lambda: pools.rule.lambda, prior: pools.rule.priors.get(best.name) ?? null },
    ...(final.global ? { global: final.global } : {}),
    ...(best.parts ? { ensemble: best.parts.map((p) => p.name) } : {}),
    ownHistory: { labelledRows: data.y.length, folds: plan.protocol === 'walk-forward' ? plan.folds.length : 0 },
    evaluation: { dates: testDates, proba: testProba, label: Array.from(pair.labels.test) },
    backtest,
    pool: toJson(pair.candidates.map((m) => (m.ok
      ? { classifier: m.name, scope: m.scope, ok: true, metrics: finiteMetrics(m.test), ...(m.validation ? { validationMetrics: finiteMetrics(m.validation) } : {}), fitSeconds: m.fitSeconds }
      : { classifier: m.name, scope: m.scope, ok: false, error: m.error, fitSeconds: m.fitSeconds }))),
    gate: { passed: pair.gate.passed, reasons: pair.gate.reasons },
    championDecision: decision.reason,
    championComparison: toJson(decision.comparison),
    trainedOn: { from: final.trainedFrom, to: final.trainedThrough, rows: final.trainedRows },
  };
  throwIfAborted(opts.signal);
  // The one registry write: version + (maybe) alias move, atomically.
  const { version, promoted } = await store.registerVersion({
    modelName, symbol: data.symbol, trend: data.trend, sourceRunId: parentRunId, artifactId, tags,
    ...(decision.promote ? { promote: { alias: 'champion', reason: decision.reason, actor: opts.actor } } : {}),
  });
  return { registered: true, version: version.version, becameChampion: promoted, championReason: decision.reason, timings: { dataSeconds: 0, poolSeconds: 0, shapSeconds, registerSeconds: 0 } };
}
