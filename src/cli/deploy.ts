/**
 * `signal-pool deploy <trend>`: trains the pool for each symbol with a progress bar over (symbol, classifier), then
 * prints one summary line per symbol and a summary table. With --json every run and every summary is a JSON line.
 * The exit code is 1 when any symbol failed (a model that misses the gate is not a failure).
 */
import { isTrend } from '../data/candle.ts';
import { deployTrend, type Protocol } from '../pipeline/deploy.ts';
import { abandonStaleRuns } from '../store/run-leases.ts';
import { poolSettings } from '../pipeline/trend-pools.ts';
import type { SymbolDeploySummary } from '../app/services.ts';
import { renderTable } from '../util/table.ts';
import { createMarketData } from '../app/market-data.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';
import { createProgress } from './progress.ts';

export interface DeployCliOptions {
  symbols?: string;
  protocol?: string;
  classifiers?: string;
  seed?: string;
  json?: boolean;
  artifacts?: string;
}

const f3 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(3));

export function parseSymbols(list: string | undefined, known: readonly string[]): string[] {
  if (!list) return [...known];
  const symbols = list.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unknown = symbols.filter((s) => !known.includes(s));
  if (unknown.length) throw new CliError(`Unknown symbol${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. Known: ${known.join(', ')}`);
  return symbols;
}

export function summaryLine(s: SymbolDeploySummary): string {
  if (!s.ok) return `${s.symbol} ${s.trend}: FAILED: ${s.error}`;
  const m = s.testMetrics ?? {};
  const test = ['accuracy', 'precision', 'negative_accuracy', 'positive_accuracy', 'overall', 'auc', 'brier', 'base_rate', 'lift'].map((k) => `${k}=${f3(m[k])}`).join(' ');
  return `${s.symbol} ${s.trend}: selected ${s.selected} validation_overall=${f3(s.validationOverall)} TEST ${test} registered=${s.registered ? `yes (v${s.version})` : 'no'} champion=${s.becameChampion ? 'yes' : 'no'}${s.registered ? '' : ` [${s.gateReason}]`}`;
}

export async function deployCommand(ctx: CliContext, trend: string, opts: DeployCliOptions, out: (line: string) => void): Promise<number> {
  if (!isTrend(trend)) throw new CliError(`Unknown trend "${trend}". Use uptrend or downtrend.`, 2);
  const protocol = (opts.protocol ?? ctx.config.protocol) as Protocol;
  if (protocol !== 'seed' && protocol !== 'walk-forward') throw new CliError(`Unknown protocol "${opts.protocol}". Use seed or walk-forward.`, 2);
  const symbols = parseSymbols(opts.symbols, ctx.config.symbols);
  let pool;
  try {
    pool = poolSettings(ctx.config, opts.classifiers?.split(','));
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const seed = opts.seed === undefined ? ctx.config.seed : Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new CliError(`--seed must be a non-negative integer, got "${opts.seed}"`, 2);
  const store = await ctx.store();
  // Runs left RUNNING by a deployment that was killed are marked ABANDONED first (issue 19).
  const abandoned = await abandonStaleRuns(store, { onError: (err) => ctx.logger.warn(`could not check for abandoned runs: ${err.message}`) });
  if (abandoned.length > 0) ctx.logger.warn(`marked ${abandoned.length} run(s) ABANDONED: their process is gone`, { runs: abandoned.map((r) => r.id) });
  // Candles go through the candle cache like everywhere else: only new days are fetched and stored.
  const market = createMarketData({ provider: ctx.provider(), cache: store });
  const bar = opts.json ? null : createProgress();
  const summary = await deployTrend(
    { config: ctx.config, store, logger: ctx.logger, loadCandles: (s) => market.candles(s) },
    {
      trend, symbols, pool, protocol, seed, actor: `cli:${process.env.USER ?? 'user'}`,
      logArtifacts: opts.artifacts === 'selected' ? 'selected' : 'all',
      onProgress: (e) => {
        if (e.type === 'start') bar?.start(e.total, '');
        else if (e.type === 'classifier') bar?.update(e.done, `${e.symbol} ${e.classifier}`);
        else if (e.type === 'symbol') bar?.update(e.done, `${e.summary.symbol} done`);
      },
      onRun: opts.json ? (r) => out(JSON.stringify({ type: 'run', ...r, fit_seconds: r.fitSeconds })) : undefined,
    },
  );
  bar?.stop();
  for (const s of summary.symbols) out(opts.json ? JSON.stringify({ type: 'summary', ...s, line: summaryLine(s) }) : summaryLine(s));
  if (!opts.json) {
    out('');
    out(renderTable(
      ['symbol', 'best', 'overall', 'precision', 'pos_acc', 'neg_acc', 'accuracy', 'registered', 'champion'],
      summary.symbols.map((s) => [
        s.symbol, s.ok ? s.selected ?? '-' : `FAILED`, f3(s.testMetrics?.overall), f3(s.testMetrics?.precision), f3(s.testMetrics?.positive_accuracy),
        f3(s.testMetrics?.negative_accuracy), f3(s.testMetrics?.accuracy), s.registered ? `v${s.version}` : 'no', s.becameChampion ? 'yes' : 'no',
      ]),
    ));
    out(`${summary.symbols.length} symbol(s), ${trend}, protocol ${protocol}, ${summary.seconds.toFixed(1)} s`);
  }
  return summary.symbols.some((s) => !s.ok) ? 1 : 0;
}
