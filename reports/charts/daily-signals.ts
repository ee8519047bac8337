/**
 * The daily chat post's chart: every coin's probability for both trends as grouped bars, the signal threshold as a
 * rule, signals drawn solid and non-signals faded; the subtitle lists the coins that signal.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Trend } from '../../src/data/candle.ts';
import { COLORS, baseSpec, chartTitle } from './theme.ts';

export interface DailySignalRow {
  readonly symbol: string;
  readonly trend: Trend;
  readonly probability: number;
  readonly signal: boolean;
}

export interface DailySignalsInput {
  readonly rows: readonly DailySignalRow[];
  /** The as-of date of the predictions, YYYY-MM-DD. */
  readonly date: string;
  readonly threshold: number;
}

export function dailySignalsSpec(input: DailySignalsInput): TopLevelSpec {
  const symbols = [...new Set(input.rows.map((r) => r.symbol))];
  const values = input.rows.map((r) => ({ symbol: r.symbol, trend: r.trend, probability: r.probability, signal: r.signal }));
  const list = (trend: Trend) => input.rows.filter((r) => r.trend === trend && r.signal).map((r) => r.symbol);
  const up = list('uptrend');
  const down = list('downtrend');
  const subtitle = [
    `${symbols.length} coins; solid bars are signals (P ≥ ${input.threshold.toFixed(2)})`,
    `uptrend: ${up.length > 0 ? up.join(', ') : 'none'} · downtrend: ${down.length > 0 ? down.join(', ') : 'none'}`,
  ];
  return {
    ...baseSpec(),
    title: chartTitle(`Daily signals · all coins · ${input.date}`, subtitle),
    layer: [
      {
        data: { values },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'symbol', type: 'nominal', sort: symbols, title: null, axis: { labelAngle: 0, labelFontSize: symbols.length > 16 ? 11 : 12 } },
          xOffset: { field: 'trend', type: 'nominal', sort: ['uptrend', 'downtrend'] },
          y: { field: 'probability', type: 'quantitative', scale: { domain: [0, 1] }, title: 'P(trend in 10 days)', axis: { format: '.1f' } },
          color: {
            field: 'trend',
            type: 'nominal',
            scale: { domain: ['uptrend', 'downtrend'], range: [COLORS.positive, COLORS.negative] },
            legend: { title: null },
          },
          opacity: { condition: { test: 'datum.signal', value: 1 }, value: 0.3 },
        },
      },
      {
        data: { values: [{ threshold: input.threshold, label: `threshold ${input.threshold.toFixed(2)}` }] },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5, color: '#333333' },
        encoding: { y: { field: 'threshold', type: 'quantitative' } },
      },
      {
        data: { values: [{ threshold: input.threshold, label: `threshold ${input.threshold.toFixed(2)}` }] },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: 11, color: '#333333', x: 'width' },
        encoding: { y: { field: 'threshold', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
}
