/**
 * Binance public spot klines (GET /api/v3/klines, no key needed). The coin "BTC" becomes the pair "BTCUSDT" (quote
 * configurable). One request returns at most 1000 daily klines, so the history is read in pages, each starting one
 * millisecond after the previous page's last open time.
 *
 * Errors: HTTP 429 (or code -1003) -> RateLimitedError, retried after Retry-After; HTTP 418 -> IpBannedError, never
 * retried (retrying while banned extends the ban); {"code":-1121} -> UnknownSymbolError; other {code,msg} ->
 * InvalidRequestError; 5xx -> UpstreamError (retried).
 */
import { z } from 'zod';
import type { Candle } from '../candle.ts';
import { CandleValidationError, dayToMs, validateCandles, type RawCandle } from '../validate.ts';
import { acquireToken, checkSymbol, retryWarning, sinceFilter } from './common.ts';
import {
  InvalidDataError,
  InvalidRequestError,
  IpBannedError,
  MalformedResponseError,
  RateLimitedError,
  UnknownSymbolError,
  UpstreamError,
  type ProviderErrorInit,
} from './errors.ts';
import { httpGet, type HttpContext, type HttpResponse } from './http.ts';
import type { Clock, FetchFn, FetchOptions, MarketDataProvider, Sleep } from './provider.ts';
import { TokenBucketLimiter, type RateLimiter } from './rate-limiter.ts';
import { withRetry, type RetryPolicy } from './retry.ts';
import { realSleep, systemClock } from './time.ts';

export const BINANCE_DEFAULT_URL = 'https://api.binance.com';
/** The API's maximum page size for klines. */
export const BINANCE_PAGE_LIMIT = 1000;
const DAY_MS = 86_400_000;
/** 1000 days per page: 50 pages is 137 years, so hitting this means the server is not advancing. */
const MAX_PAGES = 50;

