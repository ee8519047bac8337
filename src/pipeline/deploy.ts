/**
 * A deployment of one trend over symbols: for each (symbol, trend) build the dataset, split it, train the pool, log
 * every run, select, gate, explain (SHAP), backtest, and register a new version (moving the champion alias when the
 * new version beats the current one).
 *
 * Crash safety: runs are logged as the work goes, but the registry changes in exactly one store call,
 * `registerVersion` (version + alias move, atomic in both stores), issued last. A deployment that dies at any earlier
 * point leaves the registry and the champion exactly as they were; its parent run stays RUNNING or FAILED.
 */
import type { AppConfig } from '../../config/schema.ts';
import type { DeployProgress, DeploySummary, SymbolDeploySummary } from '../app/services.ts';
import type { Logger } from '../app/logger.ts';
import type { Candle, Trend } from '../data/candle.ts';
import { buildDataset, type Dataset } from '../data/dataset.ts';
import { SKLEARN_KINDS, type ClassifierKind } from '../models/classifier.ts';
import { sliceRows } from '../models/matrix.ts';
import { chunkRanges, mergeShapChunks, planShapFor, summarizeShap } from '../explain/explain.ts';
import { backtestSignals } from '../../reports/backtest.ts';
import { registeredModelName, type JsonValue, type Store, type VersionTags } from '../store/ports.ts';
import { loadModel, saveMemberModel } from './artifacts.ts';
import { checkGate, decideChampion } from './gate.ts';
import { evaluate, finiteMetrics } from './metrics.ts';
import { selectBest, type MakeClassifier, type Member, type MemberResult } from './pool.ts';
import { inProcessTrainer, workerTrainer, type Trainer } from './trainer.ts';
import { seedSplit, walkForwardSplit, type SplitPlan } from './split.ts';

export type Protocol = 'seed' | 'walk-forward';

/** The default pool: all ten kinds. */
export const DEFAULT_POOL: readonly ClassifierKind[] = [
  'RandomForest', 'SupportVectorMachine', 'XGBoost', 'HistGradientBoosting', 'AdaBoost', 'Ridge', 'KNeighbors', 'MLP', 'LightGBM', 'NeuralNet',
];
export { SKLEARN_KINDS };

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

export interface DeployOptions {
  trend: Trend;
  symbols: string[];
  classifiers: ClassifierKind[];
  protocol: Protocol;
  seed: number;
  actor: string;
  /** Log an artifact for every child run ('all') or only for the registered model ('selected'). */
  logArtifacts?: 'all' | 'selected';
  onProgress?: (event: DeployProgress) => void;
  /** Called once per finished child run, e.g. for the CLI's --json lines. */
  onRun?: (run: { symbol: string; trend: Trend; classifier: string; ok: boolean; error?: string; metrics: Record<string, number>; validation: Record<string, number> | null; fitSeconds: number }) => void;
  signal?: AbortSignal;
}

function planFor(protocol: Protocol, n: number, config: AppConfig): SplitPlan {
  return protocol === 'seed'
    ? seedSplit(n, config.splitFraction)
    : walkForwardSplit(n, { folds: config.walkForward.folds, testFraction: config.walkForward.testFraction, window: config.predictionWindow });
}

const prefixed = (prefix: string, m: Record<string, number>) => Object.fromEntries(Object.entries(finiteMetrics(m)).map(([k, v]) => [`${prefix}${k}`, v]));

/** Plain JSON copy (drops undefined, typed arrays become objects: callers pass plain arrays). */
const toJson = (x: unknown): JsonValue => JSON.parse(JSON.stringify(x)) as JsonValue;

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('deployment aborted');
}

