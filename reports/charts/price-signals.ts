/**
 * Price and signals: the close and its SMA10 over the recent window, with each past signal marked on the close of
 * its as-of day and coloured by its outcome: hit (the trend happened), miss, or pending (window not over yet).
 */
import type { TopLevelSpec } from 'vega-lite';
import { COLORS, baseSpec, chartTitle, chartTitleText, type ChartContext } from './theme.ts';

export interface PricePoint {
  readonly date: string;
  readonly close: number;
}

export interface SignalPoint {
  /** The candle date the prediction was made on. */
  readonly asOf: string;
  readonly probability: number;
  /** Realised label (1 = the trend happened), or null while pending. */
  readonly outcome: { readonly label: 0 | 1 } | null;
}

export interface PriceSignalsInput {
  readonly context: ChartContext;
  /** Ascending by date; more than the window is fine (the SMA uses the earlier candles). */
  readonly candles: readonly PricePoint[];
  readonly predictions: readonly SignalPoint[];
  /** Probability at or above which a prediction is a signal. */
  readonly threshold: number;
  /** Days shown (default 120). */
  readonly lookbackDays?: number;
  /** SMA length (default 10, the trend definition's SMA10). */
  readonly smaPeriod?: number;
}

export type SignalOutcome = 'hit' | 'miss' | 'pending';
export const SERIES = { close: 'close', sma: 'SMA10', hit: 'signal: hit', miss: 'signal: miss', pending: 'signal: pending' } as const;

export function signalOutcome(p: SignalPoint): SignalOutcome {
  if (p.outcome === null) return 'pending';
  return p.outcome.label === 1 ? 'hit' : 'miss';
}

/** Simple moving average; null until `period` values are available. */
export function sma(values: readonly number[], period: number): (number | null)[] {
  const out: (number | null)[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= period) sum -= values[i - period]!;
    out.push(i >= period - 1 ? sum / period : null);
  }
  return out;
}

export function priceSignalsSpec(input: PriceSignalsInput): TopLevelSpec {
  const lookback = input.lookbackDays ?? 120;
  const period = input.smaPeriod ?? 10;
  const smaLabel = period === 10 ? SERIES.sma : `SMA${period}`;
  const closes = input.candles.map((c) => c.close);
  const smaValues = sma(closes, period);
  const start = Math.max(0, input.candles.length - lookback);
  const shown = input.candles.slice(start);
  const firstShown = shown[0]?.date ?? '';
  const closeByDate = new Map(input.candles.map((c) => [c.date, c.close]));

  const lines: { date: string; series: string; price: number }[] = [];
  for (let i = start; i < input.candles.length; i++) {
    const c = input.candles[i]!;
    lines.push({ date: c.date, series: SERIES.close, price: c.close });
    const s = smaValues[i];
    if (s !== null && s !== undefined) lines.push({ date: c.date, series: smaLabel, price: s });
  }
  const signals = input.predictions
    .filter((p) => p.probability >= input.threshold && p.asOf >= firstShown && closeByDate.has(p.asOf))
    .map((p) => {
      const outcome = signalOutcome(p);
      return { date: p.asOf, series: SERIES[outcome], price: closeByDate.get(p.asOf)!, probability: p.probability, outcome };
    });
  const counts = { hit: 0, miss: 0, pending: 0 };
  for (const s of signals) counts[s.outcome]++;
  const subtitle =
    `Daily close and ${smaLabel}, last ${shown.length} days; ${signals.length} signals (P ≥ ${input.threshold.toFixed(2)}): ` +
    `${counts.hit} hit, ${counts.miss} miss, ${counts.pending} pending`;

  const domain = [SERIES.close, smaLabel, SERIES.hit, SERIES.miss, SERIES.pending];
  const range = [COLORS.neutral, COLORS.accent, COLORS.positive, COLORS.negative, COLORS.muted];
  const color = { field: 'series', type: 'nominal' as const, scale: { domain, range }, legend: { title: null, symbolType: 'circle' } };
  const x = { field: 'date', type: 'temporal' as const, scale: { type: 'utc' as const }, title: null, axis: { format: '%Y-%m-%d', labelAngle: 0 } };
  return {
    ...baseSpec(),
    title: chartTitle(chartTitleText('Price and signals', input.context), subtitle),
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { x, y: { field: 'price', type: 'quantitative', scale: { zero: false }, title: 'price' }, color },
      },
      {
        data: { values: signals },
        mark: {
          type: 'point',
          shape: input.context.trend === 'uptrend' ? 'triangle-up' : 'triangle-down',
          filled: true,
          size: 140,
          stroke: 'white',
          strokeWidth: 1,
          opacity: 1,
        },
        encoding: {
          x,
          y: { field: 'price', type: 'quantitative' },
          color,
          tooltip: [{ field: 'date', type: 'nominal' }, { field: 'probability', format: '.2f' }, { field: 'outcome' }],
        },
      },
    ],
  };
}
