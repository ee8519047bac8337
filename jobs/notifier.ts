/**
 * The port through which the daily job hands its results to whoever announces them. The chat issue implements it
 * for Discord and Telegram; logNotifier (here) only logs, which is what runs when no chat platform is configured.
 */
import type { Logger } from '../src/app/logger.ts';
import type { BatchPredictionResult } from '../src/app/services.ts';

export interface DailySignalsReport {
  /** The day the job ran for (YYYY-MM-DD in the schedule's timezone). */
  date: string;
  /** One result per trend. */
  results: BatchPredictionResult[];
  /** How many earlier predictions got their realised outcome in this run. */
  resolvedOutcomes: number;
}

export interface Notifier {
  publishDailySignals(report: DailySignalsReport): Promise<void>;
}

export function logNotifier(logger: Logger): Notifier {
  return {
    async publishDailySignals(report) {
      for (const result of report.results) {
        const signals = result.predictions.filter((p) => p.signal).map((p) => p.symbol);
        logger.info(`daily signals ${report.date} ${result.trend}: ${signals.length > 0 ? signals.join(', ') : 'none'}`, {
          date: report.date,
          trend: result.trend,
          predictions: result.predictions.map((p) => ({
            symbol: p.symbol, probability: Number(p.probability.toFixed(4)), signal: p.signal,
            asOf: p.asOf, version: p.version, classifier: p.classifier,
          })),
          failures: result.failures,
        });
      }
      logger.info(`resolved ${report.resolvedOutcomes} prediction outcome(s)`, { date: report.date, resolvedOutcomes: report.resolvedOutcomes });
    },
  };
}
