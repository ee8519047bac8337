/**
 * Per-user rate limits as token buckets: a user may make `burst` requests at once, then one more every
 * `refillSeconds`. /predict uses (predictBurst, predictCooldownSeconds); /deploy uses (1, deployCooldownSeconds), i.e. a
 * plain cooldown. The clock is injected so tests can move time without waiting.
 */

export interface BucketRule {
  burst: number;
  refillSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Above this many tracked users, full (idle) buckets are forgotten: they carry no information. */
const PRUNE_ABOVE = 10_000;

export class CooldownTracker {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Takes one token for `key` if there is one and returns 0; otherwise returns how many seconds until the next token
   * (rounded up, at least 1) and takes nothing.
   */
  take(key: string, rule: BucketRule): number {
    if (rule.refillSeconds <= 0) return 0; // no limit configured
    const burst = Math.max(1, Math.floor(rule.burst));
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    const refilled = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.updatedAt) / 1000) / rule.refillSeconds);
    if (refilled >= 1) {
      this.buckets.set(key, { tokens: refilled - 1, updatedAt: now });
      this.prune(rule);
      return 0;
    }
    this.buckets.set(key, { tokens: refilled, updatedAt: now });
    return Math.max(1, Math.ceil((1 - refilled) * rule.refillSeconds));
  }

  private prune(rule: BucketRule): void {
    if (this.buckets.size <= PRUNE_ABOVE) return;
    const now = this.now();
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedAt) / 1000 / rule.refillSeconds >= rule.burst) this.buckets.delete(key);
    }
  }
}
