import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBinanceProvider, parseRetryAfter, type BinanceOptions } from '../../../src/data/providers/binance.ts';
import {
  InvalidDataError,
  InvalidRequestError,
  IpBannedError,
  MalformedResponseError,
  ProviderError,
  RateLimitedError,
  UnknownSymbolError,
  UpstreamError,
} from '../../../src/data/providers/errors.ts';
import { TokenBucketLimiter, type RateLimiter } from '../../../src/data/providers/rate-limiter.ts';
import { parseCandleCsv } from '../../../src/data/csv.ts';
import type { Candle } from '../../../src/data/candle.ts';
import { DATA_DIR, fakeTime, json, sample, sequence, startServer, warningSink, type Handler, type Recorded, type Reply } from './helpers.ts';

const DAY = 86_400_000;
const noLimit: RateLimiter = { acquire: async () => {} };
const BTC: Candle[] = parseCandleCsv(readFileSync(join(DATA_DIR, 'BTC.csv'), 'utf8'), 'BTC.csv').candles;

/**
 * A kline in the exact layout of GET /api/v3/klines (see fixtures README): prices/volumes as 8-decimal strings,
 * times as integers. Fields 7-10 are not in the CSV; they are synthesised (quote volume = close * volume).
 */
function kline(c: Candle): unknown[] {
  const open = Date.parse(`${c.date}T00:00:00Z`);
  const f = (x: number) => x.toFixed(8);
  return [open, f(c.open), f(c.high), f(c.low), f(c.close), f(c.volume), open + DAY - 1, f(c.close * c.volume), 1000, f(c.volume / 2), f((c.close * c.volume) / 2), '0'];
}

/** Serves the bundled BTC history (plus an optional unfinished day) the way Binance pages it: startTime + limit. */
function klinesServer(candles: Candle[]): Handler {
  return (req: Recorded): Reply => {
    if (req.path !== '/api/v3/klines') return json({ code: -1, msg: 'wrong path' }, 404);
    if (req.query.get('symbol') !== 'BTCUSDT') return json({ code: -1121, msg: 'Invalid symbol.' }, 400);
    if (req.query.get('interval') !== '1d') return json({ code: -1120, msg: 'Invalid interval.' }, 400);
    const start = Number(req.query.get('startTime') ?? 0);
    const limit = Math.min(Number(req.query.get('limit') ?? 500), 1000);
    const rows = candles.filter((c) => Date.parse(`${c.date}T00:00:00Z`) >= start).slice(0, limit);
    return json(rows.map(kline));
  };
}

async function withProvider<T>(
  handler: Handler,
  opts: Partial<BinanceOptions> & { nowIso?: string },
  fn: (ctx: { provider: ReturnType<typeof createBinanceProvider>; requests: Recorded[]; sleeps: number[]; warnings: string[] }) => Promise<T>,
): Promise<T> {
  const server = await startServer(handler);
  const time = fakeTime(opts.nowIso ?? '2026-01-06T12:00:00Z');
  const sink = warningSink();
  try {
    const provider = createBinanceProvider({
      baseUrl: server.baseUrl,
      limiter: noLimit,
      now: time.now,
      sleep: time.sleep,
      random: () => 0.5,
      onWarning: sink.onWarning,
      ...opts,
    });
    return await fn({ provider, requests: server.requests, sleeps: time.sleeps, warnings: sink.warnings });
  } finally {
    await server.close();
  }
}

test('the real sample page parses to the bundled Binance bars', async () => {
  await withProvider(sequence({ body: sample('binance/klines_BTCUSDT_1d_raw_2021-12-07.json') }), { nowIso: '2024-09-02T00:00:00Z' }, async ({ provider, requests }) => {
    const candles = await provider.fetchDaily('BTC');
    const expected = BTC.filter((c) => c.date >= '2021-12-07' && c.date <= '2021-12-09');
    assert.equal(expected.length, 3);
    assert.deepEqual(candles, expected);
    assert.equal(requests.length, 1);
    const q = requests[0].query;
    assert.deepEqual([q.get('symbol'), q.get('interval'), q.get('startTime'), q.get('limit')], ['BTCUSDT', '1d', '0', '1000']);
  });
});

