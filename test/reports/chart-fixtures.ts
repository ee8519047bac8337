/**
 * One realistic spec per chart, built from the report fixtures (real BTC candles), for the PNG tests and the
 * benchmark.
 */
import type { TopLevelSpec } from 'vega-lite';
import { backtestSignals } from '../../reports/backtest.ts';
import { backtestEquitySpec } from '../../reports/charts/backtest-equity.ts';
import { calibrationSpec } from '../../reports/charts/calibration.ts';
import { confusionMatrixSpec } from '../../reports/charts/confusion-matrix.ts';
import { dailySignalsSpec } from '../../reports/charts/daily-signals.ts';
import { poolMetricsSpec } from '../../reports/charts/pool-metrics.ts';
import { priceSignalsSpec } from '../../reports/charts/price-signals.ts';
import { shapImportanceSpec } from '../../reports/charts/shap-importance.ts';
import { chartContextOf } from '../../reports/index.ts';
import { evaluationTagSchema, poolTagSchema } from '../../reports/tags.ts';
import { fixturePredictions, fixtureVersion, loadCandles, rng } from './fixtures.ts';

export function chartFixtures(): Record<string, TopLevelSpec> {
  const version = fixtureVersion({ symbol: 'BTC', trend: 'uptrend' });
  const context = chartContextOf(version);
  const tags = version.tags;
  const evaluation = evaluationTagSchema.parse(tags.evaluation);
  const candles = loadCandles('BTC');
  const closeByDate = new Map(candles.map((c) => [c.date, c.close]));
  const backtest = backtestSignals({
    dates: evaluation.dates,
    close: evaluation.dates.map((d) => closeByDate.get(d)!),
    proba: evaluation.proba,
    threshold: 0.5,
    trend: 'uptrend',
    window: 10,
    feePct: 0.001,
    allowShort: false,
  });
  const m = tags.metrics;
  const rand = rng(11);
  const symbols = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'AVAX', 'DOGE', 'DOT', 'LINK', 'MATIC', 'LTC', 'BCH', 'UNI', 'ATOM', 'XLM', 'ETC', 'FIL', 'AAVE', 'GRT'];
  const daily = symbols.flatMap((symbol) =>
    (['uptrend', 'downtrend'] as const).map((trend) => {
      const probability = rand();
      return { symbol, trend, probability, signal: probability >= 0.5 };
    }),
  );
  return {
    poolMetrics: poolMetricsSpec({ context, pool: poolTagSchema.parse(tags.pool), gate: { positiveAccuracy: 0.5, negativeAccuracy: 0.5, overall: 0.6 } }),
    shapImportance: shapImportanceSpec({ context, shapImportance: tags.shapImportance }),
    priceSignals: priceSignalsSpec({ context, candles, predictions: fixturePredictions(version), threshold: 0.5 }),
    confusionMatrix: confusionMatrixSpec({ context, tp: m.tp!, fp: m.fp!, tn: m.tn!, fn: m.fn! }),
    calibration: calibrationSpec({ context, proba: evaluation.proba, labels: evaluation.label }),
    backtestEquity: backtestEquitySpec({ context, equity: backtest.equity, summary: backtest }),
    dailySignals: dailySignalsSpec({ rows: daily, date: candles[candles.length - 1]!.date, threshold: 0.5 }),
  };
}
