/**
 * `signal-pool evaluate`: runs the deployment's protocol (walk-forward by default: the whole pool, selection,
 * calibration, gate) and registers nothing. It reads candles straight from the provider, writes nothing to the store,
 * and so runs beside a service that holds the store.
 *
 * Prints one row per (coin, trend) and the aggregate per trend. `--dev` evaluates on the window before TEST instead
 * (see src/pipeline/dev-holdout.ts): that is the mode to compare design choices with.
 */
import { TRENDS, isTrend, type Trend } from '../data/candle.ts';
import { workerTrainer, type Trainer } from '../pipeline/trainer.ts';
import { poolSettings, trainTrendPools, type Protocol } from '../pipeline/trend-pools.ts';
import { aggregateQuality, pairQuality, type PairQuality, type QualityAggregate } from '../pipeline/quality.ts';
import { devHoldout } from '../pipeline/dev-holdout.ts';
import { renderTable } from '../util/table.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';
import { createProgress } from './progress.ts';

export interface EvaluateCliOptions {
  trend?: string;
  symbols?: string;
  classifiers?: string;
  protocol?: string;
  json?: boolean;
  dev?: string | boolean;
}

export interface EvaluateResult {
  protocol: Protocol;
  /** 0: the real TEST windows; n: development windows n steps before TEST. */
  devSteps: number;
  seconds: number;
  pairs: PairQuality[];
  aggregate: Record<Trend, QualityAggregate>;
}

const TICKER = /^[A-Z0-9]{2,10}$/;

export function parseEvaluateSymbols(list: string | undefined, configured: readonly string[]): string[] {
  if (!list) return [...configured];
  const symbols = [...new Set(list.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean))];
  const bad = symbols.filter((s) => !TICKER.test(s));
  if (bad.length) throw new CliError(`Not a ticker: ${bad.join(', ')} (expected 2-10 letters or digits, e.g. BTC)`, 2);
  if (symbols.length === 0) throw new CliError('--symbols is empty', 2);
  return symbols;
}

