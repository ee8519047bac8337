/**
 * Pool metrics for one (symbol, trend): grouped bars of the seed's five metrics per classifier, the registration
 * gate's thresholds as dashed rules, and the chosen model drawn at full strength (the others faded).
 */
import type { TopLevelSpec } from 'vega-lite';
import { selectionScore, type GateThresholds, type PoolEntry } from '../tags.ts';
import { COLORS, baseSpec, chartTitle, chartTitleText, type ChartContext } from './theme.ts';

/** Metric key as stored -> label shown. The order is the order of the bars in each group. */
export const POOL_METRICS = [
  ['accuracy', 'accuracy'],
  ['precision', 'precision'],
  ['positive_accuracy', 'positive accuracy'],
  ['negative_accuracy', 'negative accuracy'],
  ['overall', 'overall'],
] as const;

const METRIC_COLORS = ['#4c78a8', '#72b7b2', '#54a24b', '#e45756', '#f58518'];

export interface PoolMetricsInput {
  readonly context: ChartContext;
  readonly pool: readonly PoolEntry[];
  /** The classifier that was selected (highlighted); defaults to context.classifier. */
  readonly chosen?: string;
  readonly gate?: GateThresholds;
  /** Which metrics to plot: the test window (default) or the mean validation folds. */
  readonly source?: 'test' | 'validation';
}

export function poolMetricsSpec(input: PoolMetricsInput): TopLevelSpec {
  const source = input.source ?? 'test';
  const chosen = input.chosen ?? input.context.classifier ?? null;
  const ok = input.pool.filter((p) => p.ok);
  const failed = input.pool.filter((p) => !p.ok).map((p) => p.classifier);
  // Classifiers in leaderboard order (the pool's selection score), best first, reading left to right.
  const order = [...ok].sort((a, b) => selectionScore(b) - selectionScore(a)).map((p) => p.classifier);

  const values: { classifier: string; metric: string; value: number; chosen: boolean }[] = [];
  for (const p of ok) {
    const m = source === 'validation' ? p.validationMetrics : p.metrics;
    if (!m) continue;
    for (const [key, label] of POOL_METRICS) {
      const v = m[key];
      if (typeof v === 'number') values.push({ classifier: p.classifier, metric: label, value: v, chosen: p.classifier === chosen });
    }
  }

  // Equal thresholds share one rule (positive and negative accuracy are both 0.5 by default).
  const rules = new Map<number, string[]>();
  if (input.gate) {
    const add = (v: number, name: string) => rules.set(v, [...(rules.get(v) ?? []), name]);
    add(input.gate.positiveAccuracy, 'positive acc.');
    add(input.gate.negativeAccuracy, 'negative acc.');
    add(input.gate.overall, 'overall');
  }
  const ruleValues = [...rules.entries()].map(([threshold, names]) => ({ threshold, label: `gate: ${names.join(' & ').replace('positive acc. & negative acc.', 'pos. & neg. accuracy')} > ${threshold.toFixed(2)}` }));

  const subtitle = [
    `${source === 'test' ? 'Test-window' : 'Mean validation'} metrics of every classifier in the pool` +
      (chosen ? `; chosen: ${chosen}` : ''),
  ];
  if (failed.length > 0) subtitle.push(`failed to train: ${failed.join(', ')}`);

  const chosenTest = chosen === null ? 'false' : `datum.value === ${JSON.stringify(chosen)}`;
  return {
    ...baseSpec(),
    title: chartTitle(chartTitleText('Pool metrics', input.context), subtitle),
    layer: [
      {
        data: { values },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: {
            field: 'classifier',
            type: 'nominal',
            sort: order,
            title: null,
            axis: {
              labelAngle: -20,
              labelLimit: 240,
              labelFontWeight: { condition: { test: chosenTest, value: 'bold' }, value: 'normal' },
              labelColor: { condition: { test: chosenTest, value: COLORS.text }, value: '#666666' },
            },
          },
          xOffset: { field: 'metric', type: 'nominal', sort: POOL_METRICS.map(([, l]) => l) },
          y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: 'score', axis: { format: '.1f' } },
          color: {
            field: 'metric',
            type: 'nominal',
            sort: POOL_METRICS.map(([, l]) => l),
            scale: { domain: POOL_METRICS.map(([, l]) => l), range: METRIC_COLORS },
            legend: { title: null },
          },
          opacity: { condition: { test: 'datum.chosen', value: 1 }, value: chosen === null ? 1 : 0.35 },
        },
      },
      {
        data: { values: ruleValues },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5, color: '#333333' },
        encoding: { y: { field: 'threshold', type: 'quantitative' } },
      },
      {
        data: { values: ruleValues },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, fontSize: 11, color: '#333333', x: 'width' },
        encoding: { y: { field: 'threshold', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
}
