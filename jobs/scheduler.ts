/**
 * Runs jobs on cron schedules with three guarantees:
 *
 * - once per slot: before running, the (job, slot) pair is claimed in the store (JobRunStore.claimJobRun). Only one
 *   claimer wins, so a second process, or this process restarted within the same slot, skips the firing.
 * - no overlap: a job still running in this process when its next firing comes is not started again; the skipped
 *   slot is recorded ABANDONED so the history shows it.
 * - graceful stop: stop() starts no new work, aborts running jobs through their AbortSignal and waits a bounded
 *   time; runs still going after that are recorded ABANDONED.
 *
 * Every run is recorded (start by the claim; end, status and summary by finishJobRun). When the store fails, the run
 * fails cleanly, is logged, and its record is kept in memory and written at the next tick (or at stop) once the store
 * answers again; the next slot runs as usual.
 *
 * node-cron only decides *when*: its callback calls tick(job, scheduledTime), which tests call directly.
 */
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../src/app/logger.ts';
import type { JobRunStore, JobStatus, JsonValue } from '../src/store/ports.ts';
import { JobFailedError, manualSlot, slotOf, type JobDefinition } from './job.ts';

export type { JobDefinition } from './job.ts';
export { installSignalHandlers } from './shutdown.ts';

export type FinalStatus = Exclude<JobStatus, 'RUNNING'>;

export type TickOutcome =
  | {
      job: string;
      slot: string;
      status: FinalStatus;
      summary: JsonValue | null;
      error: string | null;
      /** False when the store could not be written; the record is retried later. */
      recorded: boolean;
    }
  | { job: string; slot: string; status: 'SKIPPED'; reason: 'already-claimed' | 'overlap' | 'stopping'; detail: string };

export interface StopReport {
  /** Runs that did not end within the timeout and were recorded ABANDONED. */
  abandoned: { job: string; slot: string }[];
  /** Records the store still could not take (store down at shutdown). */
  unrecorded: number;
}

export interface Scheduler {
  /** Starts the cron tasks. */
  start(): void;
  /** Runs the firing of `jobName` scheduled at `scheduledTime` (what the cron callback calls). */
  tick(jobName: string, scheduledTime: Date): Promise<TickOutcome>;
  /** Runs a job now, outside its schedule (bootstrap, admin command); slot 'manual:<iso time>'. */
  runNow(jobName: string): Promise<TickOutcome>;
  /** No new work, abort running jobs, wait up to timeoutMs (default 10 s), record the rest ABANDONED. Idempotent. */
  stop(opts?: { timeoutMs?: number }): Promise<StopReport>;
  /** Jobs running in this process. */
  running(): { job: string; slot: string }[];
  /** Next scheduled time of each job (null before start() or after stop()). */
  nextRuns(): { job: string; next: Date | null }[];
}

export interface SchedulerOptions {
  store: JobRunStore;
  logger: Logger;
  jobs: readonly JobDefinition[];
  /** Who claims the runs, e.g. 'host:pid'. Shown in job-run records. */
  owner?: string;
  clock?: () => Date;
}

interface ActiveRun {
  slot: string;
  controller: AbortController;
  /** 'claiming' and 'recording' talk to the store; only a 'running' job can be abandoned by stop(). */
  phase: 'claiming' | 'running' | 'recording' | 'done';
  /** Set by stop() when it recorded the run ABANDONED; the late ending is then only logged. */
  abandoned: boolean;
  done: Promise<TickOutcome>;
}

interface PendingRecord {
  job: string;
  slot: string;
  /** The claim itself failed: claim first, and drop the record if someone else holds the slot. */
  needsClaim: boolean;
  result: { status: FinalStatus; summary?: JsonValue; error?: string };
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function validateJobs(jobs: readonly JobDefinition[]): Map<string, JobDefinition> {
  const byName = new Map<string, JobDefinition>();
  for (const job of jobs) {
    if (byName.has(job.name)) throw new Error(`Two scheduled jobs are named "${job.name}"; job names must be unique.`);
    if (!cron.validate(job.cron)) throw new Error(`Job "${job.name}": "${job.cron}" is not a valid cron expression.`);
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: job.timezone });
    } catch {
      throw new Error(`Job "${job.name}": "${job.timezone}" is not a known IANA timezone (e.g. UTC, Europe/Paris).`);
    }
    byName.set(job.name, job);
  }
  return byName;
}

