/**
 * The pools of one trend, for a set of coins: everything a deployment does before it registers anything, and all that
 * `signal-pool evaluate` does. No store is touched here.
 *
 * 1. Each coin's dataset (the seed's 19 features) and its split plan (walk-forward or the seed's).
 * 2. The per-coin kinds train on every coin (worker threads), and the global kinds train on the pooled rows of the
 *    universe (configured coins plus the deployed ones) and are scored on each coin's own windows (global-bank.ts).
 * 3. Per coin: the ensemble candidate, the selection (shrunk toward each candidate's mean over all coins), Platt
 *    calibration of the selected candidate on its validation predictions, and the gate on its TEST metrics.
 *
 * The seed protocol keeps the seed's pipeline exactly: per-coin kinds only, selection by TEST overall, no calibration.
 */
import type { AppConfig } from '../../config/schema.ts';
import type { EvaluationMetrics } from '../app/services.ts';
import type { Logger } from '../app/logger.ts';
import type { Candle, Trend } from '../data/candle.ts';
import { buildDataset, type Dataset } from '../data/dataset.ts';
import { MARKET_REFERENCE } from '../data/market-context.ts';
import { POOLED_FEATURE_NAMES } from '../data/pooled-features.ts';
import { buildPooledUniverse, type PooledUniverse } from '../data/pooled-dataset.ts';
import type { ClassifierKind } from '../models/classifier.ts';
import { fitPlatt, applyPlatt, type PlattScaling } from '../models/calibration.ts';
import {
  ensembleCandidate, fromMember, globalCandidate, outOfFold, selectCandidate, selectionPriors, selectionScore,
  type AnyCandidate, type Candidate, type PairLabels, type PriorObservation, type SelectionRule,
} from './candidates.ts';
import { GlobalBank, globalName, globalSpec, type GlobalFitInfo, type GlobalSpec } from './global-bank.ts';
import { parseClassifierKinds } from '../models/registry.ts';
import { checkGate, type GateResult } from './gate.ts';
import { evaluate } from './metrics.ts';
import type { Trainer } from './trainer.ts';
import { twinFitsOf, twinMember } from './twin-fits.ts';
import { seedSplit, testOnlySplit, walkForwardSplit, type SplitPlan } from './split.ts';

export type Protocol = 'seed' | 'walk-forward';

export interface PoolSettings {
  /** Per-coin classifier kinds. */
  kinds: readonly ClassifierKind[];
  /** Global kinds (walk-forward only). */
  globals: readonly GlobalSpec[];
  /** Members of the ensemble candidate; below 2: no ensemble. */
  ensembleTopK: number;
  /** λ of the shrunk selection score. */
  selectionWeight: number;
  calibration: 'platt' | 'none';
  globalGridDays: number;
  /**
   * Skip a per-coin fit that provably repeats another kind's (LightGBM / HistGradientBoosting with identical bins;
   * twin-fits.ts). Off when a test injects its own classifiers, whose params the check cannot see.
   */
  skipTwinFits: boolean;
}

export interface TrendPoolsOptions {
  trend: Trend;
  symbols: readonly string[];
  protocol: Protocol;
  seed: number;
  pool: PoolSettings;
  /** Called as each candidate of each coin completes (per-coin kinds and global kinds), e.g. to log a run. */
  onCandidate?: (symbol: string, candidate: AnyCandidate) => void | Promise<void>;
  onGlobalFit?: (info: GlobalFitInfo) => void;
  /** Validation scores of coins outside this run (stored runs), added to the selection priors. */
  priorObservations?: readonly PriorObservation[];
  signal?: AbortSignal;
}

export interface TrendPoolsDeps {
  config: AppConfig;
  logger: Logger;
  trainer: Trainer;
  loadCandles(symbol: string): Promise<Candle[]>;
  /**
   * Candles of the universe for the pooled features and the market context; defaults to loadCandles. A development
   * evaluation cuts each coin's own candles before its TEST window but keeps the other coins' prices as context: their
   * labels inside their TEST windows still never train anything (see global-bank.ts).
   */
  loadUniverseCandles?(symbol: string): Promise<Candle[]>;
}

export interface PairPlan {
  symbol: string;
  candles: Candle[];
  data: Dataset;
  plan: SplitPlan;
  labels: PairLabels;
  testWindow: string;
}

export interface PairEvaluation extends PairPlan {
  ok: true;
  candidates: AnyCandidate[];
  selected: Candidate;
  selectionScore: number;
  calibration: PlattScaling | null;
  /** TEST metrics of the selected candidate: decisions of its own score, probabilities calibrated. */
  test: EvaluationMetrics;
  /** The calibrated TEST probabilities (the served kind of probability). */
  testProba: Float64Array;
  /** Brier score on TEST before calibration. */
  brierUncalibrated: number;
  gate: GateResult;
}

