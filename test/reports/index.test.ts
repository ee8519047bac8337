import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { chartContextOf, dailySignalsChartPng, poolMetricsChartPng, shapChartPng } from '../../reports/index.ts';
import { fixtureVersion } from './fixtures.ts';

const version = fixtureVersion({ symbol: 'BTC', trend: 'uptrend' });

function size(png: Uint8Array): [number, number] {
  const img = PNG.sync.read(Buffer.from(png));
  return [img.width, img.height];
}

test('chartContextOf names coin, trend, classifier, version and data end', () => {
  assert.deepEqual(chartContextOf(version), { symbol: 'BTC', trend: 'uptrend', classifier: 'XGBoost', version: 3, date: version.tags.dataRange.to });
});

test('shapChartPng and poolMetricsChartPng render a version as chat-sized PNGs', async () => {
  assert.deepEqual(size(await shapChartPng(version)), [800, 450]);
  const withPool = await poolMetricsChartPng(version);
  assert.deepEqual(size(withPool), [800, 450]);
  // A version registered before the pool tag existed still gets a chart (its own metrics only), not an error.
  const { pool: _pool, gate: _gate, ...older } = version.tags;
  const withoutPool = await poolMetricsChartPng({ ...version, tags: older }, { render: { width: 400 } });
  assert.deepEqual(size(withoutPool), [400, 225]);
  assert.notDeepEqual(Buffer.from(withPool), Buffer.from(withoutPool));
});

test('dailySignalsChartPng renders the daily post chart', async () => {
  const rows = [
    { symbol: 'BTC', trend: 'uptrend' as const, probability: 0.7, signal: true },
    { symbol: 'BTC', trend: 'downtrend' as const, probability: 0.2, signal: false },
    { symbol: 'ETH', trend: 'uptrend' as const, probability: 0.4, signal: false },
    { symbol: 'ETH', trend: 'downtrend' as const, probability: 0.65, signal: true },
  ];
  assert.deepEqual(size(await dailySignalsChartPng(rows, '2026-01-05', 0.5)), [800, 450]);
});