test('pages through more than 1000 rows and drops the unfinished candle', async () => {
  const last = BTC.at(-1)!;
  // 2026-01-06 is still open at 12:00 UTC: its close time (23:59:59.999) is after "now".
  const open: Candle = { date: '2026-01-06', open: last.close, high: last.close + 500, low: last.close - 500, close: last.close + 100, volume: 5043 };
  await withProvider(klinesServer([...BTC, open]), { nowIso: '2026-01-06T12:00:00Z' }, async ({ provider, requests, warnings }) => {
    const candles = await provider.fetchDaily('BTC');
    assert.equal(BTC.length, 3064);
    assert.deepEqual(candles, BTC);
    // 3065 served rows: pages of 1000, 1000, 1000, 65.
    assert.deepEqual(requests.map((r) => Number(r.query.get('startTime'))), [
      0,
      Date.parse(`${BTC[999].date}T00:00:00Z`) + 1,
      Date.parse(`${BTC[1999].date}T00:00:00Z`) + 1,
      Date.parse(`${BTC[2999].date}T00:00:00Z`) + 1,
    ]);
    assert.deepEqual(warnings, []);
  });
});

test('after the day closes, the same candle is kept', async () => {
  const last = BTC.at(-1)!;
  const extra: Candle = { date: '2026-01-06', open: last.close, high: last.close + 500, low: last.close - 500, close: last.close + 100, volume: 20000 };
  await withProvider(klinesServer([...BTC.slice(-5), extra]), { nowIso: '2026-01-07T00:00:00Z' }, async ({ provider }) => {
    const candles = await provider.fetchDaily('BTC');
    assert.equal(candles.at(-1)!.date, '2026-01-06');
    assert.equal(candles.length, 6);
  });
});

test('since becomes startTime: one request, only the needed candles', async () => {
  await withProvider(klinesServer(BTC), {}, async ({ provider, requests }) => {
    const candles = await provider.fetchDaily('BTC', { since: '2025-12-01' });
    assert.equal(requests.length, 1);
    assert.equal(requests[0].query.get('startTime'), String(Date.UTC(2025, 11, 1)));
    assert.deepEqual(candles, BTC.filter((c) => c.date >= '2025-12-01'));
    assert.equal(candles.length, 36);
  });
});

test('a small page size still returns every row exactly once', async () => {
  await withProvider(klinesServer(BTC.slice(0, 95)), { pageLimit: 10 }, async ({ provider, requests }) => {
    assert.deepEqual(await provider.fetchDaily('BTC'), BTC.slice(0, 95));
    assert.equal(requests.length, 10);
  });
});

async function failure(handler: Handler, type: new (...args: never[]) => ProviderError, opts: Partial<BinanceOptions> & { nowIso?: string } = {}) {
  return withProvider(handler, opts, async ({ provider, requests, sleeps }) => {
    const error = await provider.fetchDaily('BTC').then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return { error: error as ProviderError, requests: requests.length, sleeps: [...sleeps] };
  });
}

