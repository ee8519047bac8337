/** `signal-pool features`: the labeled feature table of one coin as CSV (date, the 19 features, target). */
import { writeFileSync } from 'node:fs';
import { isTrend } from '../data/candle.ts';
import { formatCsv } from '../data/csv.ts';
import { buildDataset } from '../data/dataset.ts';
import { rowOf } from '../models/matrix.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';

export async function featuresCommand(ctx: CliContext, opts: { symbol: string; trend: string; out?: string }): Promise<string | null> {
  const symbol = opts.symbol.toUpperCase();
  if (!isTrend(opts.trend)) throw new CliError(`Unknown trend "${opts.trend}". Use uptrend or downtrend.`);
  const { config } = ctx;
  const candles = await ctx.provider().fetchDaily(symbol);
  const data = buildDataset(symbol, candles, { trend: opts.trend, window: config.predictionWindow, targetPct: config.targetPct[opts.trend], period: config.indicatorPeriod });
  const rows: (string | number)[][] = [];
  for (let i = 0; i < data.y.length; i++) rows.push([data.dates[i]!, ...rowOf(data.X, i), data.y[i]!]);
  const csv = formatCsv(['date', ...data.featureNames, 'target'], rows);
  if (opts.out) {
    writeFileSync(opts.out, csv);
    return null;
  }
  return csv;
}