export async function deploySymbol(deps: DeployDeps & { trainer: Trainer }, symbol: string, opts: DeployOptions, progress: { done: number; total: number }): Promise<SymbolDeploySummary> {
  const { config, store, logger } = deps;
  const trend = opts.trend;
  const log = logger.child({ symbol, trend });
  const targetPct = config.targetPct[trend];
  const parent = await store.createRun({
    experiment: `deploy/${trend}`, name: `${symbol}_${trend}`, symbol, trend,
    params: { protocol: opts.protocol, seed: opts.seed, window: config.predictionWindow, target_pct: targetPct, indicator_period: config.indicatorPeriod, classifiers: opts.classifiers.join(',') },
    tags: { actor: opts.actor },
  });
  const timings = { dataSeconds: 0, poolSeconds: 0, shapSeconds: 0, registerSeconds: 0 };
  let mark = performance.now();
  const lap = () => { const t = performance.now(); const dt = (t - mark) / 1000; mark = t; return dt; };
  try {
    const candles = await deps.loadCandles(symbol);
    const data = buildDataset(symbol, candles, { trend, window: config.predictionWindow, targetPct, period: config.indicatorPeriod });
    const plan = planFor(opts.protocol, data.y.length, config);
    const testWindow = `${data.dates[plan.test.start]}..${data.dates[plan.test.end - 1]}`;
    await store.updateRun(parent.id, {
      params: { n_labeled: data.y.length, n_test: plan.test.end - plan.test.start, folds: plan.protocol === 'walk-forward' ? plan.folds.length : 0, dropped_rows: data.dropped },
      tags: { data_from: data.range.from, data_to: data.range.to, test_window: testWindow },
    });

    timings.dataSeconds = lap();
    throwIfAborted(opts.signal);
    // Every kind trains concurrently on the trainer; each run is logged as soon as its kind completes. Selection
    // reads `members` in pool order, so the outcome does not depend on completion order.
    // Submitted slowest first (longest-processing-time order), so the pool does not end with one worker busy on a
    // long fit while the other idles.
    const bySlowest = [...opts.classifiers].sort((a, b) => deps.trainer.expectedSeconds(b) - deps.trainer.expectedSeconds(a));
    const training = new Map(bySlowest.map((kind) => [kind, deps.trainer.train(kind, data, plan, opts.seed)]));
    let logging = Promise.resolve();
    const members: Member[] = await Promise.all(opts.classifiers.map(async (kind) => {
      const member = await training.get(kind)!;
      logging = logging.then(async () => {
        await logChildRun(deps, opts, parent.id, symbol, member, data);
        progress.done++;
        opts.onProgress?.({ type: 'classifier', symbol, classifier: kind, done: progress.done, total: progress.total, ok: member.ok, seconds: member.fitSeconds });
      });
      return member;
    }));
    await logging;
    throwIfAborted(opts.signal);

    timings.poolSeconds = lap();
    const best = selectBest(members);
    if (!best) throw new Error(`every classifier failed: ${members.map((m) => `${m.kind}: ${m.ok ? 'ok' : m.error}`).join('; ')}`);
    const gate = checkGate(best.test, config.gate);
    const summary: SymbolDeploySummary = {
      symbol, trend, ok: true, selected: best.kind, validationOverall: best.validation?.overall,
      testMetrics: finiteMetrics(best.test), registered: false, becameChampion: false, gateReason: gate.reasons.join('; '), timings,
    };
    log.info(`selected ${best.kind}`, { test_overall: best.test.overall, gate: gate.passed });

    if (gate.passed) {
      const registered = await registerSelected(deps, opts, { parentRunId: parent.id, data, plan, best, members, gate, testWindow }, timings);
      Object.assign(summary, registered);
      timings.registerSeconds = lap() - timings.shapSeconds;
    }
    await store.updateRun(parent.id, {
      metrics: prefixed('test_', best.test),
      tags: { selected: best.kind, gate: gate.reasons.join('; '), registered: summary.registered, version: summary.version ?? null, champion: summary.becameChampion },
    });
    await store.endRun(parent.id, 'FINISHED');
    return summary;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error('deployment failed', { error: message });
    await store.endRun(parent.id, 'FAILED', message).catch(() => undefined);
    return { symbol, trend, ok: false, error: message, registered: false, becameChampion: false };
  }
}