/** The evaluation itself (also used by the quality benchmark). */
export async function runEvaluation(ctx: CliContext, opts: { trends: Trend[]; symbols: string[]; protocol: Protocol; classifiers?: string[]; devSteps: number; trainer?: Trainer; onProgress?: (done: number, total: number, label: string) => void }): Promise<EvaluateResult> {
  const started = performance.now();
  let pool;
  try {
    pool = poolSettings(ctx.config, opts.classifiers);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const provider = ctx.provider();
  const raw = (symbol: string) => provider.fetchDaily(symbol);
  // Each coin is read once for both trends.
  const cache = new Map<string, ReturnType<typeof raw>>();
  const read = (symbol: string) => {
    let p = cache.get(symbol);
    if (!p) cache.set(symbol, (p = raw(symbol)));
    return p;
  };
  const loadCandles = opts.devSteps > 0 ? devHoldout(read, ctx.config, opts.devSteps) : read;
  const trainer = opts.trainer ?? workerTrainer();
  const perTrend = opts.symbols.length * (pool.kinds.length + (opts.protocol === 'walk-forward' ? pool.globals.length : 0));
  const total = perTrend * opts.trends.length;
  let done = 0;
  const pairs: PairQuality[] = [];
  try {
    for (const trend of opts.trends) {
      const result = await trainTrendPools({ config: ctx.config, logger: ctx.logger, trainer, loadCandles, loadUniverseCandles: read }, {
        trend, symbols: opts.symbols, protocol: opts.protocol, seed: ctx.config.seed, pool,
        onCandidate: (symbol, c) => {
          if (c.scope !== 'ensemble') opts.onProgress?.(++done, total, `${trend} ${symbol} ${c.name}`);
        },
      });
      pairs.push(...result.pairs.map((p) => pairQuality(trend, p)));
    }
  } finally {
    if (!opts.trainer) await trainer.close();
  }
  const aggregate = Object.fromEntries(opts.trends.map((t) => [t, aggregateQuality(pairs.filter((p) => p.trend === t))])) as Record<Trend, QualityAggregate>;
  return { protocol: opts.protocol, devSteps: opts.devSteps, seconds: (performance.now() - started) / 1000, pairs, aggregate };
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(3));

export function renderEvaluation(r: EvaluateResult): string[] {
  const lines: string[] = [];
  const where = r.devSteps > 0 ? `development window ${r.devSteps} step(s) before TEST (no TEST data read)` : 'TEST window';
  lines.push(`Protocol ${r.protocol}; metrics on each pair's ${where}.`);
  lines.push(renderTable(
    ['symbol', 'trend', 'selected', 'val', 'acc', 'prec', 'pos_acc', 'neg_acc', 'overall', 'auc', 'brier', 'base', 'lift', 'gate'],
    r.pairs.map((p) => (p.ok
      ? [p.symbol, p.trend, p.selected!, f3(p.selectionScore), f3(p.accuracy), f3(p.precision), f3(p.positive_accuracy), f3(p.negative_accuracy),
        f3(p.overall), p.auc === null ? 'one class' : f3(p.auc), f3(p.brier), f3(p.base_rate), f3(p.lift), p.passes ? 'pass' : 'fail']
      : [p.symbol, p.trend, `FAILED: ${p.error}`, '', '', '', '', '', '', '', '', '', '', '']),
  )));
  lines.push('');
  lines.push(renderTable(
    ['trend', 'pairs', 'passing', 'mean overall', 'mean AUC', 'mean Brier', 'Brier before calibration', 'mean lift (passing)', 'min lift (passing)'],
    Object.entries(r.aggregate).map(([t, a]) => [
      t, `${a.pairs - a.failed}${a.failed ? ` (+${a.failed} failed)` : ''}`, String(a.passing), f3(a.meanOverall), `${f3(a.meanAuc)} (${a.aucPairs} pairs)`,
      f3(a.meanBrier), f3(a.meanBrierUncalibrated), f3(a.meanLiftPassing), f3(a.minLiftPassing),
    ]),
  ));
  lines.push(`${r.pairs.length} pair(s) in ${r.seconds.toFixed(1)} s`);
  return lines;
}

export async function evaluateCommand(ctx: CliContext, opts: EvaluateCliOptions, out: (line: string) => void): Promise<number> {
  if (opts.trend !== undefined && !isTrend(opts.trend)) throw new CliError(`Unknown trend "${opts.trend}". Use uptrend or downtrend.`, 2);
  const protocol = (opts.protocol ?? ctx.config.protocol) as Protocol;
  if (protocol !== 'seed' && protocol !== 'walk-forward') throw new CliError(`Unknown protocol "${opts.protocol}". Use seed or walk-forward.`, 2);
  const devSteps = opts.dev === undefined || opts.dev === false ? 0 : opts.dev === true ? 1 : Number(opts.dev);
  if (!Number.isInteger(devSteps) || devSteps < 0 || devSteps > 10) throw new CliError(`--dev takes a whole number of steps from 1 to 10, got "${opts.dev}"`, 2);
  if (devSteps > 0 && protocol !== 'walk-forward') throw new CliError('--dev needs the walk-forward protocol', 2);
  const bar = opts.json ? null : createProgress();
  let started = false;
  const result = await runEvaluation(ctx, {
    trends: opts.trend ? [opts.trend as Trend] : [...TRENDS],
    symbols: parseEvaluateSymbols(opts.symbols, ctx.config.symbols),
    protocol,
    classifiers: opts.classifiers?.split(','),
    devSteps,
    onProgress: (done, total, label) => {
      if (!started) { bar?.start(total, label); started = true; }
      bar?.update(done, label);
    },
  });
  bar?.stop();
  if (opts.json) out(JSON.stringify(result));
  else for (const line of renderEvaluation(result)) out(line);
  return result.pairs.some((p) => !p.ok) ? 1 : 0;
}

