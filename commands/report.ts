/**
 * /report <SYMBOL> <uptrend|downtrend>: the champion of one pool in detail: every test metric, the features that
 * drive it (mean |SHAP|), and the pool-metrics and SHAP charts when they can be drawn.
 */
import type { Trend } from '../src/data/candle.ts';
import { UserFacingError } from '../src/app/services.ts';
import type { CommandSpec } from './command.ts';
import type { CommandContext } from './context.ts';
import { optionalChart } from './charts.ts';
import { formatDay, formatScore, type Reply, type ReplyImage } from './reply.ts';

const METRIC_ORDER = ['overall', 'accuracy', 'precision', 'positive_accuracy', 'negative_accuracy', 'auc', 'brier', 'base_rate', 'lift'];
const TOP_FEATURES = 5;

async function run(args: string[], ctx: CommandContext): Promise<Reply> {
  const symbol = args[0];
  const trend = args[1] as Trend;
  const model = await ctx.services.getChampion(symbol, trend);
  if (!model) {
    throw new UserFacingError(`There is no champion model for ${symbol} ${trend} yet. An admin can train one with /deploy ${trend} ${symbol}.`, 'NOT_FOUND');
  }
  const metricNames = [...METRIC_ORDER.filter((k) => k in model.metrics), ...Object.keys(model.metrics).filter((k) => !METRIC_ORDER.includes(k)).sort()];
  const topFeatures = Object.entries(model.shapMeanAbs)
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_FEATURES)
    .map(([name, v]) => `${name} ${v.toFixed(3)}`);

  const images: ReplyImage[] = [];
  const metricsChart = await optionalChart(ctx, 'pool metrics', () => ctx.services.charts.poolMetrics(symbol, trend));
  if (metricsChart) images.push(metricsChart);
  const shapChart = await optionalChart(ctx, 'SHAP importance', () => ctx.services.charts.shapImportance(symbol, trend));
  if (shapChart) images.push(shapChart);

  return {
    text: [
      `${symbol} ${trend}: ${model.modelName} v${model.version} (${model.classifier}), trained ${formatDay(model.trainedAt)}`,
      `Data ${model.dataRange.from} to ${model.dataRange.to}, ${model.protocol} protocol, target ${(model.targetPct * 100).toFixed(1)}% over ${model.window} days`,
      `Top features (mean |SHAP|): ${topFeatures.length > 0 ? topFeatures.join(', ') : 'not recorded'}`,
    ].join('\n'),
    table: { columns: ['Metric', 'Test'], rows: metricNames.map((k) => [k, Number.isInteger(model.metrics[k]) ? String(model.metrics[k]) : formatScore(model.metrics[k])]) },
    images,
  };
}

export const reportCommand: CommandSpec = {
  name: 'report',
  summary: 'Metrics and SHAP charts of one pool champion',
  params: [
    { name: 'symbol', kind: 'symbol', required: true, description: 'Coin ticker, e.g. BTC' },
    { name: 'trend', kind: 'trend', required: true, description: 'uptrend or downtrend' },
  ],
  access: 'everyone',
  run,
};