/** node-cron's own warnings (missed executions...) go to our logger. */
function cronLogger(logger: Logger) {
  return {
    info: (m: string) => logger.info(m),
    warn: (m: string) => logger.warn(m),
    error: (m: string | Error, err?: Error) => logger.error(message(m), { err: err ? message(err) : undefined }),
    debug: (m: string | Error) => logger.debug(message(m)),
  };
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { store } = opts;
  const jobs = validateJobs(opts.jobs);
  const owner = opts.owner ?? `${hostname()}:${process.pid}`;
  const clock = opts.clock ?? (() => new Date());
  const logger = opts.logger.child({ component: 'scheduler' });

  const active = new Map<string, ActiveRun>();
  const pending: PendingRecord[] = [];
  let tasks: { job: string; task: ScheduledTask }[] = [];
  let stopping = false;
  let stopped: Promise<StopReport> | null = null;
  let flushing: Promise<void> = Promise.resolve();

  const jobNamed = (name: string): JobDefinition => {
    const job = jobs.get(name);
    if (!job) throw new Error(`Unknown job "${name}". Known jobs: ${[...jobs.keys()].join(', ')}.`);
    return job;
  };

  /** Writes records kept while the store was down, oldest first; stops at the first failure. Serialised. */
  const flushPending = (): Promise<void> => {
    flushing = flushing.then(async () => {
      while (pending.length > 0) {
        const rec = pending[0];
        try {
          if (rec.needsClaim) {
            const claim = await store.claimJobRun(rec.job, rec.slot, owner);
            if (!claim.claimed) {
              pending.shift(); // someone else ran or recorded this slot meanwhile; theirs is the true record
              continue;
            }
          }
          await store.finishJobRun(rec.job, rec.slot, rec.result);
          pending.shift();
          logger.info('recorded a job run kept while the store was unavailable', { job: rec.job, slot: rec.slot, status: rec.result.status });
        } catch (err) {
          logger.warn('store still unavailable; job-run record kept for later', { job: rec.job, slot: rec.slot, err: message(err) });
          return;
        }
      }
    });
    return flushing;
  };

  const record = async (job: string, slot: string, result: PendingRecord['result']): Promise<boolean> => {
    try {
      await store.finishJobRun(job, slot, result);
      return true;
    } catch (err) {
      logger.error('could not record the end of a job run; will retry', { job, slot, status: result.status, err: message(err) });
      pending.push({ job, slot, needsClaim: false, result });
      return false;
    }
  };

  const skipOverlap = async (job: JobDefinition, slot: string, current: ActiveRun, manual: boolean): Promise<TickOutcome> => {
    const detail = `skipped: the run of slot ${current.slot} was still running`;
    logger.warn(`job ${job.name} ${detail}`, { job: job.name, slot });
    // A scheduled slot is recorded (and so claimed) so the history shows the gap and no other process runs it late.
    if (!manual) {
      try {
        const claim = await store.claimJobRun(job.name, slot, owner);
        if (claim.claimed) await store.finishJobRun(job.name, slot, { status: 'ABANDONED', error: detail });
      } catch (err) {
        logger.warn('could not record the skipped slot', { job: job.name, slot, err: message(err) });
      }
    }
    return { job: job.name, slot, status: 'SKIPPED', reason: 'overlap', detail };
  };

  const claimAndRun = async (job: JobDefinition, slot: string, run: ActiveRun): Promise<TickOutcome> => {
    const log = logger.child({ job: job.name, slot });
    await flushPending();

    let claim;
    try {
      claim = await store.claimJobRun(job.name, slot, owner);
    } catch (err) {
      const error = `store unavailable when claiming the run: ${message(err)}`;
      log.error('job not run: could not claim its slot', { err: message(err) });
      pending.push({ job: job.name, slot, needsClaim: true, result: { status: 'FAILED', error } });
      return { job: job.name, slot, status: 'FAILED', summary: null, error, recorded: false };
    }
    if (!claim.claimed) {
      const detail = `slot already claimed by ${claim.run.owner} (${claim.run.status})`;
      log.info(`job skipped: ${detail}`);
      return { job: job.name, slot, status: 'SKIPPED', reason: 'already-claimed', detail };
    }

    run.phase = 'running';
    const signal = run.controller.signal;
    const started = performance.now();
    log.info('job started');
    let result: PendingRecord['result'];
    try {
      signal.throwIfAborted(); // stop() began while we were claiming
      const summary = await job.run(signal);
      result = { status: 'SUCCEEDED', summary: summary ?? null };
    } catch (err) {
      const summary = err instanceof JobFailedError ? err.summary : undefined;
      result = signal.aborted
        ? { status: 'ABANDONED', error: `aborted by shutdown: ${message(err)}`, summary }
        : { status: 'FAILED', error: message(err), summary };
    }
    const seconds = Number(((performance.now() - started) / 1000).toFixed(3));
    if (run.abandoned) {
      log.warn('job ended after shutdown had recorded it ABANDONED; its result is not recorded', { status: result.status, seconds });
      return { job: job.name, slot, status: 'ABANDONED', summary: null, error: 'abandoned at shutdown', recorded: true };
    }
    run.phase = 'recording';
    const recorded = await record(job.name, slot, result);
    const fields = { status: result.status, seconds, error: result.error, recorded };
    if (result.status === 'SUCCEEDED') log.info('job finished', fields);
    else log.error('job did not succeed', fields);
    return { job: job.name, slot, status: result.status, summary: result.summary ?? null, error: result.error ?? null, recorded };
  };

  const runSlot = (job: JobDefinition, slot: string, manual: boolean): Promise<TickOutcome> => {
    if (stopping) {
      logger.info('job not started: the scheduler is stopping', { job: job.name, slot });
      return Promise.resolve({ job: job.name, slot, status: 'SKIPPED', reason: 'stopping', detail: 'the scheduler is stopping' });
    }
    const current = active.get(job.name);
    if (current) return skipOverlap(job, slot, current, manual);
    // Registered synchronously, before any await, so a second tick arriving meanwhile sees the overlap.
    const run: ActiveRun = { slot, controller: new AbortController(), phase: 'claiming', abandoned: false, done: Promise.resolve(null as never) };
    active.set(job.name, run);
    run.done = claimAndRun(job, slot, run).finally(() => {
      run.phase = 'done';
      if (active.get(job.name) === run) active.delete(job.name);
    });
    return run.done;
  };

  const tick = (jobName: string, scheduledTime: Date): Promise<TickOutcome> => {
    const job = jobNamed(jobName);
    return runSlot(job, slotOf(job.cron, scheduledTime), false);
  };

  return {
    tick,

    start() {
      if (stopping) throw new Error('A stopped scheduler cannot be started again; create a new one.');
      if (tasks.length > 0) return;
      for (const job of jobs.values()) {
        const task = cron.createTask(job.cron, async (ctx) => {
          try {
            await tick(job.name, ctx.date);
          } catch (err) {
            logger.error('scheduler tick failed', { job: job.name, err: message(err) });
          }
        }, { name: `signal-pool:${job.name}`, timezone: job.timezone, logger: cronLogger(logger) });
        void task.start();
        tasks.push({ job: job.name, task });
        logger.info(`scheduled job ${job.name}`, { cron: job.cron, timezone: job.timezone, next: task.getNextRun()?.toISOString() ?? null });
      }
    },

    runNow(jobName) {
      return runSlot(jobNamed(jobName), manualSlot(clock()), true);
    },

    stop({ timeoutMs = 10_000 } = {}) {
      stopped ??= (async () => {
        stopping = true;
        for (const { task } of tasks) await task.destroy();
        tasks = [];
        const runs = [...active.entries()];
        if (runs.length > 0) logger.info('stopping: aborting running jobs', { jobs: runs.map(([job, r]) => ({ job, slot: r.slot })), timeoutMs });
        for (const [, run] of runs) run.controller.abort(new Error('the scheduler is stopping'));

        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled(runs.map(([, r]) => r.done)),
          new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs); }),
        ]);
        clearTimeout(timer);

        const abandoned: StopReport['abandoned'] = [];
        for (const [job, run] of runs) {
          if (run.phase !== 'running') continue;
          run.abandoned = true;
          abandoned.push({ job, slot: run.slot });
          logger.warn('job abandoned: still running after the shutdown timeout', { job, slot: run.slot, timeoutMs });
          await record(job, run.slot, { status: 'ABANDONED', error: `abandoned: still running ${timeoutMs} ms after shutdown began` });
        }
        await flushPending();
        if (pending.length > 0) logger.error('stopping with job-run records the store could not take', { records: pending.map(({ job, slot, result }) => ({ job, slot, status: result.status })) });
        return { abandoned, unrecorded: pending.length };
      })();
      return stopped;
    },

    running() {
      return [...active.entries()].filter(([, r]) => r.phase !== 'done').map(([job, r]) => ({ job, slot: r.slot }));
    },

    nextRuns() {
      return [...jobs.keys()].map((job) => ({ job, next: tasks.find((t) => t.job === job)?.task.getNextRun() ?? null }));
    },
  };
}
