/** The job-run claiming rules, shared by both store implementations so they cannot disagree. */
import type { JobStatus } from './ports.ts';

export const JOB_END_STATUSES: readonly Exclude<JobStatus, 'RUNNING'>[] = ['SUCCEEDED', 'FAILED', 'ABANDONED'];

/** A slot that is running or already succeeded is never claimed again; a failed or abandoned one only on request. */
export function canReclaim(status: JobStatus, retryFailed: boolean): boolean {
  return retryFailed && (status === 'FAILED' || status === 'ABANDONED');
}
