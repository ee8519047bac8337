/**
 * One HTTP GET with a timeout, turning transport failures into NetworkError. Status codes and bodies are left to
 * each provider, since Alpha Vantage and Binance signal errors very differently. `describe` is the URL as it may be
 * shown (already redacted); `secrets` are scrubbed from any text that reaches an error message.
 */
import { MalformedResponseError, NetworkError, oneLine, type ProviderErrorInit } from './errors.ts';
import type { FetchFn } from './provider.ts';

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpContext extends ProviderErrorInit {
  fetch: FetchFn;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The URL as it may appear in messages (no key). */
  describe: string;
  secrets: readonly string[];
}

/** Replaces every secret (of 4+ characters) in a text with "***". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** The URL without its query parameters that carry credentials. */
export function redactUrl(url: URL, secretParams: readonly string[] = ['apikey']): string {
  const copy = new URL(url);
  for (const p of secretParams) copy.searchParams.delete(p);
  return copy.toString();
}

export async function httpGet(url: URL, ctx: HttpContext): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
  const init = { provider: ctx.provider, symbol: ctx.symbol };
  try {
    const res = await ctx.fetch(url, { signal, headers: { accept: 'application/json' } });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  } catch (error) {
    ctx.signal?.throwIfAborted(); // the caller cancelled: not a network problem, not retryable
    if (timeout.aborted) throw new NetworkError(`no answer from ${ctx.describe} within ${ctx.timeoutMs} ms`, init);
    // Deliberately no `cause`: undici errors can embed the request URL, which may carry the key.
    throw new NetworkError(`request to ${ctx.describe} failed: ${redact(describeFetchError(error), ctx.secrets)}`, init);
  }
}

/** undici reports "fetch failed" with the useful part (ECONNREFUSED ...) in `cause`. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  const detail = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : undefined;
  return detail ? `${error.message} (${detail})` : error.message;
}

export function parseJson(res: HttpResponse, ctx: Pick<HttpContext, 'provider' | 'symbol' | 'describe' | 'secrets'>): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    const preview = oneLine(redact(res.text, ctx.secrets), 120);
    throw new MalformedResponseError(`${ctx.describe} returned HTTP ${res.status} with a body that is not JSON: "${preview}"`, {
      provider: ctx.provider,
      symbol: ctx.symbol,
    });
  }
}
