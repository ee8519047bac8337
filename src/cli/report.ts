/** `signal-pool report`: the notebook-style HTML report (reports/) and optionally a PDF. */
import { resolve } from 'node:path';
import { isTrend, TRENDS } from '../data/candle.ts';
import { writeReport } from '../../reports/index.ts';
import type { CliContext } from './context.ts';
import { parseSymbols } from './deploy.ts';
import { CliError } from './errors.ts';

export async function reportCommand(ctx: CliContext, opts: { symbol?: string; trend?: string; out: string; pdf?: boolean }, out: (line: string) => void): Promise<number> {
  if (opts.trend !== undefined && !isTrend(opts.trend)) throw new CliError(`Unknown trend "${opts.trend}". Use uptrend or downtrend.`, 2);
  const symbols = opts.symbol ? parseSymbols(opts.symbol, ctx.config.symbols) : ctx.config.symbols;
  const store = await ctx.store();
  const provider = ctx.provider();
  const result = await writeReport({
    store, outDir: resolve(opts.out), symbols, trends: opts.trend ? [opts.trend] : [...TRENDS], pdf: !!opts.pdf,
    indicatorPeriod: ctx.config.indicatorPeriod, threshold: ctx.config.signalThreshold, gate: ctx.config.gate, backtest: ctx.config.backtest,
    loadCandles: async (symbol: string) => {
      const cached = await store.getCandles(symbol);
      return cached.length ? cached : provider.fetchDaily(symbol);
    },
  });
  for (const w of result.warnings) out(`warning: ${w}`);
  out(`wrote ${result.files.length} file(s); open ${result.files.find((f: string) => f.endsWith('index.html')) ?? result.files[0]}`);
  if (result.pdf) out(`PDF: ${result.pdf}`);
  return 0;
}
