/** `signal-pool predict <trend>` and `signal-pool outcomes`: batch predictions and live outcome figures. */
import { isTrend, TRENDS, type Trend } from '../data/candle.ts';
import { renderTable } from '../util/table.ts';
import type { CliContext } from './context.ts';
import { parseSymbols } from './deploy.ts';
import { CliError } from './errors.ts';

const f3 = (x: number | undefined | null) => (x === undefined || x === null || !Number.isFinite(x) ? '-' : x.toFixed(3));

export async function predictCommand(ctx: CliContext, trend: string, opts: { symbols?: string; json?: boolean }, out: (line: string) => void): Promise<number> {
  if (!isTrend(trend)) throw new CliError(`Unknown trend "${trend}". Use uptrend or downtrend.`, 2);
  const symbols = opts.symbols ? parseSymbols(opts.symbols, ctx.config.symbols) : undefined;
  const services = await ctx.services();
  const result = await services.batchPredict(trend, symbols);
  if (opts.json) {
    for (const p of result.predictions) out(JSON.stringify({ symbol: p.symbol, trend: p.trend, probability: p.probability, signal: p.signal, abstain: p.abstain, threshold: p.threshold, scope: p.scope, version: p.version, classifier: p.classifier, as_of: p.asOf }));
    for (const f of result.failures) out(JSON.stringify({ symbol: f.symbol, trend, error: f.error }));
  } else {
    if (result.predictions.length === 0 && result.failures.length === 0) out(`No deployed ${trend} models. Run: signal-pool deploy ${trend}`);
    if (result.predictions.length) {
      out(renderTable(
        ['symbol', 'probability', 'threshold', 'signal', 'version', 'classifier', 'as of'],
        result.predictions.map((p) => [p.symbol, p.probability.toFixed(3), p.threshold.toFixed(3), p.abstain ? 'unclear' : p.signal ? 'YES' : 'no', `v${p.version}`, p.classifier, p.asOf]),
        { align: ['left', 'right', 'right', 'left', 'right', 'left', 'left'] },
      ));
      out(`signal = probability >= the model's threshold (calibrated models have their own)${ctx.config.abstainBand > 0 ? `; unclear = within ${ctx.config.abstainBand} of it (abstain band)` : ''}`);
    }
    for (const f of result.failures) out(`${f.symbol}: ${f.error}`);
  }
  return result.failures.length ? 1 : 0;
}

export async function outcomesCommand(ctx: CliContext, opts: { trend?: string; json?: boolean }, out: (line: string) => void): Promise<number> {
  if (opts.trend !== undefined && !isTrend(opts.trend)) throw new CliError(`Unknown trend "${opts.trend}". Use uptrend or downtrend.`, 2);
  const services = await ctx.services();
  // Refresh candles first so outcomes whose window has just passed are resolved.
  for (const s of ctx.config.symbols) {
    await services.market.candles(s).catch((err: unknown) => {
      process.stderr.write(`warning: ${s}: candles not refreshed (${err instanceof Error ? err.message : String(err)}); outcomes use the cached ones\n`);
    });
  }
  const resolved = await services.resolveOutcomes();
  const trends: Trend[] = opts.trend ? [opts.trend as Trend] : [...TRENDS];
  const rows: string[][] = [];
  const json: unknown[] = [];
  for (const trend of trends) {
    for (const m of await services.listChampions(trend)) {
      const versions = await services.store.listVersions(m.modelName);
      for (const v of versions) {
        const live = await services.liveStats(v.modelName, v.version);
        const t = v.tags.metrics;
        json.push({ symbol: v.symbol, trend, version: v.version, champion: v.version === m.version, classifier: v.tags.classifier, test: t, live });
        rows.push([
          v.symbol, trend, `v${v.version}${v.version === m.version ? '*' : ''}`, v.tags.classifier,
          f3(t.overall), f3(t.precision), f3(t.positive_accuracy), f3(t.negative_accuracy),
          String(live?.count ?? 0), f3(live?.hitRate), f3(live?.precision), f3(live?.positiveAccuracy), f3(live?.negativeAccuracy),
        ]);
      }
    }
  }
  if (opts.json) {
    out(JSON.stringify({ resolved, models: json }));
  } else {
    out(`${resolved} outcome(s) resolved now.`);
    out(renderTable(['symbol', 'trend', 'version', 'classifier', 'test overall', 'test prec', 'test pos', 'test neg', 'live n', 'live hit', 'live prec', 'live pos', 'live neg'], rows));
    out('* = champion. Live figures use predictions whose window has passed.');
  }
  return 0;
}
