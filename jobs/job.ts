/**
 * What a scheduled job is, and how a scheduled firing maps to a slot.
 */
import type { JsonValue } from '../src/store/ports.ts';

export interface JobDefinition {
  /** Unique name, used as the job key in the store ('daily', 'weekly-deploy'). */
  readonly name: string;
  /** node-cron expression, 5 fields (minute precision) or 6 (with seconds). */
  readonly cron: string;
  /** IANA timezone the expression is read in, e.g. 'UTC' or 'Europe/Paris'. */
  readonly timezone: string;
  /**
   * Does the work and returns a JSON summary for the job-run record. Must stop soon after `signal` aborts (shutdown);
   * work abandoned that way must leave the store consistent (the services' deploy guarantees that for the registry).
   */
  run(signal: AbortSignal): Promise<JsonValue | void>;
}

/** Thrown by a job that failed but still has a summary worth recording (e.g. predictions stored, posting failed). */
export class JobFailedError extends Error {
  override readonly name = 'JobFailedError';
  constructor(message: string, readonly summary: JsonValue) {
    super(message);
  }
}

/**
 * The slot of a scheduled firing: its scheduled time in UTC, to the minute ('2026-11-24T00:15Z'), or to the second
 * for 6-field expressions. It depends only on the schedule, never on when the process happened to run the callback,
 * so two processes (or a process and its restarted self) map the same firing to the same slot and the store's
 * claim lets only one of them run it.
 */
export function slotOf(cronExpression: string, scheduled: Date): string {
  const iso = scheduled.toISOString(); // 2026-11-24T00:15:00.000Z
  const withSeconds = cronExpression.trim().split(/\s+/).length === 6;
  return withSeconds ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 16)}Z`;
}

/** Slot of a manual run (runNow): unique per call, so it never collides with a scheduled slot. */
export function manualSlot(now: Date): string {
  return `manual:${now.toISOString()}`;
}

/** YYYY-MM-DD of an instant in a timezone (the day a daily job runs "for"). */
export function dayIn(timezone: string, instant: Date): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}