export interface PairFailure {
  symbol: string;
  ok: false;
  error: string;
  /** Set when the failure came after the plan was made (e.g. every candidate failed). */
  pair?: PairPlan;
  candidates?: AnyCandidate[];
}

export type PairOutcome = PairEvaluation | PairFailure;

export interface TrendPoolsResult {
  trend: Trend;
  protocol: Protocol;
  pairs: PairOutcome[];
  /** The pooled data and global models (walk-forward with global kinds): registration refits from here. */
  global: { universe: PooledUniverse; bank: GlobalBank; symbols: string[] } | null;
  rule: SelectionRule;
}

export function planFor(protocol: Protocol, n: number, config: AppConfig, opts: { allowTestOnly?: boolean } = {}): SplitPlan {
  if (protocol === 'seed') return seedSplit(n, config.splitFraction);
  const wf = { folds: config.walkForward.folds, testFraction: config.walkForward.testFraction, window: config.predictionWindow };
  try {
    return walkForwardSplit(n, wf);
  } catch (err) {
    if (!opts.allowTestOnly) throw err;
    return testOnlySplit(n, wf);
  }
}

/** A walk-forward pair without validation folds: its coin has too little history for models of its own. */
export const isShortHistory = (plan: SplitPlan) => plan.protocol === 'walk-forward' && plan.folds.length === 0;

function labelsOf(data: Dataset, plan: SplitPlan): PairLabels {
  const folds = plan.protocol === 'walk-forward' ? plan.folds.map((f) => data.y.slice(f.valid.start, f.valid.end)) : [];
  return { folds, test: data.y.slice(plan.test.start, plan.test.end) };
}

function datasetOptions(config: AppConfig, trend: Trend) {
  return { trend, window: config.predictionWindow, targetPct: config.targetPct[trend], period: config.indicatorPeriod };
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('deployment aborted');
}

