/**
 * Confusion matrix of the test window: a 2x2 heatmap of counts, actual outcome down, prediction across, with the
 * count and the share of all rows written in each cell.
 */
import type { TopLevelSpec } from 'vega-lite';
import { baseSpec, chartTitle, chartTitleText, pct, type ChartContext } from './theme.ts';

export interface ConfusionCounts {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

export interface ConfusionMatrixInput extends ConfusionCounts {
  readonly context: ChartContext;
}

export function confusionMatrixSpec(input: ConfusionMatrixInput): TopLevelSpec {
  const { tp, fp, tn, fn, context } = input;
  const yes = context.trend; // "uptrend"
  const no = `no ${context.trend}`;
  const total = tp + fp + tn + fn;
  const cell = (actual: string, predicted: string, count: number) => ({
    actual,
    predicted,
    count,
    label: `${count}`,
    share: total > 0 ? pct(count / total) : '–',
  });
  const values = [cell(yes, yes, tp), cell(yes, no, fn), cell(no, yes, fp), cell(no, no, tn)];
  const accuracy = total > 0 ? (tp + tn) / total : NaN;
  const subtitle = `Test window, ${total} rows; accuracy ${total > 0 ? pct(accuracy) : 'n/a'}, precision ${tp + fp > 0 ? pct(tp / (tp + fp)) : 'n/a'}`;
  const order = [yes, no];
  return {
    ...baseSpec(),
    title: chartTitle(chartTitleText('Confusion matrix', context), subtitle),
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'nominal', sort: order, title: 'predicted', axis: { orient: 'top', labelAngle: 0, labelFontSize: 14 } },
      y: { field: 'actual', type: 'nominal', sort: order, title: 'actual', axis: { labelFontSize: 14 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues', domainMin: 0 }, legend: null },
        },
      },
      {
        mark: { type: 'text', fontSize: 30, fontWeight: 'bold', dy: -12 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: `datum.count > ${Math.max(tp, fp, tn, fn) / 2}`, value: 'white' }, value: 'black' },
        },
      },
      {
        mark: { type: 'text', fontSize: 15, dy: 20 },
        encoding: {
          text: { field: 'share' },
          color: { condition: { test: `datum.count > ${Math.max(tp, fp, tn, fn) / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}
