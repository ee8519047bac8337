/**
 * The scheduled jobs as configured (config.schedules), ready for createScheduler. Whether to schedule at all
 * (config.schedules.enabled) is the main process's decision.
 *
 *   const scheduler = createScheduler({ store: services.store, logger, jobs: scheduledJobs(services, notifier) });
 *   scheduler.start();
 */
import type { SignalPoolServices } from '../src/app/services.ts';
import { createDailyJob } from './daily.ts';
import type { JobDefinition } from './job.ts';
import type { Notifier } from './notifier.ts';
import { createWeeklyDeployJob } from './weekly-deploy.ts';

export function scheduledJobs(services: SignalPoolServices, notifier: Notifier): JobDefinition[] {
  const { daily, weeklyDeploy, timezone } = services.config.schedules;
  return [
    createDailyJob({ services, notifier, cron: daily, timezone }),
    createWeeklyDeployJob({ services, cron: weeklyDeploy, timezone }),
  ];
}

export { createScheduler, installSignalHandlers, type Scheduler, type TickOutcome } from './scheduler.ts';
export { logNotifier, type DailySignalsReport, type Notifier } from './notifier.ts';
export { DAILY_JOB } from './daily.ts';
export { WEEKLY_DEPLOY_JOB } from './weekly-deploy.ts';
export type { JobDefinition } from './job.ts';
