/**
 * /predict <SYMBOL> <uptrend|downtrend>: the champion's latest probability and signal, with the model's credentials
 * (version, classifier, test metrics, live hit rate) and its SHAP importance chart when one can be drawn.
 */
import type { Trend } from '../src/data/candle.ts';
import type { PredictionView } from '../src/app/services.ts';
import type { CommandSpec } from './command.ts';
import type { CommandContext } from './context.ts';
import { formatPercent, formatScore, type Reply, type ReplyImage } from './reply.ts';
import { optionalChart } from './charts.ts';
import { basisLine } from '../src/app/prediction-notes.ts';

export function describePrediction(p: PredictionView): string {
  const verdict = p.abstain ? 'no clear signal (too close to the threshold to call)' : p.signal ? 'SIGNAL' : 'no signal';
  const m = p.testMetrics;
  const live = p.live && p.live.count > 0
    ? `Live: hit rate ${formatPercent(p.live.hitRate)} over ${p.live.count} resolved predictions (precision ${formatPercent(p.live.precision)})`
    : 'Live: no resolved predictions yet';
  return [
    `${p.symbol} ${p.trend}: probability ${p.probability.toFixed(3)} -> ${verdict} (threshold ${p.threshold.toFixed(2)})`,
    `As of ${p.asOf}`,
    `Model: ${p.modelName} v${p.version} (${p.classifier})`,
    ...(basisLine(p) ? [basisLine(p)!] : []),
    `Test: overall ${formatScore(m.overall)}, precision ${formatScore(m.precision)}, accuracy ${formatScore(m.accuracy)}, AUC ${formatScore(m.auc)}`,
    live,
    ...(p.staleData ? [`Market data could not be refreshed (${p.staleData.reason}): using cached candles up to ${p.staleData.lastCandle} (${p.staleData.ageDays} days old)`] : []),
  ].join('\n');
}

async function run(args: string[], ctx: CommandContext): Promise<Reply> {
  const symbol = args[0];
  const trend = args[1] as Trend;
  const prediction = await ctx.services.predict(symbol, trend);
  const images: ReplyImage[] = [];
  const shap = await optionalChart(ctx, 'SHAP importance', () => ctx.services.charts.shapImportance(symbol, trend));
  if (shap) images.push(shap);
  return { text: describePrediction(prediction), images };
}

export const predictCommand: CommandSpec = {
  name: 'predict',
  summary: 'Latest probability and signal for a coin and trend',
  params: [
    { name: 'symbol', kind: 'symbol', required: true, description: 'Coin ticker, e.g. BTC' },
    { name: 'trend', kind: 'trend', required: true, description: 'uptrend or downtrend' },
  ],
  access: 'everyone',
  cooldown: 'predict',
  run,
};