/** Candles, dataset and split of one coin; throws a one-line message when the coin cannot be planned. */
export async function planPair(deps: TrendPoolsDeps, symbol: string, trend: Trend, protocol: Protocol, opts: { allowTestOnly?: boolean } = {}): Promise<PairPlan> {
  const candles = await deps.loadCandles(symbol);
  const data = buildDataset(symbol, candles, datasetOptions(deps.config, trend));
  const plan = planFor(protocol, data.y.length, deps.config, opts);
  return { symbol, candles, data, plan, labels: labelsOf(data, plan), testWindow: `${data.dates[plan.test.start]}..${data.dates[plan.test.end - 1]}` };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function trainTrendPools(deps: TrendPoolsDeps, opts: TrendPoolsOptions): Promise<TrendPoolsResult> {
  const { config, logger, trainer } = deps;
  const walkForward = opts.protocol === 'walk-forward';
  const pool = opts.pool;

  // 1. Plans. With global kinds in the pool, a coin too short for walk-forward still gets a TEST window: the global
  // models can give it a signal.
  const allowTestOnly = walkForward && pool.globals.length > 0;
  const planned = await Promise.all(opts.symbols.map(async (symbol) => {
    try {
      return await planPair(deps, symbol, opts.trend, opts.protocol, { allowTestOnly });
    } catch (err) {
      return { symbol, ok: false as const, error: errorText(err) };
    }
  }));
  const pairs = planned.filter((p): p is PairPlan => 'plan' in p);
  throwIfAborted(opts.signal);

  // 2a. Per-coin kinds, slowest first over the whole deployment.
  const candidatesOf = new Map<string, AnyCandidate[]>(pairs.map((p) => [p.symbol, []]));
  let reporting = Promise.resolve();
  const report = (symbol: string, c: AnyCandidate) => {
    candidatesOf.get(symbol)!.push(c);
    reporting = reporting.then(() => opts.onCandidate?.(symbol, c));
  };
  const bySlowest = [...pool.kinds].sort((a, b) => trainer.expectedSeconds(b) - trainer.expectedSeconds(a));
  const coinJobs = pairs.flatMap((p) => {
    // A kind whose fit would repeat another's is not trained; it is reported when its twin's fit completes.
    const twins = pool.skipTwinFits && !isShortHistory(p.plan) ? twinFitsOf(pool.kinds, p.data, p.plan) : new Map<ClassifierKind, ClassifierKind>();
    return bySlowest.filter((kind) => !twins.has(kind)).map(async (kind) => {
      if (isShortHistory(p.plan)) {
        report(p.symbol, { ok: false, name: kind, scope: 'coin', fitSeconds: 0, error: `too little history of its own (${p.data.y.length} labelled rows) for walk-forward: only the global models are candidates` });
        return;
      }
      const member = await trainer.train(kind, p.data, p.plan, opts.seed);
      report(p.symbol, fromMember(member, walkForward));
      for (const [twin, source] of twins) {
        if (source === kind) report(p.symbol, fromMember(twinMember(member, twin, p.data), walkForward));
      }
    });
  });

  // 2b. Global kinds on the pooled universe.
  let global: TrendPoolsResult['global'] = null;
  const globalJobs: Promise<void>[] = [];
  if (walkForward && pool.globals.length > 0 && pairs.length > 0) {
    const built = await buildUniverse(deps, opts, pairs);
    global = built;
    for (const spec of pool.globals) globalJobs.push(scoreGlobal(built.bank, spec, pairs, report));
  }
  await Promise.all([...coinJobs, ...globalJobs]);
  await reporting;
  throwIfAborted(opts.signal);

  // 3. Ensembles, selection, calibration, gate.
  const earlier = opts.priorObservations ?? [];
  if (walkForward && pairs.length < 5 && earlier.length === 0) {
    logger.warn(`selection: only ${pairs.length} pair(s) and no earlier runs to learn from; each pair picks by its own validation scores, which is less reliable (deploy or evaluate more coins together)`);
  }
  const baseRule: SelectionRule = { lambda: walkForward ? pool.selectionWeight : 1, priors: selectionPriors([...candidatesOf.values()], earlier) };
  if (walkForward && pool.ensembleTopK >= 2) {
    for (const p of pairs.filter((q) => !isShortHistory(q.plan))) {
      const ens = ensembleCandidate(candidatesOf.get(p.symbol)!, pool.ensembleTopK, baseRule, p.labels);
      if (ens) report(p.symbol, ens);
    }
    await reporting;
  }
  const rule: SelectionRule = { lambda: baseRule.lambda, priors: selectionPriors([...candidatesOf.values()], earlier) };
  const outcomes: PairOutcome[] = planned.map((p) => {
    if (!('plan' in p)) return p;
    // Candidates in a fixed order (kinds, globals, ensemble), whatever order they finished in.
    const order = [...pool.kinds, ...pool.globals.map((g) => globalName(g.kind))];
    const candidates = [...candidatesOf.get(p.symbol)!].sort((a, b) => rank(order, a) - rank(order, b));
    const selected = selectCandidate(candidates, rule);
    if (!selected && isShortHistory(p.plan)) {
      return { symbol: p.symbol, ok: false, error: `too little history of its own (${p.data.y.length} labelled rows) for walk-forward, and no other pair's validation scores to choose a global model by: deploy it together with other coins`, pair: p, candidates };
    }
    if (!selected) {
      return { symbol: p.symbol, ok: false, error: `every candidate failed: ${candidates.map((c) => `${c.name}: ${c.ok ? 'no validation score' : c.error}`).join('; ')}`, pair: p, candidates };
    }
    return evaluateSelected(p, candidates, selected, selectionScore(selected, rule), walkForward && pool.calibration === 'platt', config);
  });
  logger.debug('trend pools evaluated', { trend: opts.trend, pairs: outcomes.length });
  return { trend: opts.trend, protocol: opts.protocol, pairs: outcomes, global, rule };
}

const rank = (order: readonly string[], c: AnyCandidate) => {
  const i = order.indexOf(c.name);
  return i < 0 ? order.length : i;
};

function evaluateSelected(p: PairPlan, candidates: AnyCandidate[], selected: Candidate, score: number, calibrate: boolean, config: AppConfig): PairEvaluation {
  const oof = outOfFold(selected, p.labels);
  const calibration = calibrate ? fitPlatt(oof.proba, oof.labels) : null;
  const testProba = calibration ? selected.testProba.map((s) => applyPlatt(calibration, s)) : selected.testProba;
  // Decisions stay the candidate's own (score > 0.5): calibration changes the probability a user reads, not the signal.
  const decisions = Uint8Array.from(selected.testProba, (s) => (s > 0.5 ? 1 : 0));
  const test = calibration ? evaluate(p.labels.test, decisions, testProba) : selected.test;
  return {
    ...p, ok: true, candidates, selected, selectionScore: score, calibration, test, testProba,
    brierUncalibrated: selected.test.brier, gate: checkGate(test, config.gate),
  };
}

async function buildUniverse(deps: TrendPoolsDeps, opts: TrendPoolsOptions, pairs: PairPlan[]): Promise<NonNullable<TrendPoolsResult['global']>> {
  const { config, logger } = deps;
  const loadUniverse = deps.loadUniverseCandles ?? deps.loadCandles;
  const candles = new Map<string, readonly Candle[]>();
  const limits = new Map<string, string>(pairs.map((p) => [p.symbol, p.data.dates[p.plan.test.start]!]));
  const extra = [...new Set([...config.symbols])].filter((s) => !limits.has(s));
  await Promise.all([
    ...pairs.map(async (p) => { candles.set(p.symbol, deps.loadUniverseCandles ? await deps.loadUniverseCandles(p.symbol) : p.candles); }),
    ...extra.map(async (symbol) => {
      try {
        const other = await planPair(deps, symbol, opts.trend, opts.protocol, { allowTestOnly: true });
        candles.set(symbol, deps.loadUniverseCandles ? await deps.loadUniverseCandles(symbol) : other.candles);
        limits.set(symbol, other.data.dates[other.plan.test.start]!);
      } catch (err) {
        logger.warn(`global models: ${symbol} left out of the pooled data`, { error: errorText(err) });
      }
    }),
  ]);
  let reference: readonly Candle[] | null = candles.get(MARKET_REFERENCE) ?? null;
  if (!reference) {
    try {
      reference = await loadUniverse(MARKET_REFERENCE);
    } catch (err) {
      logger.warn(`global models: no ${MARKET_REFERENCE} candles (${errorText(err)}); the market context uses an equal-weight index of the coins instead`);
    }
  }
  const universe = buildPooledUniverse(candles, { ...datasetOptions(config, opts.trend), reference });
  const bank = new GlobalBank(universe, deps.trainer, {
    gridDays: opts.pool.globalGridDays, seed: opts.seed, evaluationLimit: limits, featureNames: POOLED_FEATURE_NAMES, onFit: opts.onGlobalFit,
  });
  return { universe, bank, symbols: [...candles.keys()] };
}

async function scoreGlobal(bank: GlobalBank, spec: GlobalSpec, pairs: PairPlan[], report: (symbol: string, c: AnyCandidate) => void): Promise<void> {
  const name = globalName(spec.kind);
  const started = performance.now();
  // Every pair's folds and TEST window, in one list: windows that share a grid date share one model.
  const queries = pairs.flatMap((p) => {
    const ranges = [...(p.plan.protocol === 'walk-forward' ? p.plan.folds.map((f) => f.valid) : []), p.plan.test];
    return ranges.map((r) => ({ symbol: p.symbol, start: p.data.dates[r.start]!, dates: p.data.dates.slice(r.start, r.end) }));
  });
  let scores: (Float64Array | null)[];
  try {
    scores = await bank.scoreWindows(spec, queries);
  } catch (err) {
    for (const p of pairs) report(p.symbol, { ok: false, name, scope: 'global', error: errorText(err), fitSeconds: 0 });
    return;
  }
  const seconds = (performance.now() - started) / 1000 / Math.max(1, pairs.length);
  let at = 0;
  for (const p of pairs) {
    const nFolds = p.plan.protocol === 'walk-forward' ? p.plan.folds.length : 0;
    const folds = scores.slice(at, at + nFolds);
    const test = scores[at + nFolds] ?? null;
    at += nFolds + 1;
    report(p.symbol, globalCandidate(name, spec, folds, test, p.labels, seconds));
  }
}


/**
 * The pool settings of the configuration, optionally narrowed to a list of candidate names: per-coin kinds
 * (case-insensitive, with the CLI's short aliases) and `global:<Kind>` names. Throws on an unknown name.
 */
export function poolSettings(config: AppConfig, names?: readonly string[]): PoolSettings {
  const base: PoolSettings = {
    kinds: config.pool.kinds, globals: config.pool.globalKinds.map(globalSpec), ensembleTopK: config.pool.ensembleTopK,
    selectionWeight: config.pool.selectionWeight, calibration: config.pool.calibration, globalGridDays: config.pool.globalGridDays,
    skipTwinFits: true,
  };
  if (!names || names.length === 0) return base;
  const global = names.filter((n) => /^global:/i.test(n.trim()));
  const coin = names.filter((n) => n.trim() && !/^global:/i.test(n.trim()));
  return {
    ...base,
    kinds: coin.length ? parseClassifierKinds(coin) : [],
    globals: parseClassifierKinds(global.map((n) => n.trim().slice('global:'.length))).map(globalSpec),
  };
}
