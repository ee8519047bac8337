import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig } from '../../config/load.ts';
import { secretsOf } from '../../config/schema.ts';

const noDotenv = { dotenvDir: null } as const;

test('defaults hold the documented values', () => {
  const c = loadConfig({ env: {}, ...noDotenv });
  assert.equal(c.symbols.length, 20);
  assert.equal(c.market, 'USD');
  assert.equal(c.predictionWindow, 10);
  assert.deepEqual(c.targetPct, { uptrend: 0.05, downtrend: -0.05 });
  assert.equal(c.indicatorPeriod, 7);
  assert.equal(c.splitFraction, 0.95);
  assert.deepEqual(c.gate, { positiveAccuracy: 0.5, negativeAccuracy: 0.5, overall: 0.6 });
  assert.equal(c.provider.kind, 'csv');
  assert.equal(c.rateLimits.alphaVantagePerMinute, 5);
  assert.ok(c.provider.dataDir.endsWith('data/ohlcv'));
});

test('environment variables override the file, lists and booleans parse', () => {
  const c = loadConfig({ env: { SIGNAL_POOL_SYMBOLS: 'BTC, ETH', SIGNAL_POOL_PREDICTION_WINDOW: '5', SIGNAL_POOL_HTTP_ENABLED: 'false', PORT: '9000' }, ...noDotenv });
  assert.deepEqual(c.symbols, ['BTC', 'ETH']);
  assert.equal(c.predictionWindow, 5);
  assert.equal(c.http.enabled, false);
  assert.equal(c.http.port, 9000);
});

test('a .env file fills in unset variables but never overrides the real environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-env-'));
  writeFileSync(join(dir, '.env'), 'SIGNAL_POOL_SEED=7\nSIGNAL_POOL_MARKET=EUR\n');
  const c = loadConfig({ env: { SIGNAL_POOL_MARKET: 'USD' }, dotenvDir: dir });
  assert.equal(c.seed, 7);
  assert.equal(c.market, 'USD');
});

test('an invalid configuration lists every bad key in one error', () => {
  try {
    loadConfig({ env: { SIGNAL_POOL_PREDICTION_WINDOW: 'ten', SIGNAL_POOL_TARGET_UP: '-0.1', SIGNAL_POOL_PROTOCOL: 'magic', SIGNAL_POOL_SYMBOLS: 'btc' }, ...noDotenv });
    assert.fail('expected ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 4, err.message);
    assert.match(err.message, /SIGNAL_POOL_PREDICTION_WINDOW \(predictionWindow\): must be a number, got "ten"/);
    assert.match(err.message, /targetPct\.uptrend \[SIGNAL_POOL_TARGET_UP\]: must be > 0/);
    assert.match(err.message, /protocol \[SIGNAL_POOL_PROTOCOL\]/);
    assert.match(err.message, /symbols\.0 \[SIGNAL_POOL_SYMBOLS\]: must be an upper-case ticker/);
  }
});

test('secrets never appear in errors or in the printable config', () => {
  const token = '12345:not-a-valid-token-because-of-the-!';
  try {
    loadConfig({ env: { SIGNAL_POOL_TELEGRAM_TOKEN: token, MONGODB_URI: 'http://user:hunter22@x' }, ...noDotenv });
    assert.fail('expected ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.ok(!err.message.includes(token));
    assert.ok(!err.message.includes('hunter22'));
    assert.match(err.message, /chat\.telegramToken/);
    assert.match(err.message, /store\.mongoUri/);
  }
  const c = loadConfig({ env: { SIGNAL_POOL_ALPHAVANTAGE_API_KEY: 'SECRETKEY123', MONGODB_URI: 'mongodb://u:pa%24ss@db:27017' }, ...noDotenv });
  const printed = JSON.stringify(describeConfig(c));
  assert.ok(!printed.includes('SECRETKEY123'));
  assert.ok(!printed.includes('pa%24ss'));
  assert.ok(secretsOf(c).includes('pa$ss'));
});

test('alphavantage provider without a key is rejected; a missing config file is named', () => {
  assert.throws(() => loadConfig({ env: { SIGNAL_POOL_PROVIDER: 'alphavantage' }, ...noDotenv }), /alphaVantageApiKey.*required/);
  assert.throws(() => loadConfig({ env: {}, file: '/nonexistent/x.json', ...noDotenv }), /config file \/nonexistent\/x\.json: file not found/);
});

test('drill 3: a bad cron expression and an unknown time zone are config errors, listed with the other bad keys', () => {
  try {
    loadConfig({
      env: { SIGNAL_POOL_DAILY_CRON: '99 99 * * *', SIGNAL_POOL_TIMEZONE: 'Mars/Olympus', SIGNAL_POOL_WEEKLY_CRON: '0 2 * *', SIGNAL_POOL_PROVIDER_TIMEOUT_MS: '5' },
      ...noDotenv,
    });
    assert.fail('expected ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 4, err.message);
    assert.match(err.message, /schedules\.daily \[SIGNAL_POOL_DAILY_CRON\]: is not a valid cron expression/);
    assert.match(err.message, /schedules\.timezone \[SIGNAL_POOL_TIMEZONE\]: is not a known IANA time zone/);
    assert.match(err.message, /schedules\.weeklyDeploy \[SIGNAL_POOL_WEEKLY_CRON\]: must be a cron expression with 5 or 6 fields/);
    assert.match(err.message, /provider\.timeoutMs \[SIGNAL_POOL_PROVIDER_TIMEOUT_MS\]/);
  }
  const ok = loadConfig({ env: { SIGNAL_POOL_DAILY_CRON: '*/30 6 * * 1-5', SIGNAL_POOL_TIMEZONE: 'Europe/Paris' }, ...noDotenv });
  assert.equal(ok.schedules.timezone, 'Europe/Paris');
  assert.equal(ok.provider.timeoutMs, 10_000);
  assert.equal(ok.modelCacheSize, 64);
});
