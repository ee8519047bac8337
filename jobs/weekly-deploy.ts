/**
 * The weekly job: redeploys both trends (train every classifier per coin, register the best, move the champion alias
 * when the gate and margin allow). The abort signal is passed to the services' deploy, which stops between coins and
 * never leaves a half-registered version behind.
 *
 * Both trends are attempted even when the first fails; the job fails if either did.
 */
import type { DeploySummary, SignalPoolServices } from '../src/app/services.ts';
import { TRENDS } from '../src/data/candle.ts';
import type { JsonValue } from '../src/store/ports.ts';
import { JobFailedError, type JobDefinition } from './job.ts';

export interface WeeklyDeployJobOptions {
  services: Pick<SignalPoolServices, 'deploy' | 'logger'>;
  cron: string;
  timezone: string;
}

export const WEEKLY_DEPLOY_JOB = 'weekly-deploy';

/** Who the registry's alias history names as having moved the champion. */
export const SCHEDULER_ACTOR = 'scheduler';

function summariseDeploy(s: DeploySummary): { [k: string]: JsonValue } {
  return {
    protocol: s.protocol,
    seconds: Number(s.seconds.toFixed(1)),
    symbols: s.symbols.length,
    registered: s.symbols.filter((x) => x.registered).length,
    newChampions: s.symbols.filter((x) => x.becameChampion).map((x) => x.symbol),
    failures: s.symbols.filter((x) => !x.ok).map((x) => ({ symbol: x.symbol, error: x.error ?? 'unknown error' })),
  };
}

export function createWeeklyDeployJob(opts: WeeklyDeployJobOptions): JobDefinition {
  const { services } = opts;
  const logger = services.logger.child({ job: WEEKLY_DEPLOY_JOB });
  return {
    name: WEEKLY_DEPLOY_JOB,
    cron: opts.cron,
    timezone: opts.timezone,
    async run(signal) {
      const summary: { [trend: string]: JsonValue } = {};
      const errors: string[] = [];
      for (const trend of TRENDS) {
        signal.throwIfAborted();
        try {
          const result = await services.deploy({
            trend,
            actor: SCHEDULER_ACTOR,
            signal,
            onProgress: (event) => {
              if (event.type === 'symbol') {
                logger.info(`deploy ${trend} ${event.done}/${event.total}: ${event.summary.symbol} ${event.summary.ok ? 'ok' : 'failed'}`, {
                  selected: event.summary.selected, becameChampion: event.summary.becameChampion, error: event.summary.error,
                });
              }
            },
          });
          summary[trend] = summariseDeploy(result);
        } catch (err) {
          // A shutdown aborts the whole job; anything else only this trend.
          if (signal.aborted) throw err;
          const reason = err instanceof Error ? err.message : String(err);
          logger.error(`deploy ${trend} failed`, { err: reason });
          summary[trend] = { error: reason };
          errors.push(`${trend}: ${reason}`);
        }
      }
      if (errors.length > 0) throw new JobFailedError(`deployment failed for ${errors.join('; ')}`, summary);
      return summary;
    },
  };
}
