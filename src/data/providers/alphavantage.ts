/**
 * Alpha Vantage DIGITAL_CURRENCY_DAILY: one request per coin returns its whole daily history, newest first.
 *
 * Alpha Vantage reports almost every problem with HTTP 200 and a one-key JSON body, so classification is by body:
 *   {"Note"|"Information": "...call frequency / per minute / per second..."} -> RateLimitedError (retried)
 *   {"Note"|"Information": "...per day..."}                                  -> QuotaExhaustedError
 *   {"Information": "...demo API key..."}, {"Error Message": "...apikey..."}  -> InvalidApiKeyError
 *   {"Error Message": "Invalid API call..."}                                 -> InvalidRequestError (bad symbol/params)
 *   {}                                                                       -> UnknownSymbolError
 * Two day formats exist: current ("1. open", market currency) and legacy ("1a. open (EUR)" + "1b. open (USD)").
 * The API key is sent as a query parameter, so every URL shown anywhere goes through redactUrl() and every upstream
 * text through redact() (Alpha Vantage sometimes quotes the key back: "We have detected your API key as ...").
 */
import { z } from 'zod';
import type { Candle } from '../candle.ts';
import { CandleValidationError, validateCandles, type RawCandle } from '../validate.ts';
import { acquireToken, checkSymbol, retryWarning, sinceFilter } from './common.ts';
import {
  InvalidApiKeyError,
  InvalidDataError,
  InvalidRequestError,
  MalformedResponseError,
  ProviderConfigError,
  QuotaExhaustedError,
  RateLimitedError,
  UnknownSymbolError,
  UpstreamError,
  type ProviderErrorInit,
} from './errors.ts';
import { httpGet, parseJson, redact, redactUrl, type HttpResponse } from './http.ts';
import type { Clock, FetchFn, FetchOptions, MarketDataProvider, Sleep } from './provider.ts';
import { TokenBucketLimiter, type RateLimiter } from './rate-limiter.ts';
import { withRetry, type RetryPolicy } from './retry.ts';
import { realSleep, systemClock, utcDay } from './time.ts';

export const ALPHA_VANTAGE_DEFAULT_URL = 'https://www.alphavantage.co/query';
export const API_KEY_ENV = 'SIGNAL_POOL_ALPHAVANTAGE_API_KEY';

export interface AlphaVantageOptions {
  apiKey: string;
  baseUrl?: string;
  /** Quote currency, e.g. "USD" or "EUR". */
  market?: string;
  /** Default: 5 per minute evenly spaced, 25 per UTC day (the free tier). */
  limiter?: RateLimiter;
  now?: Clock;
  fetch?: FetchFn;
  sleep?: Sleep;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  onWarning?: (msg: string) => void;
}

/** The per-minute window is why the first retry waits ~10-20 s rather than ~1 s. */
const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 20_000, maxDelayMs: 60_000, maxRetryAfterMs: 120_000 };
const SERIES_KEY = 'Time Series (Digital Currency Daily)';

const bodySchema = z.object({
  'Meta Data': z.record(z.string(), z.unknown()).optional(),
  [SERIES_KEY]: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  Note: z.string().optional(),
  Information: z.string().optional(),
  'Error Message': z.string().optional(),
});
type Body = z.infer<typeof bodySchema>;

export function createAlphaVantageProvider(options: AlphaVantageOptions): MarketDataProvider {
  const provider = 'alphavantage' as const;
  if (!options.apiKey) {
    throw new ProviderConfigError(`an API key is required: set ${API_KEY_ENV} (free key: https://www.alphavantage.co/support/#api-key)`, { provider });
  }
  const apiKey = options.apiKey;
  const market = options.market ?? 'USD';
  const now = options.now ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const limiter = options.limiter ?? new TokenBucketLimiter({ perMinute: 5, burst: 1, perDay: 25, now, sleep });
  const secrets = [apiKey, encodeURIComponent(apiKey)];

  async function fetchDaily(symbol: string, opts: FetchOptions = {}): Promise<Candle[]> {
    checkSymbol(symbol, provider);
    const keep = sinceFilter(opts.since, provider);
    const url = new URL(options.baseUrl ?? ALPHA_VANTAGE_DEFAULT_URL);
    url.searchParams.set('function', 'DIGITAL_CURRENCY_DAILY');
    url.searchParams.set('symbol', symbol);
    url.searchParams.set('market', market);
    url.searchParams.set('apikey', apiKey);
    const describe = redactUrl(url);
    const init: ProviderErrorInit = { provider, symbol };
    const ctx: RequestContext = { provider, symbol, market, describe, secrets, onWarning: options.onWarning };
    const http = { ...ctx, fetch: options.fetch ?? globalThis.fetch, timeoutMs: options.timeoutMs ?? 30_000, signal: opts.signal };

    const series = await withRetry(
      async () => {
        await acquireToken(limiter, { ...init, symbol, signal: opts.signal, capSetting: 'rateLimits.alphaVantagePerDay' });
        return seriesOf(await httpGet(url, http), ctx);
      },
      policy,
      { sleep, random: options.random ?? Math.random, signal: opts.signal, onRetry: retryWarning(policy.maxAttempts, options.onWarning) },
    );

    // The newest day is still trading; a partial candle would look like a collapse in volume.
    const today = utcDay(now());
    const days = Object.entries(series)
      .filter(([date]) => date < today)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([date, day]) => parseDay(date, day, ctx));
    if (days.some((d) => d.usedUsd)) {
      options.onWarning?.(`Alpha Vantage ${symbol}: the response has no ${market} prices, using its USD columns`);
    }
    const rows = days.map((d) => d.row);
    try {
      const { candles, warnings } = validateCandles(rows, describe);
      warnings.forEach((w) => options.onWarning?.(w));
      return candles.filter(keep);
    } catch (error) {
      if (error instanceof CandleValidationError) throw new InvalidDataError(error.message, { ...init, cause: error });
      throw error;
    }
  }

  return { name: provider, fetchDaily };
}

