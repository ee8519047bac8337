import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAlphaVantageProvider, type AlphaVantageOptions } from '../../../src/data/providers/alphavantage.ts';
import {
  InvalidApiKeyError,
  InvalidDataError,
  InvalidRequestError,
  MalformedResponseError,
  NetworkError,
  ProviderConfigError,
  ProviderError,
  QuotaExhaustedError,
  RateLimitedError,
  UnknownSymbolError,
  UpstreamError,
} from '../../../src/data/providers/errors.ts';
import { TokenBucketLimiter, type RateLimiter } from '../../../src/data/providers/rate-limiter.ts';
import { DATA_DIR, fakeTime, json, sample, sequence, startServer, warningSink, type Handler, type Reply } from './helpers.ts';

const KEY = 'SECRETKEY123456';
const LEGACY_USD = sample('alphavantage/DIGITAL_CURRENCY_DAILY_legacy_BTC_USD_2020-11-18.json');
const LEGACY_EUR = sample('alphavantage/DIGITAL_CURRENCY_DAILY_legacy_BTC_EUR_2020-11-18.json');
const LEGACY_CNY = sample('alphavantage/DIGITAL_CURRENCY_DAILY_legacy_BTC_CNY_2020-05-04.json');
const CURRENT_EUR = sample('alphavantage/DIGITAL_CURRENCY_DAILY_current_BTC_EUR_2025-08-24.json');
const NOTE_PER_MINUTE = sample('alphavantage/errors/Note_rate_limit_legacy_5_per_minute.json');
const INFO_PER_DAY = sample('alphavantage/errors/Information_rate_limit_25_per_day.json');
const INFO_DEMO = sample('alphavantage/errors/Information_demo_key.json');
const ERR_INVALID_CALL = sample('alphavantage/errors/Error_Message_invalid_api_call_FX_DAILY.json');
const ERR_MISSING_KEY = sample('alphavantage/errors/Error_Message_missing_apikey.json');

const ok = (body: string): Reply => ({ body });
/** A limiter that never waits, so retry sleeps can be observed on their own. */
const noLimit: RateLimiter = { acquire: async () => {} };

