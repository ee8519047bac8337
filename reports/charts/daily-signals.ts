/**
 * The daily chat post's chart: every coin's probability for both trends as grouped bars, each model's own signal
 * threshold as a tick on its bar (calibrated models have their own), signals drawn solid and non-signals faded; the
 * subtitle lists the coins that signal.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Trend } from '../../src/data/candle.ts';
import { COLORS, baseSpec, chartTitle } from './theme.ts';

/** One layer of a layered spec. */
type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];

export interface DailySignalRow {
  readonly symbol: string;
  readonly trend: Trend;
  readonly probability: number;
  readonly signal: boolean;
  /** The model's own threshold (calibrated versions); the input's threshold when absent. */
  readonly threshold?: number;
}

export interface DailySignalsInput {
  readonly rows: readonly DailySignalRow[];
  /** The as-of date of the predictions, YYYY-MM-DD. */
  readonly date: string;
  /** The threshold of rows that do not carry their own. */
  readonly threshold: number;
}

export function dailySignalsSpec(input: DailySignalsInput): TopLevelSpec {
  const symbols = [...new Set(input.rows.map((r) => r.symbol))];
  const values = input.rows.map((r) => ({ symbol: r.symbol, trend: r.trend, probability: r.probability, signal: r.signal, threshold: r.threshold ?? input.threshold }));
  const thresholds = [...new Set(values.map((v) => v.threshold.toFixed(2)))];
  const thresholdText = thresholds.length === 1 ? `P ≥ ${thresholds[0]}` : 'P ≥ each model\'s own threshold, the tick on its bar';
  const list = (trend: Trend) => input.rows.filter((r) => r.trend === trend && r.signal).map((r) => r.symbol);
  const up = list('uptrend');
  const down = list('downtrend');
  const subtitle = [
    `${symbols.length} coins; solid bars are signals (${thresholdText})`,
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
      ...(thresholds.length === 1 ? thresholdRule(Number(thresholds[0])) : [thresholdTicks(values, symbols)]),
    ],
  };
}

/** One threshold for every bar: a dashed rule with its value. */
function thresholdRule(threshold: number): Layer[] {
  const values = [{ threshold, label: `threshold ${threshold.toFixed(2)}` }];
  return [
    { data: { values }, mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5, color: '#333333' }, encoding: { y: { field: 'threshold', type: 'quantitative' } } },
    {
      data: { values },
      mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: 11, color: '#333333', x: 'width' },
      encoding: { y: { field: 'threshold', type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
}

/** Models with their own (calibrated) thresholds: a tick on each bar. */
function thresholdTicks(values: { threshold: number }[], symbols: readonly string[]): Layer {
  return {
    data: { values },
    mark: { type: 'tick', thickness: 2, color: '#333333' },
    encoding: {
      x: { field: 'symbol', type: 'nominal', sort: [...symbols] },
      xOffset: { field: 'trend', type: 'nominal', sort: ['uptrend', 'downtrend'] },
      y: { field: 'threshold', type: 'quantitative' },
    },
  };
}
