/**
 * Issue 19, drills 4 and 5, on the real services, a real embedded store and the real HTTP API:
 * - a corrupt champion artifact: /prediction for it fails, /health says which artifact and stays 200 while another
 *   champion serves, and answers 503 once nothing can be served (/live stays 200);
 * - a market-data provider that never answers: /prediction answers within the provider timeout from the cached
 *   candles, saying how old they are, and fails fast with "Market data unavailable" when there is no cache.
 * Fake neighbours are local servers on 127.0.0.1 that accept requests and never answer.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { buildApi } from '../../src/api/server.ts';
import { marketDataHealth } from '../../src/api/health.ts';
import { createServices } from '../../src/app/create-services.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { createBinanceProvider, createCsvProvider } from '../../src/data/providers/index.ts';
import { TokenBucketLimiter } from '../../src/data/providers/rate-limiter.ts';
import { deployTrend } from '../../src/pipeline/deploy.ts';
import { DATABASE_FILE } from '../../src/store/embedded/embedded-store.ts';
import { bundledCandles, tempStore, testConfig } from '../helpers/system.ts';

const config = testConfig({
  'gate.positiveAccuracy': 0, 'gate.negativeAccuracy': 0, 'gate.overall': 0, protocol: 'seed', symbols: ['BTC', 'ETH'],
  'provider.timeoutMs': 400,
});
let t: Awaited<ReturnType<typeof tempStore>>;

before(async () => {
  t = await tempStore();
  const deps = { config, store: t.store, logger: silentLogger, loadCandles: bundledCandles(config) };
  await deployTrend(deps, { trend: 'uptrend', symbols: ['BTC', 'ETH'], classifiers: ['Ridge'], protocol: 'seed', seed: 1, actor: 'test' });
});
after(() => t.cleanup());

async function serve(services: ReturnType<typeof createServices>) {
  const app = buildApi(services, { healthTimeoutMs: 2000, health: { marketData: () => marketDataHealth(services.market.status()) } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const get = async (path: string) => {
    const started = performance.now();
    const res = await fetch(base + path, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.json() as any, ms: performance.now() - started };
  };
  return { get, close: () => app.close() };
}

/** Damages an artifact's bytes inside the database file, as a flipped bit on disk would (its record is untouched). */
function corruptArtifact(dir: string, artifactId: string): void {
  const db = new Database(join(dir, DATABASE_FILE));
  try {
    const row = db.prepare('SELECT bytes FROM artifacts WHERE id = ?').get(artifactId) as { bytes: Buffer };
    const bytes = Buffer.from(row.bytes);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
    db.prepare('UPDATE artifacts SET bytes = ? WHERE id = ?').run(bytes, artifactId);
  } finally {
    db.close();
  }
}

test('drill 4: a corrupt champion artifact is named by /health; 503 only when no champion can be served', { timeout: 60_000 }, async () => {
  const services = createServices({ config, store: t.store, provider: createCsvProvider({ dir: config.provider.dataDir }), logger: silentLogger });
  const btc = (await t.store.getAlias('BTC_uptrend_model', 'champion'))!;
  const eth = (await t.store.getAlias('ETH_uptrend_model', 'champion'))!;
  let api = await serve(services);
  try {
    const healthy = await api.get('/health');
    assert.equal(healthy.status, 200);
    assert.equal(healthy.body.status, 'ok', JSON.stringify(healthy.body.problems));
    assert.deepEqual(healthy.body.artifacts.map((a: any) => [a.model, a.ok]), [['BTC_uptrend_model', true], ['ETH_uptrend_model', true]]);
  } finally {
    await api.close();
  }

  corruptArtifact(t.dir, btc.artifactId);
  api = await serve(services); // a fresh checker: the artifact results are remembered for 10 minutes
  try {
    const prediction = await api.get('/prediction?symbol=BTC&trend_type=uptrend');
    assert.notEqual(prediction.status, 200, 'the corrupt model is not served');
    assert.equal((await api.get('/prediction?symbol=ETH&trend_type=uptrend')).status, 200, 'the other champion still serves');
    const health = await api.get('/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'degraded');
    const bad = health.body.artifacts.find((a: any) => a.model === 'BTC_uptrend_model');
    assert.equal(bad.ok, false);
    assert.match(bad.error, /corrupt/);
    assert.ok(health.body.problems.some((p: string) => p.startsWith(`BTC_uptrend_model v${btc.version}: artifact cannot be loaded`)));
  } finally {
    await api.close();
  }

  corruptArtifact(t.dir, eth.artifactId);
  api = await serve(services);
  try {
    const health = await api.get('/health');
    assert.equal(health.status, 503, 'nothing can be served');
    assert.equal(health.body.status, 'unavailable');
    assert.equal((await api.get('/ready')).status, 503);
    assert.equal((await api.get('/live')).status, 200, 'liveness is apart from readiness');
  } finally {
    await api.close();
  }
});

test('drill 5: a provider that never answers: /prediction answers from cached candles within the timeout, or fails fast', { timeout: 60_000 }, async () => {
  let hits = 0;
  const silent: Server = createServer(() => { hits++; /* never answer */ });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const provider = createBinanceProvider({
    baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
    limiter: new TokenBucketLimiter({ perMinute: 6000 }),
    timeoutMs: config.provider.timeoutMs,
    retry: { maxAttempts: 1 },
  });
  // Its own store with intact champions: BTC has cached candles (up to the last bundled day), ETH has none.
  const own = await tempStore();
  const deps = { config, store: own.store, logger: silentLogger, loadCandles: bundledCandles(config) };
  await deployTrend(deps, { trend: 'uptrend', symbols: ['BTC', 'ETH'], classifiers: ['Ridge'], protocol: 'seed', seed: 1, actor: 'test' });
  const candles = await bundledCandles(config)('BTC');
  await own.store.upsertCandles('BTC', candles);
  const services = createServices({ config, store: own.store, provider, logger: silentLogger });
  const api = await serve(services);
  try {
    const stale = await api.get('/prediction?symbol=BTC&trend_type=uptrend');
    assert.equal(stale.status, 200, JSON.stringify(stale.body));
    assert.ok(stale.ms < 3000, `answered in ${stale.ms} ms`);
    assert.ok(hits >= 1, 'the provider was asked');
    const lastDay = candles.at(-1)!.date;
    assert.equal(stale.body.as_of <= lastDay, true);
    assert.equal(stale.body.stale_data.last_candle, lastDay);
    assert.equal(stale.body.stale_data.age_days, Math.floor((Date.now() - Date.parse(`${lastDay}T00:00:00Z`)) / 86_400_000));
    assert.match(stale.body.stale_data.reason, /within 400 ms/);

    const none = await api.get('/prediction?symbol=ETH&trend_type=uptrend');
    assert.equal(none.status, 503);
    assert.match(none.body.detail, /^Market data unavailable: /);
    assert.ok(none.ms < 3000, `failed in ${none.ms} ms`);
    const again = await api.get('/prediction?symbol=ETH&trend_type=uptrend');
    assert.equal(again.status, 503);
    assert.ok(again.ms < 500, `the second request fails fast (${again.ms} ms)`);

    const health = await api.get('/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'degraded');
    const failing = health.body.market_data.failing.map((f: any) => f.symbol);
    assert.ok(failing.includes('BTC') && failing.includes('ETH'));
  } finally {
    await api.close();
    silent.closeAllConnections();
    silent.close();
    await own.cleanup();
  }
});
