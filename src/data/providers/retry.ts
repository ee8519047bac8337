/**
 * Retry with exponential backoff and jitter, driven only by ProviderError.retryable: per-minute rate limits, HTTP 5xx
 * and network errors are retried; quota exhaustion, invalid requests, bans and bad data never are (retrying them only
 * burns quota or extends a ban). A provider-requested wait (Retry-After) replaces the backoff.
 */
import { ProviderError, RateLimitedError } from './errors.ts';
import type { Sleep } from './provider.ts';

export interface RetryPolicy {
  /** Total tries including the first one. */
  maxAttempts: number;
  /** Backoff before the first retry; doubles each time up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out: the error is thrown instead. */
  maxRetryAfterMs: number;
}

export interface RetryDeps {
  sleep: Sleep;
  /** In [0, 1); injectable so tests get deterministic delays. */
  random: () => number;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; error: ProviderError }) => void;
}

/** "Equal jitter": half the exponential delay is fixed, half random, so retries from many clients spread out. */
export function backoffDelay(retryNumber: number, policy: RetryPolicy, random: () => number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, deps: RetryDeps): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      deps.signal?.throwIfAborted();
      if (!(error instanceof ProviderError) || !error.retryable || attempt >= policy.maxAttempts) throw error;
      const asked = error instanceof RateLimitedError ? error.retryAfterMs : undefined;
      if (asked !== undefined && asked > policy.maxRetryAfterMs) throw error;
      const delayMs = asked ?? backoffDelay(attempt, policy, deps.random);
      deps.onRetry?.({ attempt, delayMs, error });
      await deps.sleep(delayMs, deps.signal);
    }
  }
}
