/**
 * `signal-pool runs`: experiment runs with their key metrics, newest first. Pure functions returning the text to
 * print; src/cli/index.ts wires them into the command line.
 */
import type { Trend } from '../data/candle.ts';
import { isTrend } from '../data/candle.ts';
import type { Run, Store } from '../store/ports.ts';
import { renderTable } from '../util/table.ts';
import { CliError } from './errors.ts';

export interface ListRunsOptions {
  readonly symbol?: string;
  readonly trend?: Trend;
  readonly json: boolean;
  readonly limit?: number;
}

/** The metrics worth a column: the seed's overall score and the three it is built from. */
const METRIC_COLUMNS: readonly [string, string][] = [
  ['overall', 'overall'],
  ['precision', 'precision'],
  ['pos_acc', 'positive_accuracy'],
  ['neg_acc', 'negative_accuracy'],
];

export const shortId = (id: string) => id.slice(0, 8);
export const formatMetric = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(3));
/** 'YYYY-MM-DD HH:MM' in UTC, the time zone of the candles. */
export const formatUtcMinute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

export function formatRuns(runs: readonly Run[], opts: { json: boolean }): string {
  if (opts.json) return JSON.stringify(runs, null, 2);
  if (runs.length === 0) return 'No runs found.';
  return renderTable(
    ['id', 'started (UTC)', 'symbol', 'trend', 'name', 'status', ...METRIC_COLUMNS.map(([label]) => label)],
    runs.map((r) => [
      shortId(r.id),
      formatUtcMinute(r.startTime),
      r.symbol ?? '-',
      r.trend ?? '-',
      r.name,
      r.status,
      ...METRIC_COLUMNS.map(([, key]) => formatMetric(r.metrics[key])),
    ]),
  );
}

export async function listRunsCommand(store: Store, opts: ListRunsOptions): Promise<string> {
  if (opts.trend !== undefined && !isTrend(opts.trend)) throw new CliError(`--trend must be uptrend or downtrend, got "${String(opts.trend)}"`, 2);
  const limit = opts.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a positive whole number, got "${String(opts.limit)}"`, 2);
  const page = await store.listRuns({ symbol: opts.symbol?.toUpperCase(), trend: opts.trend, limit });
  const text = formatRuns(page.items, { json: opts.json });
  if (opts.json || page.nextOffset === null) return text;
  return `${text}\n\nShowing the newest ${page.items.length} of ${page.total} runs; use --limit to see more.`;
}