interface RequestContext extends ProviderErrorInit {
  symbol: string;
  market: string;
  describe: string;
  secrets: readonly string[];
  onWarning?: (msg: string) => void;
}

/** The day series of a successful response; any other response becomes the matching typed error. */
function seriesOf(res: HttpResponse, ctx: RequestContext): Record<string, Record<string, unknown>> {
  const init = { provider: ctx.provider, symbol: ctx.symbol };
  if (res.status !== 200) {
    const detail = `HTTP ${res.status} from ${ctx.describe}`;
    if (res.status === 429) throw new RateLimitedError(`throttled (${detail})`, init);
    throw new UpstreamError(detail, { ...init, status: res.status });
  }
  const parsed = bodySchema.safeParse(parseJson(res, ctx));
  if (!parsed.success) throw new MalformedResponseError(`unexpected response shape from ${ctx.describe}`, init);
  const body = parsed.data;
  const series = body[SERIES_KEY];
  if (!series) throw classifyMessage(body, ctx);
  const code = body['Meta Data']?.['4. Market Code'];
  if (typeof code === 'string' && code !== ctx.market) {
    ctx.onWarning?.(`Alpha Vantage ${ctx.symbol}: asked for market ${ctx.market}, the response says ${code}`);
  }
  return series;
}

function classifyMessage(body: Body, ctx: RequestContext): Error {
  const init = { provider: ctx.provider, symbol: ctx.symbol };
  const keyError = (text: string) => new InvalidApiKeyError(`API key refused: ${text} Set ${API_KEY_ENV} to your own key.`, init);
  const errorMessage = body['Error Message'];
  const notice = body.Note ?? body.Information;
  if (errorMessage !== undefined) {
    const text = redact(errorMessage, ctx.secrets);
    if (/api ?key/i.test(text)) return keyError(text);
    return new InvalidRequestError(`request for ${ctx.symbol}/${ctx.market} rejected (unknown symbol or invalid parameters): ${text}`, init);
  }
  if (notice !== undefined) {
    const text = redact(notice, ctx.secrets);
    if (/\bdemo\b|api ?key (is )?invalid|invalid api ?key/i.test(text)) return keyError(text);
    // Checked before "per day": the legacy per-minute note also mentions "500 calls per day".
    if (/call frequency|per minute|per second|spreading out/i.test(text)) return new RateLimitedError(`per-minute rate limit hit: ${text}`, init);
    if (/per day|daily/i.test(text)) return new QuotaExhaustedError(`daily request quota used up: ${text}`, init);
    return new InvalidRequestError(`request refused: ${text}`, init);
  }
  return new UnknownSymbolError(`unknown symbol: empty response for ${ctx.symbol}/${ctx.market} from ${ctx.describe}`, init);
}

/**
 * One day of either format. Prices come from "1. open" (current format), else "1a. open (<market>)" (legacy,
 * market currency), else "1b. open (USD)" (legacy USD copy; `usedUsd` tells the caller to warn).
 */
function parseDay(date: string, day: Record<string, unknown>, ctx: RequestContext): { row: RawCandle; usedUsd: boolean } {
  const init = { provider: ctx.provider, symbol: ctx.symbol };
  let usedUsd = false;
  const price = (n: number, field: string): string => {
    const keys = [`${n}. ${field}`, `${n}a. ${field} (${ctx.market})`, `${n}b. ${field} (USD)`];
    const found = keys.findIndex((k) => day[k] !== undefined);
    if (found < 0) throw new MalformedResponseError(`${date} has no ${field} price (looked for ${keys.map((k) => `"${k}"`).join(', ')})`, init);
    if (found === 2 && ctx.market !== 'USD') usedUsd = true;
    return String(day[keys[found]]);
  };
  const volume = day['5. volume'];
  if (volume === undefined) throw new MalformedResponseError(`${date} has no "5. volume"`, init);
  const row = { date, open: price(1, 'open'), high: price(2, 'high'), low: price(3, 'low'), close: price(4, 'close'), volume: String(volume) };
  return { row, usedUsd };
}
