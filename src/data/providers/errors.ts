/**
 * The provider error taxonomy. Every failure a provider reports is a ProviderError with:
 * - `provider` and `symbol`, so a caller looping over 20 coins can say which one failed;
 * - `retryable`, which is the single flag the retry loop (retry.ts) looks at;
 * - a one-line message that is safe to show a user (no API key, no raw multi-line bodies), prefixed with the
 *   provider and symbol, e.g. "Binance BTC: unknown symbol (pair BTCUSDT): Invalid symbol.".
 */
import type { ProviderName } from './provider.ts';

const DISPLAY: Record<ProviderName, string> = { csv: 'CSV', alphavantage: 'Alpha Vantage', binance: 'Binance' };

export interface ProviderErrorInit {
  provider: ProviderName;
  symbol?: string;
  cause?: unknown;
}

/** Collapses whitespace/newlines and caps the length, so upstream text fits on one log line. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export abstract class ProviderError extends Error {
  readonly provider: ProviderName;
  readonly symbol: string | undefined;
  abstract readonly retryable: boolean;

  constructor(message: string, init: ProviderErrorInit) {
    const prefix = init.symbol ? `${DISPLAY[init.provider]} ${init.symbol}` : DISPLAY[init.provider];
    super(`${prefix}: ${oneLine(message, 600)}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.provider = init.provider;
    this.symbol = init.symbol;
  }
}

/** The symbol does not exist at this provider (missing CSV file, Binance -1121, empty Alpha Vantage body). */
export class UnknownSymbolError extends ProviderError {
  readonly retryable = false;
}

/** Short-term throttling (per-minute limit, HTTP 429). Worth retrying after `retryAfterMs` or a backoff. */
export class RateLimitedError extends ProviderError {
  readonly retryable = true;
  /** The wait the provider asked for (Retry-After), if it said. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, init: ProviderErrorInit & { retryAfterMs?: number }) {
    super(message, init);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The daily allowance is used up (Alpha Vantage "25 requests per day", or our own daily cap). Retrying today is useless. */
export class QuotaExhaustedError extends ProviderError {
  readonly retryable = false;
}

/** The provider rejected the request itself (bad parameters, unsupported symbol/market, premium-only endpoint). */
export class InvalidRequestError extends ProviderError {
  readonly retryable = false;
}

/** The API key is missing, invalid or the public "demo" key. */
export class InvalidApiKeyError extends ProviderError {
  readonly retryable = false;
}

/** Binance HTTP 418: this IP is banned for a while after ignoring 429s. Retrying extends the ban. */
export class IpBannedError extends ProviderError {
  readonly retryable = false;
}

/** An unexpected HTTP status. 5xx are the provider's own trouble and retryable; anything else is not. */
export class UpstreamError extends ProviderError {
  readonly retryable: boolean;
  readonly status: number;
  constructor(message: string, init: ProviderErrorInit & { status: number }) {
    super(message, init);
    this.status = init.status;
    this.retryable = init.status >= 500;
  }
}

/** Connection refused/reset, DNS failure, or no answer within the timeout. */
export class NetworkError extends ProviderError {
  readonly retryable = true;
}

/** The body is not what the API documents (not JSON, missing fields). */
export class MalformedResponseError extends ProviderError {
  readonly retryable = false;
}

/** The data arrived but failed candle validation (message carries source, row and date from validate.ts). */
export class InvalidDataError extends ProviderError {
  readonly retryable = false;
}

/** The provider cannot work as configured (no API key, data directory missing). */
export class ProviderConfigError extends ProviderError {
  readonly retryable = false;
}
