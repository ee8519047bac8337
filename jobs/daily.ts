/**
 * The daily job: batch predictions for both trends (the services refresh each coin's candles through the candle
 * cache first, fetching only the new days), then the outcomes of older predictions whose window has passed, then the
 * notifier (chat posts, or the log).
 *
 * Coins that fail are listed in the summary but do not fail the job (the services isolate them). The job fails when
 * a whole step fails; if only the notifier fails, the predictions are stored and the summary says so.
 */
import type { BatchPredictionResult, SignalPoolServices } from '../src/app/services.ts';
import { TRENDS } from '../src/data/candle.ts';
import type { JsonValue } from '../src/store/ports.ts';
import { dayIn, JobFailedError, type JobDefinition } from './job.ts';
import type { Notifier } from './notifier.ts';

export interface DailyJobOptions {
  services: Pick<SignalPoolServices, 'batchPredict' | 'resolveOutcomes' | 'logger'>;
  notifier: Notifier;
  cron: string;
  timezone: string;
  clock?: () => Date;
}

export const DAILY_JOB = 'daily';

function summarise(date: string, results: BatchPredictionResult[], resolvedOutcomes: number | null): { [k: string]: JsonValue } {
  return {
    date,
    trends: Object.fromEntries(results.map((r) => [r.trend, {
      predictions: r.predictions.length,
      signals: r.predictions.filter((p) => p.signal).map((p) => p.symbol),
      failures: r.failures.map((f) => ({ symbol: f.symbol, error: f.error })),
    }])),
    resolvedOutcomes,
  };
}

export function createDailyJob(opts: DailyJobOptions): JobDefinition {
  const { services, notifier } = opts;
  const clock = opts.clock ?? (() => new Date());
  const logger = services.logger.child({ job: DAILY_JOB });
  return {
    name: DAILY_JOB,
    cron: opts.cron,
    timezone: opts.timezone,
    async run(signal) {
      const date = dayIn(opts.timezone, clock());
      const results: BatchPredictionResult[] = [];
      for (const trend of TRENDS) {
        signal.throwIfAborted();
        const result = await services.batchPredict(trend);
        logger.info(`batch predictions ${trend}: ${result.predictions.length} stored, ${result.failures.length} failed`, {
          failures: result.failures,
        });
        results.push(result);
      }
      signal.throwIfAborted();
      const resolvedOutcomes = await services.resolveOutcomes();
      signal.throwIfAborted();
      try {
        await notifier.publishDailySignals({ date, results, resolvedOutcomes });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new JobFailedError(`predictions stored, but publishing them failed: ${reason}`, summarise(date, results, resolvedOutcomes));
      }
      return summarise(date, results, resolvedOutcomes);
    },
  };
}
