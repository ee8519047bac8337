/** Small checks shared by all providers. */
import type { Candle } from '../candle.ts';
import { dayToMs } from '../validate.ts';
import { InvalidRequestError, QuotaExhaustedError } from './errors.ts';
import type { ProviderName } from './provider.ts';
import { DailyCapReachedError, type RateLimiter } from './rate-limiter.ts';

const SYMBOL_RE = /^[A-Z0-9]{1,20}$/;

/** Tickers are upper-case letters/digits ("BTC", "1INCH"); anything else is refused before it reaches a path or URL. */
export function checkSymbol(symbol: string, provider: ProviderName): void {
  if (!SYMBOL_RE.test(symbol)) {
    throw new InvalidRequestError(`invalid symbol "${symbol.slice(0, 40)}": expected upper-case letters/digits like BTC`, {
      provider,
      symbol,
    });
  }
}

/** A predicate keeping candles on/after `since` (YYYY-MM-DD); throws InvalidRequestError for a malformed date. */
export function sinceFilter(since: string | undefined, provider: ProviderName = 'csv'): (c: Candle) => boolean {
  if (since === undefined) return () => true;
  if (Number.isNaN(dayToMs(since))) {
    throw new InvalidRequestError(`invalid "since" date "${since}": expected YYYY-MM-DD`, { provider });
  }
  return (c) => c.date >= since;
}

/** Takes a limiter token, reporting our own daily cap as the provider's QuotaExhaustedError. */
export async function acquireToken(
  limiter: RateLimiter,
  ctx: { provider: ProviderName; symbol: string; signal?: AbortSignal; capSetting: string },
): Promise<void> {
  try {
    await limiter.acquire(ctx.signal);
  } catch (error) {
    if (!(error instanceof DailyCapReachedError)) throw error;
    throw new QuotaExhaustedError(
      `local daily cap of ${error.perDay} requests reached (${ctx.capSetting}); resets at ${error.resetsAt.toISOString()}`,
      { provider: ctx.provider, symbol: ctx.symbol },
    );
  }
}

/** Reports a retry as one warning line, e.g. "Binance BTC: HTTP 503 ... (retry 1 of 3 in 1.2 s)". */
export function retryWarning(maxAttempts: number, onWarning?: (msg: string) => void) {
  return ({ attempt, delayMs, error }: { attempt: number; delayMs: number; error: Error }) =>
    onWarning?.(`${error.message} (retry ${attempt} of ${maxAttempts - 1} in ${(delayMs / 1000).toFixed(1)} s)`);
}