export interface BinanceOptions {
  baseUrl?: string;
  /** Quote asset appended to the coin: "USDT" makes BTC -> BTCUSDT. */
  quote?: string;
  /** Default: 600 per minute. */
  limiter?: RateLimiter;
  now?: Clock;
  fetch?: FetchFn;
  sleep?: Sleep;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Rows per page (max 1000); smaller only in tests. */
  pageLimit?: number;
  onWarning?: (msg: string) => void;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

const decimal = z.union([z.string(), z.number()]);
/** [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, unused] */
const klineSchema = z.tuple([z.number().int(), decimal, decimal, decimal, decimal, decimal, z.number().int()], z.unknown());
const errorBodySchema = z.object({ code: z.number(), msg: z.string() });

interface Kline {
  openTime: number;
  closeTime: number;
  row: RawCandle;
}

export function createBinanceProvider(options: BinanceOptions = {}): MarketDataProvider {
  const provider = 'binance' as const;
  const quote = options.quote ?? 'USDT';
  const now = options.now ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const limiter = options.limiter ?? new TokenBucketLimiter({ perMinute: 600, now, sleep });
  const pageLimit = Math.min(options.pageLimit ?? BINANCE_PAGE_LIMIT, BINANCE_PAGE_LIMIT);

  async function fetchDaily(symbol: string, opts: FetchOptions = {}): Promise<Candle[]> {
    checkSymbol(symbol, provider);
    const keep = sinceFilter(opts.since, provider);
    const pair = `${symbol}${quote}`;
    const init: ProviderErrorInit = { provider, symbol };
    const nowMs = now().getTime();
    const complete: Kline[] = [];
    let startTime = opts.since ? dayToMs(opts.since) : 0;

    for (let page = 1; ; page++) {
      if (page > MAX_PAGES) throw new MalformedResponseError(`paging did not finish after ${MAX_PAGES} pages`, init);
      const url = new URL('/api/v3/klines', options.baseUrl ?? BINANCE_DEFAULT_URL);
      url.search = new URLSearchParams({ symbol: pair, interval: '1d', startTime: String(startTime), limit: String(pageLimit) }).toString();
      const http: HttpContext = {
        ...init,
        fetch: options.fetch ?? globalThis.fetch,
        timeoutMs: options.timeoutMs ?? 30_000,
        signal: opts.signal,
        describe: url.toString(),
        secrets: [],
      };
      const klines = await withRetry(
        async () => {
          await acquireToken(limiter, { ...init, symbol, signal: opts.signal, capSetting: 'binance limiter' });
          return klinesOf(await httpGet(url, http), http, pair, now().getTime());
        },
        policy,
        { sleep, random: options.random ?? Math.random, signal: opts.signal, onRetry: retryWarning(policy.maxAttempts, options.onWarning) },
      );
      // A kline whose close time is still ahead is today's unfinished candle.
      complete.push(...klines.filter((k) => k.closeTime <= nowMs));
      const last = klines[klines.length - 1];
      if (klines.length < pageLimit || last.closeTime >= nowMs) break;
      if (last.openTime < startTime) throw new MalformedResponseError(`page starting at ${startTime} went backwards`, init);
      startTime = last.openTime + 1;
    }

    const source = `${options.baseUrl ?? BINANCE_DEFAULT_URL}/api/v3/klines?symbol=${pair}&interval=1d`;
    try {
      const { candles, warnings } = validateCandles(complete.map((k) => k.row), source);
      warnings.forEach((w) => options.onWarning?.(w));
      return candles.filter(keep);
    } catch (error) {
      if (error instanceof CandleValidationError) throw new InvalidDataError(error.message, { ...init, cause: error });
      throw error;
    }
  }

  return { name: provider, fetchDaily };
}

/** Parses one page, or throws the typed error the status/body calls for. */
function klinesOf(res: HttpResponse, ctx: HttpContext, pair: string, nowMs: number): Kline[] {
  const init = { provider: ctx.provider, symbol: ctx.symbol };
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = undefined; // error pages from proxies/CDNs are often HTML; the status decides below
  }
  const apiError = errorBodySchema.safeParse(body);
  const codeMsg = apiError.success ? ` (code ${apiError.data.code}: ${apiError.data.msg})` : '';
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), nowMs);

  if (res.status === 418) {
    const wait = retryAfterMs !== undefined ? ` for ${Math.ceil(retryAfterMs / 1000)} s` : '';
    throw new IpBannedError(`HTTP 418: this IP is banned${wait} for exceeding rate limits${codeMsg}; not retrying`, init);
  }
  if (res.status === 429 || (apiError.success && apiError.data.code === -1003)) {
    throw new RateLimitedError(`HTTP ${res.status}: rate limited${codeMsg}`, { ...init, retryAfterMs });
  }
  if (apiError.success && apiError.data.code === -1121) {
    throw new UnknownSymbolError(`unknown symbol (pair ${pair})${codeMsg}`, init);
  }
  if (res.status >= 500) throw new UpstreamError(`HTTP ${res.status} from ${ctx.describe}${codeMsg}`, { ...init, status: res.status });
  if (apiError.success) throw new InvalidRequestError(`request rejected with HTTP ${res.status}${codeMsg}`, init);
  if (res.status !== 200) throw new UpstreamError(`HTTP ${res.status} from ${ctx.describe}`, { ...init, status: res.status });
  if (!Array.isArray(body)) throw new MalformedResponseError(`${ctx.describe} did not return a JSON array of klines`, init);

  return body.map((item, i) => {
    const k = klineSchema.safeParse(item);
    if (!k.success) throw new MalformedResponseError(`kline ${i + 1} of ${ctx.describe} is not [openTime, open, high, low, close, volume, closeTime, ...]`, init);
    const [openTime, open, high, low, close, volume, closeTime] = k.data;
    // Daily klines in the default timeZone open at 00:00 UTC; anything else would shift every date by a day.
    if (openTime % DAY_MS !== 0) throw new MalformedResponseError(`kline ${i + 1} opens at ${new Date(openTime).toISOString()}, not at 00:00 UTC`, init);
    const date = new Date(openTime).toISOString().slice(0, 10);
    return { openTime, closeTime, row: { date, open, high, low, close, volume } };
  });
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110). */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