/** Runs `fn` against a provider pointed at a replay server, and closes the server afterwards. */
async function withProvider<T>(
  handler: Handler,
  opts: Partial<AlphaVantageOptions> & { nowIso?: string },
  fn: (ctx: { provider: ReturnType<typeof createAlphaVantageProvider>; requests: { query: URLSearchParams }[]; sleeps: number[]; warnings: string[] }) => Promise<T>,
): Promise<T> {
  const server = await startServer(handler);
  const time = fakeTime(opts.nowIso ?? '2030-01-01T12:00:00Z');
  const sink = warningSink();
  try {
    const provider = createAlphaVantageProvider({
      apiKey: KEY,
      baseUrl: `${server.baseUrl}/query`,
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

function bundledRow(date: string) {
  const line = readFileSync(join(DATA_DIR, 'BTC.csv'), 'utf8').split('\n').find((l) => l.startsWith(date))!;
  const [d, open, high, low, close, volume] = line.split(',');
  return { date: d, open: Number(open), high: Number(high), low: Number(low), close: Number(close), volume: Number(volume) };
}

test('legacy format (market USD): one request with the right parameters; numbers equal the bundled Binance bars', async () => {
  await withProvider(sequence(ok(LEGACY_USD)), { nowIso: '2020-11-18T15:00:00Z', market: 'USD' }, async ({ provider, requests, warnings }) => {
    const candles = await provider.fetchDaily('BTC');
    // 2020-11-18 is "today" per the clock: still open, dropped.
    assert.deepEqual(candles, [bundledRow('2020-11-16'), bundledRow('2020-11-17')]);
    assert.equal(requests.length, 1);
    const q = requests[0].query;
    assert.deepEqual([q.get('function'), q.get('symbol'), q.get('market'), q.get('apikey')], ['DIGITAL_CURRENCY_DAILY', 'BTC', 'USD', KEY]);
    assert.deepEqual(warnings, []);
  });
});

test('current format ("1. open"): parses market-currency values, sorted ascending, current UTC day dropped', async () => {
  await withProvider(sequence(ok(CURRENT_EUR)), { nowIso: '2025-08-24T00:00:01Z', market: 'EUR' }, async ({ provider }) => {
    const candles = await provider.fetchDaily('BTC');
    assert.deepEqual(candles, [
      { date: '2025-08-22', open: 96856.83, high: 100149, low: 96171.51, close: 99313.95, volume: 260.30828027 },
      { date: '2025-08-23', open: 99318.46, high: 99404.71, low: 97251.01, close: 97909.36, volume: 118.22280715 },
    ]);
  });
  // A day later, 2025-08-24 is complete and kept.
  await withProvider(sequence(ok(CURRENT_EUR)), { nowIso: '2025-08-25T00:00:00Z', market: 'EUR' }, async ({ provider }) => {
    const candles = await provider.fetchDaily('BTC');
    assert.deepEqual(candles.map((c) => c.date), ['2025-08-22', '2025-08-23', '2025-08-24']);
    assert.equal(candles[2].close, 97886.73);
  });
});

test('legacy format with another market reads the "1a. ... (<MARKET>)" columns', async () => {
  await withProvider(sequence(ok(LEGACY_EUR)), { market: 'EUR' }, async ({ provider, warnings }) => {
    const candles = await provider.fetchDaily('BTC');
    assert.deepEqual(candles[1], { date: '2020-11-17', open: 14094.140364, high: 15060.342906, low: 13946.4954, close: 14892.155154, volume: 115221.403102 });
    assert.equal(candles.length, 3);
    assert.deepEqual(warnings, []);
  });
  await withProvider(sequence(ok(LEGACY_CNY)), { market: 'CNY' }, async ({ provider }) => {
    const candles = await provider.fetchDaily('BTC');
    assert.deepEqual(candles[0], { date: '2020-05-03', open: 63347.312058, high: 64952.92, low: 61507.5912, close: 62793.659016, volume: 90126.065643 });
  });
});

test('legacy format without the requested market falls back to "1b. ... (USD)" and warns', async () => {
  await withProvider(sequence(ok(LEGACY_EUR)), { market: 'GBP' }, async ({ provider, warnings }) => {
    const candles = await provider.fetchDaily('BTC');
    assert.equal(candles[1].open, 16713.08);
    assert.ok(warnings.some((w) => /the response has no GBP prices, using its USD columns/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /asked for market GBP, the response says EUR/.test(w)), warnings.join('\n'));
  });
});

test('since keeps only candles on/after the date (still one request)', async () => {
  await withProvider(sequence(ok(LEGACY_USD)), {}, async ({ provider, requests }) => {
    assert.deepEqual((await provider.fetchDaily('BTC', { since: '2020-11-17' })).map((c) => c.date), ['2020-11-17', '2020-11-18']);
    assert.equal(requests.length, 1);
  });
});

/** Expects fetchDaily to fail with `type`, and returns the error and how many requests were made. */
async function failure(handler: Handler, type: new (...args: never[]) => ProviderError, opts: Partial<AlphaVantageOptions> = {}) {
  return withProvider(handler, opts, async ({ provider, requests, sleeps, warnings }) => {
    const error = await provider.fetchDaily('BTC').then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    return { error: error as ProviderError, requests: requests.length, sleeps: [...sleeps], warnings: [...warnings] };
  });
}

test('each HTTP-200 error body maps to its own typed error, and only the per-minute limit is retried', async () => {
  const perMinute = await failure(sequence(ok(NOTE_PER_MINUTE)), RateLimitedError);
  assert.equal(perMinute.requests, 4, 'per-minute limit retried up to maxAttempts');
  assert.equal(perMinute.error.retryable, true);
  assert.match(perMinute.error.message, /^Alpha Vantage BTC: per-minute rate limit hit: Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute/);

  const perDay = await failure(sequence(ok(INFO_PER_DAY)), QuotaExhaustedError);
  assert.equal(perDay.requests, 1, 'quota exhausted is not retried');
  assert.match(perDay.error.message, /daily request quota used up: .*25 requests per day/);

  const demo = await failure(sequence(ok(INFO_DEMO)), InvalidApiKeyError);
  assert.equal(demo.requests, 1);
  assert.match(demo.error.message, /API key refused: The \*\*demo\*\* API key.*Set SIGNAL_POOL_ALPHAVANTAGE_API_KEY to your own key\.$/);

  const missingKey = await failure(sequence(ok(ERR_MISSING_KEY)), InvalidApiKeyError);
  assert.equal(missingKey.requests, 1);
  assert.match(missingKey.error.message, /SIGNAL_POOL_ALPHAVANTAGE_API_KEY/);

  const invalidCall = await failure(sequence(ok(ERR_INVALID_CALL)), InvalidRequestError);
  assert.equal(invalidCall.requests, 1);
  assert.match(invalidCall.error.message, /request for BTC\/USD rejected \(unknown symbol or invalid parameters\): Invalid API call/);

  const empty = await failure(sequence(ok('{}')), UnknownSymbolError);
  assert.equal(empty.requests, 1);
  assert.match(empty.error.message, /^Alpha Vantage BTC: unknown symbol: empty response for BTC\/USD/);

  for (const r of [perDay, demo, missingKey, invalidCall, empty]) assert.deepEqual(r.sleeps, []);
});

test('a per-minute limit followed by success: two requests, one exponential-backoff sleep, a warning', async () => {
  const r = await withProvider(sequence(ok(NOTE_PER_MINUTE), ok(LEGACY_USD)), {}, async ({ provider, requests, sleeps, warnings }) => {
    const candles = await provider.fetchDaily('BTC');
    return { candles, requests: requests.length, sleeps: [...sleeps], warnings: [...warnings] };
  });
  assert.equal(r.candles.length, 3);
  assert.equal(r.requests, 2);
  assert.deepEqual(r.sleeps, [15_000]); // base 20 s, equal jitter with random() = 0.5 -> 10 s + 5 s
  assert.match(r.warnings[0], /per-minute rate limit hit.*\(retry 1 of 3 in 15\.0 s\)$/);
});

test('backoff doubles per retry up to the cap', async () => {
  const r = await failure(sequence(ok(NOTE_PER_MINUTE)), RateLimitedError, { retry: { maxAttempts: 5 } });
  assert.deepEqual(r.sleeps, [15_000, 30_000, 45_000, 45_000]);
  assert.equal(r.requests, 5);
});

test('HTTP 5xx and network errors are retried; other statuses and bad bodies are not', async () => {
  const serverError = await withProvider(sequence(json('oops', 500), ok(LEGACY_USD)), {}, async ({ provider, requests }) => {
    assert.equal((await provider.fetchDaily('BTC')).length, 3);
    return requests.length;
  });
  assert.equal(serverError, 2);

  const always503 = await failure(sequence(json('', 503)), UpstreamError);
  assert.equal(always503.requests, 4);
  assert.match(always503.error.message, /HTTP 503 from http:\/\/127\.0\.0\.1:\d+\/query\?function=DIGITAL_CURRENCY_DAILY&symbol=BTC&market=USD$/);

  const dropped = await withProvider(sequence('destroy', ok(LEGACY_USD)), {}, async ({ provider, requests }) => {
    assert.equal((await provider.fetchDaily('BTC')).length, 3);
    return requests.length;
  });
  assert.equal(dropped, 2);

  const alwaysDropped = await failure(sequence('destroy'), NetworkError);
  assert.equal(alwaysDropped.requests, 4);
  assert.match(alwaysDropped.error.message, /request to http:\/\/127\.0\.0\.1:\d+\/query\?.* failed: fetch failed/);

  const notFound = await failure(sequence(json('nope', 404)), UpstreamError);
  assert.equal(notFound.requests, 1);
  assert.equal(notFound.error.retryable, false);

  const html = await failure(sequence({ body: '<html>maintenance</html>' }), MalformedResponseError);
  assert.equal(html.requests, 1);
  assert.match(html.error.message, /body that is not JSON: "<html>maintenance<\/html>"/);
});

test('a server that never answers times out as a NetworkError', async () => {
  const r = await failure(sequence('hang'), NetworkError, { timeoutMs: 150, retry: { maxAttempts: 2 } });
  assert.equal(r.requests, 2);
  assert.match(r.error.message, /no answer from .* within 150 ms/);
});

test('an aborted fetch is not retried and rejects with the abort reason', async () => {
  const ctrl = new AbortController();
  // Abort once the request is in flight (the server has it and never answers).
  const abortOnArrival: Handler = () => {
    setImmediate(() => ctrl.abort(new Error('shutdown')));
    return 'hang';
  };
  await withProvider(abortOnArrival, {}, async ({ provider, requests }) => {
    await assert.rejects(provider.fetchDaily('BTC', { signal: ctrl.signal }), /shutdown/);
    assert.equal(requests.length, 1);
  });
});

test('a bad row in the response is an InvalidDataError naming the URL (without key), row and date', async () => {
  const broken = LEGACY_USD.replace('"2b. high (USD)": "17858.82000000"', '"2b. high (USD)": "1.00000000"').replace(
    '"2a. high (USD)": "17858.82000000"',
    '"2a. high (USD)": "1.00000000"',
  );
  const r = await failure(sequence(ok(broken)), InvalidDataError);
  assert.match(r.error.message, /^Alpha Vantage BTC: http:\/\/127\.0\.0\.1:\d+\/query\?function=DIGITAL_CURRENCY_DAILY&symbol=BTC&market=USD row 2 \(2020-11-17\): high 1 is below low 16538$/);
});

test('the local daily cap stops calls before they are made', async () => {
  const time = fakeTime('2030-01-01T12:00:00Z');
  const server = await startServer(sequence(ok(LEGACY_USD)));
  try {
    const provider = createAlphaVantageProvider({
      apiKey: KEY,
      baseUrl: `${server.baseUrl}/query`,
      limiter: new TokenBucketLimiter({ perMinute: 5, burst: 1, perDay: 2, now: time.now, sleep: time.sleep }),
      now: time.now,
      sleep: time.sleep,
    });
    await provider.fetchDaily('BTC');
    await provider.fetchDaily('ETH');
    assert.deepEqual(time.sleeps, [12_000], 'the second call waited for the per-minute spacing');
    await assert.rejects(provider.fetchDaily('LTC'), (e: unknown) => {
      assert.ok(e instanceof QuotaExhaustedError);
      assert.match(e.message, /^Alpha Vantage LTC: local daily cap of 2 requests reached \(rateLimits\.alphaVantagePerDay\); resets at 2030-01-02T00:00:00\.000Z$/);
      return true;
    });
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

test('the API key never appears in any error message, stack or warning', async () => {
  const echoKey = JSON.stringify({
    Information: `Thank you for using Alpha Vantage! We have detected your API key as ${KEY} and our standard API rate limit is 25 requests per day.`,
  });
  const keyInNote = JSON.stringify({ Note: `Your key ${KEY} made too many calls: call frequency is 5 calls per minute.` });
  const broken = LEGACY_USD.replace('"1a. open (USD)": "16713.08000000"', '"1a. open (USD)": "x"');
  const texts: string[] = [];
  const cases: [Handler, new (...args: never[]) => ProviderError][] = [
    [sequence(ok(echoKey)), QuotaExhaustedError],
    [sequence(ok(keyInNote)), RateLimitedError],
    [sequence(ok(NOTE_PER_MINUTE)), RateLimitedError],
    [sequence(ok(INFO_DEMO)), InvalidApiKeyError],
    [sequence(ok(ERR_MISSING_KEY)), InvalidApiKeyError],
    [sequence(ok(ERR_INVALID_CALL)), InvalidRequestError],
    [sequence(ok('{}')), UnknownSymbolError],
    [sequence(json('', 502)), UpstreamError],
    [sequence('destroy'), NetworkError],
    [sequence({ body: `not json ${KEY}` }), MalformedResponseError],
    [sequence(ok(broken)), InvalidDataError],
  ];
  for (const [handler, type] of cases) {
    const r = await failure(handler, type);
    texts.push(r.error.message, String(r.error.stack), JSON.stringify(r.error), ...r.warnings);
    if (r.error.cause instanceof Error) texts.push(r.error.cause.message);
  }
  assert.ok(texts.length > cases.length * 3);
  for (const t of texts) assert.ok(!t.includes(KEY), `key leaked in: ${t}`);
  assert.ok(texts.some((t) => t.includes('detected your API key as ***')), 'upstream text is kept, key masked');
});

test('a missing API key is a configuration error', () => {
  assert.throws(() => createAlphaVantageProvider({ apiKey: '' }), (e: unknown) => e instanceof ProviderConfigError && /SIGNAL_POOL_ALPHAVANTAGE_API_KEY/.test(e.message));
});
