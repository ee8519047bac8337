import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProvider, ProviderConfigError, type ProviderName } from '../../../src/data/providers/index.ts';
import type { ProviderFactoryOptions } from '../../../src/data/providers/index.ts';
import { DATA_DIR, fakeTime, sample, sequence, startServer } from './helpers.ts';

function options(kind: ProviderName, extra: Partial<ProviderFactoryOptions> = {}): ProviderFactoryOptions {
  return {
    kind,
    dataDir: DATA_DIR,
    alphaVantageBaseUrl: 'http://127.0.0.1:9/query',
    binanceBaseUrl: 'http://127.0.0.1:9',
    binanceQuote: 'USDT',
    market: 'USD',
    limits: { alphaVantagePerMinute: 5, alphaVantagePerDay: 25, binancePerMinute: 600 },
    ...extra,
  };
}

test('picks the provider named by kind (both call styles)', () => {
  assert.equal(createProvider(options('csv')).name, 'csv');
  assert.equal(createProvider(options('binance')).name, 'binance');
  assert.equal(createProvider(options('alphavantage', { alphaVantageApiKey: 'k-123456' })).name, 'alphavantage');
  const { kind: _kind, ...rest } = options('csv');
  assert.equal(createProvider('binance', rest).name, 'binance');
});

test('alphavantage without a key fails at construction with a clear config error', () => {
  assert.throws(
    () => createProvider(options('alphavantage')),
    (e: unknown) =>
      e instanceof ProviderConfigError &&
      /^Alpha Vantage: SIGNAL_POOL_PROVIDER=alphavantage needs an API key: set SIGNAL_POOL_ALPHAVANTAGE_API_KEY/.test(e.message),
  );
});

test('the csv provider reads the configured directory', async () => {
  const candles = await createProvider(options('csv')).fetchDaily('ETH', { since: '2026-01-01' });
  assert.deepEqual(candles.map((c) => c.date), ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05']);
});

test('the factory applies the configured Alpha Vantage limits (spacing and daily cap)', async () => {
  const server = await startServer(sequence({ body: sample('alphavantage/DIGITAL_CURRENCY_DAILY_legacy_BTC_USD_2020-11-18.json') }));
  const time = fakeTime('2030-01-01T00:00:00Z');
  try {
    const provider = createProvider(
      options('alphavantage', {
        alphaVantageApiKey: 'k-123456',
        alphaVantageBaseUrl: `${server.baseUrl}/query`,
        limits: { alphaVantagePerMinute: 2, alphaVantagePerDay: 3, binancePerMinute: 600 },
        now: time.now,
        sleep: time.sleep,
      }),
    );
    for (const coin of ['BTC', 'ETH', 'LTC']) await provider.fetchDaily(coin);
    assert.deepEqual(time.sleeps, [30_000, 30_000]); // 2 per minute, evenly spaced
    await assert.rejects(provider.fetchDaily('XRP'), /local daily cap of 3 requests reached/);
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});
