import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServices } from '../../src/app/create-services.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { UserFacingError } from '../../src/app/services.ts';
import { createCsvProvider, RateLimitedError } from '../../src/data/providers/index.ts';
import type { MarketDataProvider } from '../../src/data/providers/provider.ts';
import { FEATURE_NAMES } from '../../src/data/features.ts';
import { deployTrend } from '../../src/pipeline/deploy.ts';
import { bundledCandles, tempStore, testConfig } from '../helpers/system.ts';

const config = testConfig({ 'gate.positiveAccuracy': 0, 'gate.negativeAccuracy': 0, 'gate.overall': 0, protocol: 'seed', symbols: ['BTC', 'ETH', 'SOL'] });
let t: Awaited<ReturnType<typeof tempStore>>;

before(async () => {
  t = await tempStore();
  const deps = { config, store: t.store, logger: silentLogger, loadCandles: bundledCandles(config) };
  await deployTrend(deps, { trend: 'uptrend', symbols: ['BTC', 'ETH'], classifiers: ['Ridge'], protocol: 'seed', seed: 1, actor: 'test' });
  await deployTrend(deps, { trend: 'downtrend', symbols: ['BTC'], classifiers: ['Ridge'], protocol: 'seed', seed: 1, actor: 'test' });
});
after(() => t.cleanup());

/** The bundled CSV provider, counting calls and failing on demand for some symbols. */
function countingProvider(failFor: string[] = []): MarketDataProvider & { calls: string[] } {
  const csv = createCsvProvider({ dir: config.provider.dataDir });
  const calls: string[] = [];
  return {
    name: 'csv', calls,
    async fetchDaily(symbol, opts) {
      calls.push(symbol);
      if (failFor.includes(symbol)) throw new Error(`provider down for ${symbol}`);
      return csv.fetchDaily(symbol, opts);
    },
  };
}

test('batch predictions cover every champion of the trend and store each with its input row', async () => {
  const services = createServices({ config, store: t.store, provider: countingProvider(), logger: silentLogger });
  const up = await services.batchPredict('uptrend');
  assert.deepEqual(up.predictions.map((p) => p.symbol), ['BTC', 'ETH']);
  assert.deepEqual(up.failures, []);
  const candles = await bundledCandles(config)('BTC');
  for (const p of up.predictions) {
    assert.ok(p.probability >= 0 && p.probability <= 1);
    assert.equal(p.signal, p.probability >= config.signalThreshold);
    assert.equal(p.classifier, 'Ridge');
    assert.equal(p.version, 1);
    assert.equal(p.asOf, candles.at(-1)!.date, 'as-of is the newest complete candle');
  }
  const stored = await t.store.listPredictions({ trend: 'uptrend' });
  assert.equal(stored.total, 2);
  for (const s of stored.items) {
    assert.deepEqual(Object.keys(s.features), [...FEATURE_NAMES]);
    assert.ok(Object.values(s.features).every(Number.isFinite));
    assert.equal(s.modelName, `${s.symbol}_uptrend_model`);
  }
  const down = await services.batchPredict('downtrend');
  assert.deepEqual(down.predictions.map((p) => p.symbol), ['BTC']);
  const onlyEth = await services.batchPredict('uptrend', ['ETH']);
  assert.deepEqual(onlyEth.predictions.map((p) => p.symbol), ['ETH']);
});

test('a stored prediction for the champion and newest candle is served without a fetch or a model call', async () => {
  const provider = countingProvider();
  const services = createServices({ config, store: t.store, provider, logger: silentLogger });
  const first = await services.predict('BTC', 'uptrend');
  const callsAfterFirst = provider.calls.length;
  const second = await services.predict('BTC', 'uptrend');
  assert.equal(second.cached, true);
  assert.equal(second.probability, first.probability);
  assert.equal(provider.calls.length, callsAfterFirst, 'no provider call for a fresh cached prediction');
  const n = (await t.store.listPredictions({ symbol: 'BTC', trend: 'uptrend' })).total;
  assert.equal(n, 1, 'one prediction per (version, as-of)');
});

test('one coin failing is reported and does not stop the others; unknown models are a clear NOT_FOUND', async () => {
  const services = createServices({ config, store: t.store, provider: countingProvider(['ETH']), logger: silentLogger });
  const r = await services.batchPredict('uptrend');
  assert.deepEqual(r.predictions.map((p) => p.symbol), ['BTC']);
  assert.equal(r.failures.length, 1);
  assert.match(r.failures[0]!.error, /provider down for ETH/);
  await assert.rejects(services.predict('SOL', 'uptrend'), (err: unknown) => err instanceof UserFacingError && err.code === 'NOT_FOUND' && /No deployed uptrend model for SOL/.test(err.message));
  await assert.rejects(services.predict('DOGE', 'uptrend'), /Unknown symbol DOGE/);
  const limited = createServices({
    config, store: t.store, logger: silentLogger,
    provider: { name: 'alphavantage', fetchDaily: async () => { throw new RateLimitedError('rate limited: 5 calls per minute', { provider: 'alphavantage', symbol: 'BTC' }); } },
  });
  // BTC's candles are cached: the request is answered from them, saying why and how old (issue 19); without a cache it
  // fails with "Market data unavailable" (test/app/serving-resilience.test.ts).
  const stale = await limited.predict('BTC', 'uptrend');
  assert.match(String(stale.staleData?.reason), /BTC: rate limited: 5 calls per minute$/);
  assert.equal(stale.staleData?.lastCandle, (await t.store.getCandles('BTC')).at(-1)!.date);
  const missing = await services.batchPredict('uptrend', ['SOL']);
  assert.deepEqual(missing.failures, [{ symbol: 'SOL', error: 'no deployed uptrend model' }]);
});