async function logChildRun(deps: DeployDeps, opts: DeployOptions, parentRunId: string, symbol: string, member: Member, data: Dataset): Promise<void> {
  const { store } = deps;
  const run = await store.createRun({
    experiment: `deploy/${opts.trend}`, parentRunId, name: member.kind, symbol, trend: opts.trend,
    params: member.ok ? { ...member.params, seed: opts.seed } : { seed: opts.seed },
    tags: { classifier: member.kind },
  });
  if (!member.ok) {
    await store.updateRun(run.id, { metrics: { fit_seconds: member.fitSeconds } });
    await store.endRun(run.id, 'FAILED', member.error);
    opts.onRun?.({ symbol, trend: opts.trend, classifier: member.kind, ok: false, error: member.error, metrics: {}, validation: null, fitSeconds: member.fitSeconds });
    return;
  }
  const artifactId = (opts.logArtifacts ?? 'all') === 'all' ? await saveMemberModel(store, member, data.featureNames) : null;
  await store.updateRun(run.id, {
    metrics: { ...prefixed('test_', member.test), ...(member.validation ? prefixed('val_', member.validation) : {}), fit_seconds: member.fitSeconds },
    artifactId,
  });
  await store.endRun(run.id, 'FINISHED');
  opts.onRun?.({ symbol, trend: opts.trend, classifier: member.kind, ok: true, metrics: finiteMetrics(member.test), validation: member.validation ? finiteMetrics(member.validation) : null, fitSeconds: member.fitSeconds });
}

interface Selected {
  parentRunId: string;
  data: Dataset;
  plan: SplitPlan;
  best: MemberResult;
  members: Member[];
  gate: { passed: boolean; reasons: string[] };
  testWindow: string;
}