test('HTTP 429 waits the Retry-After seconds, then retries', async () => {
  const tooMany = json({ code: -1003, msg: 'Too many requests; current limit is 6000 request weight per 1 MINUTE.' }, 429, { 'retry-after': '3' });
  await withProvider(sequence(tooMany, { body: sample('binance/klines_BTCUSDT_1d_raw_2021-12-07.json') }), {}, async ({ provider, requests, sleeps, warnings }) => {
    assert.equal((await provider.fetchDaily('BTC')).length, 3);
    assert.equal(requests.length, 2);
    assert.deepEqual(sleeps, [3000]);
    assert.match(warnings[0], /^Binance BTC: HTTP 429: rate limited \(code -1003: Too many requests.*\(retry 1 of 3 in 3\.0 s\)$/);
  });
  const always = await failure(sequence(tooMany), RateLimitedError);
  assert.equal(always.requests, 4);
  assert.deepEqual(always.sleeps, [3000, 3000, 3000]);
});

test('HTTP 429 without Retry-After falls back to exponential backoff; an absurd Retry-After is not waited out', async () => {
  const r = await failure(sequence(json({ code: -1003, msg: 'Too many requests.' }, 429)), RateLimitedError);
  assert.deepEqual(r.sleeps, [750, 1500, 3000]);
  const long = await failure(sequence(json({ code: -1003, msg: 'Too many requests.' }, 429, { 'retry-after': '3600' })), RateLimitedError);
  assert.equal(long.requests, 1);
  assert.deepEqual(long.sleeps, []);
});

test('HTTP 418 (IP ban) is not retried and says so', async () => {
  const r = await failure(sequence(json({ code: -1003, msg: 'Way too many requests; IP banned until 1731760000000.' }, 418, { 'retry-after': '120' })), IpBannedError);
  assert.equal(r.requests, 1);
  assert.equal(r.error.retryable, false);
  assert.match(r.error.message, /^Binance BTC: HTTP 418: this IP is banned for 120 s for exceeding rate limits \(code -1003: Way too many requests.*\); not retrying$/);
});

test('{code,msg} bodies map to typed errors without retries', async () => {
  const unknown = await withProvider(klinesServer(BTC), {}, async ({ provider, requests }) => {
    const e = await provider.fetchDaily('NOPE').catch((x: unknown) => x);
    return { e, requests: requests.length };
  });
  assert.ok(unknown.e instanceof UnknownSymbolError);
  assert.equal(unknown.requests, 1);
  assert.match(unknown.e.message, /^Binance NOPE: unknown symbol \(pair NOPEUSDT\) \(code -1121: Invalid symbol\.\)$/);

  const badParam = await failure(sequence(json({ code: -1100, msg: "Illegal characters found in parameter 'symbol'." }, 400)), InvalidRequestError);
  assert.equal(badParam.requests, 1);
  assert.match(badParam.error.message, /request rejected with HTTP 400 \(code -1100: Illegal characters/);
});

test('5xx is retried with backoff; malformed bodies are not retried', async () => {
  await withProvider(sequence({ status: 502, body: '<html>Bad Gateway</html>' }, { body: sample('binance/klines_BTCUSDT_1d_raw_2021-12-07.json') }), {}, async ({ provider, requests, sleeps }) => {
    assert.equal((await provider.fetchDaily('BTC')).length, 3);
    assert.equal(requests.length, 2);
    assert.deepEqual(sleeps, [750]);
  });
  const down = await failure(sequence(json({ code: -1008, msg: 'Server is currently overloaded with other requests.' }, 503)), UpstreamError);
  assert.equal(down.requests, 4);
  const notArray = await failure(sequence(json({ hello: 'world' })), MalformedResponseError);
  assert.equal(notArray.requests, 1);
  const shortRow = await failure(sequence(json([[1638835200000, '1', '2']])), MalformedResponseError);
  assert.match(shortRow.error.message, /kline 1 of .* is not \[openTime, open, high, low, close, volume, closeTime, \.\.\.\]/);
  const offMidnight = await failure(sequence({ body: sample('binance/klines_ADAUSDT_1m_raw_2024-11-16.json') }), MalformedResponseError);
  assert.match(offMidnight.error.message, /kline 1 opens at 2024-11-16T09:07:00\.000Z, not at 00:00 UTC/);
});

test('bad kline values are an InvalidDataError naming the URL, row and date', async () => {
  const rows = JSON.parse(sample('binance/klines_BTCUSDT_1d_raw_2021-12-07.json')) as unknown[][];
  rows[1][3] = '99999.00000000'; // low above high
  const r = await failure(sequence(json(rows)), InvalidDataError, { nowIso: '2024-09-02T00:00:00Z' });
  assert.match(r.error.message, /^Binance BTC: http:\/\/127\.0\.0\.1:\d+\/api\/v3\/klines\?symbol=BTCUSDT&interval=1d row 2 \(2021-12-08\): high 51200 is below low 99999$/);
});

test('the limiter is asked once per page', async () => {
  let acquired = 0;
  const counting: RateLimiter = { acquire: async () => void acquired++ };
  await withProvider(klinesServer(BTC.slice(0, 25)), { pageLimit: 10, limiter: counting }, async ({ provider, requests }) => {
    await provider.fetchDaily('BTC');
    assert.equal(requests.length, 3);
  });
  assert.equal(acquired, 3);
  // With a real bucket of 1 call per second, 3 pages cost 2 s of (fake) waiting.
  const time = fakeTime('2026-01-06T12:00:00Z');
  await withProvider(klinesServer(BTC.slice(0, 25)), { pageLimit: 10, limiter: new TokenBucketLimiter({ perMinute: 60, burst: 1, now: time.now, sleep: time.sleep }) }, async ({ provider }) => {
    await provider.fetchDaily('BTC');
  });
  assert.deepEqual(time.sleeps, [1000, 1000]);
});

test('parseRetryAfter reads seconds and HTTP dates', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('7', now), 7000);
  assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('soon', now), undefined);
});
