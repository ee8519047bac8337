/**
 * A token-bucket rate limiter with an optional daily cap, shared by the HTTP providers.
 *
 * The bucket holds up to `burst` tokens and refills continuously at `perMinute` tokens per minute. acquire() takes one
 * token, sleeping exactly as long as the refill needs (computed, never a fixed poll). Callers are served strictly in
 * arrival order, so concurrent fetches cannot starve each other.
 *
 * Why `burst` is separate from `perMinute`: with burst = perMinute the classic bucket allows up to 2*perMinute - 1
 * calls inside one 60 s window (a full bucket plus a minute of refill). Alpha Vantage counts calls per rolling minute,
 * so its provider uses burst 1 (evenly spaced calls: never more than perMinute in any minute).
 *
 * The daily cap counts successful acquisitions per UTC day (in this process only). When it is reached, acquire()
 * rejects with DailyCapReachedError at once instead of sleeping until midnight.
 */
import type { Clock, Sleep } from './provider.ts';
import { realSleep, systemClock, utcDay } from './time.ts';

export interface RateLimiter {
  /** Resolves when one call may be made; rejects with the signal's reason if aborted, or DailyCapReachedError. */
  acquire(signal?: AbortSignal): Promise<void>;
}

export interface TokenBucketOptions {
  /** Refill rate: tokens per minute. */
  perMinute: number;
  /** Bucket capacity (calls that may go out back to back). Default: perMinute. */
  burst?: number;
  /** Optional cap on acquisitions per UTC day. */
  perDay?: number;
  now?: Clock;
  sleep?: Sleep;
}

export class DailyCapReachedError extends Error {
  override readonly name = 'DailyCapReachedError';
  constructor(readonly perDay: number, readonly resetsAt: Date) {
    super(`daily cap of ${perDay} requests reached; resets at ${resetsAt.toISOString()}`);
  }
}

export class TokenBucketLimiter implements RateLimiter {
  private readonly msPerToken: number;
  private readonly capacity: number;
  private readonly perDay: number | undefined;
  private readonly now: Clock;
  private readonly sleep: Sleep;
  private tokens: number;
  private lastRefillMs: number;
  private day = '';
  private usedToday = 0;
  /** Settles when the previous caller has its token; chaining on it keeps callers in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(opts: TokenBucketOptions) {
    if (!(opts.perMinute > 0)) throw new RangeError(`perMinute must be > 0, got ${opts.perMinute}`);
    const burst = opts.burst ?? opts.perMinute;
    if (!(burst >= 1)) throw new RangeError(`burst must be >= 1, got ${burst}`);
    if (opts.perDay !== undefined && !(opts.perDay >= 1)) throw new RangeError(`perDay must be >= 1, got ${opts.perDay}`);
    this.msPerToken = 60_000 / opts.perMinute;
    this.capacity = burst;
    this.perDay = opts.perDay;
    this.now = opts.now ?? systemClock;
    this.sleep = opts.sleep ?? realSleep;
    this.tokens = burst; // start full: the first `burst` calls need not wait
    this.lastRefillMs = this.now().getTime();
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const turn = this.queue.then(() => this.take(signal));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return signal ? rejectOnAbort(turn, signal) : turn;
  }

  /** Tokens available right now (for diagnostics and tests). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.checkDailyCap();
      this.refill();
      // A hair of tolerance: after sleeping the computed time, float rounding can leave 0.999999999 tokens.
      if (this.tokens >= 1 - 1e-9) {
        this.tokens = Math.max(0, this.tokens - 1);
        this.usedToday++;
        return;
      }
      await this.sleep(Math.ceil((1 - this.tokens) * this.msPerToken), signal);
    }
  }

  private refill(): void {
    const nowMs = this.now().getTime();
    const elapsed = Math.max(0, nowMs - this.lastRefillMs); // a clock stepping backwards refills nothing
    this.tokens = Math.min(this.capacity, this.tokens + elapsed / this.msPerToken);
    this.lastRefillMs = nowMs;
  }

  private checkDailyCap(): void {
    if (this.perDay === undefined) return;
    const now = this.now();
    const today = utcDay(now);
    if (today !== this.day) {
      this.day = today;
      this.usedToday = 0;
    }
    if (this.usedToday >= this.perDay) {
      const resetsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
      throw new DailyCapReachedError(this.perDay, resetsAt);
    }
  }
}

/** Lets an aborted caller leave the queue at once; its queued turn then sees the aborted signal and takes nothing. */
function rejectOnAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