async function registerSelected(deps: DeployDeps & { trainer: Trainer }, opts: DeployOptions, s: Selected, timings: { shapSeconds: number }): Promise<Partial<SymbolDeploySummary>> {
  const { config, store } = deps;
  const { data, plan, best } = s;
  const modelName = registeredModelName(data.symbol, data.trend);

  // The seed registers the model it scored; walk-forward refits the selected kind on every labeled row.
  // `final` is only read for what the trainer returned with it (params, SHAP method, encoded artifact): its model
  // object is loaded in the SHAP workers, not here.
  let final: MemberResult = best;
  let trainEnd = plan.protocol === 'seed' ? plan.train.end : plan.finalTrain.end;
  if (plan.protocol === 'walk-forward') {
    const refit = await deps.trainer.train(best.kind, data, { protocol: 'seed', train: { start: 0, end: data.y.length }, test: plan.test }, opts.seed);
    if (!refit.ok) throw new Error(`refit of ${best.kind} on all rows failed: ${refit.error}`);
    final = refit;
    trainEnd = data.y.length;
  }
  throwIfAborted(opts.signal);

  const Xtest = sliceRows(data.X, plan.test.start, plan.test.end);
  const shapStarted = performance.now();
  // The explained rows are split over the trainer's workers; the chunks merge into the single-threaded values.
  const shapPlan = planShapFor(final.kind, final.shapMethod, Xtest, sliceRows(data.X, 0, trainEnd), { seed: opts.seed });
  const chunks = await Promise.all(
    chunkRanges(shapPlan.rows.nRows, deps.trainer.parallelism).map(([start, end]) => deps.trainer.explain(final, shapPlan, start, end)),
  );
  const shap = mergeShapChunks(shapPlan, chunks);
  const { mean, meanAbs } = summarizeShap(shap, data.featureNames);
  timings.shapSeconds = (performance.now() - shapStarted) / 1000;

  const testDates = data.dates.slice(plan.test.start, plan.test.end);
  let backtest: JsonValue = null;
  try {
    const closeByDate = new Map<string, number>();
    for (const c of await deps.loadCandles(data.symbol)) closeByDate.set(c.date, c.close);
    const result = backtestSignals({
      dates: testDates, close: testDates.map((d) => closeByDate.get(d)!), proba: Array.from(s.best.testProba),
      threshold: config.signalThreshold, trend: data.trend, window: config.predictionWindow,
      feePct: config.backtest.feePct, allowShort: config.backtest.allowShort,
    });
    backtest = toJson(result);
  } catch (err) {
    backtest = { error: err instanceof Error ? err.message : String(err) };
  }

  // Champion rule: the challenger must beat the current champion on the same test window.
  const current = await store.getAlias(modelName, 'champion');
  let championScore: { version: number; overall: number } | null = null;
  if (current) {
    try {
      const champ = await loadModel(store, current.artifactId, data.featureNames);
      const m = evaluate(data.y.subarray(plan.test.start, plan.test.end), champ.predict(Xtest), champ.predictProba(Xtest));
      championScore = { version: current.version, overall: m.overall };
    } catch (err) {
      championScore = null;
      deps.logger.warn('current champion could not be scored; the challenger replaces it', { modelName, error: (err as Error).message });
    }
  }
  const decision = decideChampion(best.test.overall, championScore, config.championMargin, s.testWindow);

  const artifactId = await saveMemberModel(store, final, data.featureNames);
  const tags: VersionTags = {
    classifier: best.kind,
    metrics: finiteMetrics(best.test),
    ...(best.validation ? { validationMetrics: finiteMetrics(best.validation) } : {}),
    featureNames: [...data.featureNames],
    shapImportance: mean,
    shapMeanAbs: meanAbs,
    shapMethod: shap.method,
    shapOutputSpace: shap.outputSpace,
    targetPct: config.targetPct[data.trend],
    window: config.predictionWindow,
    dataRange: { from: data.range.from, to: data.range.to },
    trainedThrough: data.dates[trainEnd - 1]!,
    protocol: plan.protocol,
    testWindow: s.testWindow,
    seed: opts.seed,
    params: { ...final.params },
    evaluation: { dates: testDates, proba: Array.from(best.testProba), label: Array.from(data.y.subarray(plan.test.start, plan.test.end)) },
    backtest,
    pool: toJson(s.members.map((m) => (m.ok
      ? { classifier: m.kind, ok: true, metrics: finiteMetrics(m.test), ...(m.validation ? { validationMetrics: finiteMetrics(m.validation) } : {}), fitSeconds: m.fitSeconds }
      : { classifier: m.kind, ok: false, error: m.error, fitSeconds: m.fitSeconds }))),
    gate: { passed: s.gate.passed, reasons: s.gate.reasons },
    championDecision: decision.reason,
  };
  throwIfAborted(opts.signal);
  // The one registry write: version + (maybe) alias move, atomically.
  const { version, promoted } = await store.registerVersion({
    modelName, symbol: data.symbol, trend: data.trend, sourceRunId: s.parentRunId, artifactId, tags,
    ...(decision.promote ? { promote: { alias: 'champion', reason: decision.reason, actor: opts.actor } } : {}),
  });
  return { registered: true, version: version.version, becameChampion: promoted, championReason: decision.reason };
}

export async function deployTrend(deps: DeployDeps, opts: DeployOptions): Promise<DeploySummary> {
  const startedAt = (deps.now ?? (() => new Date()))();
  const t0 = performance.now();
  const total = opts.symbols.length * opts.classifiers.length;
  opts.onProgress?.({ type: 'start', trend: opts.trend, symbols: opts.symbols, classifiers: opts.classifiers, total });
  const progress = { done: 0, total };
  const results: SymbolDeploySummary[] = [];
  const trainer = deps.trainer ?? (deps.makeClassifier ? inProcessTrainer(deps.makeClassifier) : workerTrainer());
  try {
    for (const [i, symbol] of opts.symbols.entries()) {
      if (opts.signal?.aborted) break;
      const summary = await deploySymbol({ ...deps, trainer }, symbol, opts, progress);
      progress.done = (i + 1) * opts.classifiers.length; // keep the bar exact when a symbol failed early
      results.push(summary);
      opts.onProgress?.({ type: 'symbol', summary, done: progress.done, total });
    }
  } finally {
    if (!deps.trainer) await trainer.close();
  }
  return { trend: opts.trend, protocol: opts.protocol, startedAt, seconds: (performance.now() - t0) / 1000, symbols: results };
}
