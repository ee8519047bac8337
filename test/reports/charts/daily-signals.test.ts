import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dailySignalsSpec, type DailySignalRow } from '../../../reports/charts/daily-signals.ts';
import { assertRendersCleanly, findLayer, subtitleText, titleText } from './spec-helpers.ts';

const symbols = ['BTC', 'ETH', 'BNB', 'SOL', 'XRP', 'ADA', 'AVAX', 'DOGE', 'DOT', 'LINK', 'MATIC', 'LTC', 'BCH', 'UNI', 'ATOM', 'XLM', 'ETC', 'FIL', 'AAVE', 'GRT'];
const rows: DailySignalRow[] = symbols.flatMap((symbol, i) => [
  { symbol, trend: 'uptrend' as const, probability: (i * 7) % 10 / 10, signal: (i * 7) % 10 / 10 >= 0.6 },
  { symbol, trend: 'downtrend' as const, probability: (i * 3) % 10 / 10, signal: (i * 3) % 10 / 10 >= 0.6 },
]);
const spec = dailySignalsSpec({ rows, date: '2025-06-01', threshold: 0.6 });

test('probability bars per coin, grouped by trend, with the threshold rule', () => {
  assert.equal(titleText(spec), 'Daily signals · all coins · 2025-06-01');
  const bars = findLayer(spec, 'bar');
  assert.equal(bars.encoding.x.field, 'symbol');
  assert.deepEqual(bars.encoding.x.sort, symbols);
  assert.equal(bars.encoding.xOffset.field, 'trend');
  assert.equal(bars.encoding.y.field, 'probability');
  assert.deepEqual(bars.encoding.y.scale.domain, [0, 1]);
  assert.equal(bars.encoding.color.field, 'trend');
  assert.equal(bars.encoding.opacity.condition.test, 'datum.signal');
  assert.equal(bars.data.values.length, 40);
  const rule = findLayer(spec, 'rule');
  assert.deepEqual(rule.data.values.map((v: { threshold: number }) => v.threshold), [0.6]);
});

test('subtitle lists the coins that signal, per trend', () => {
  const up = rows.filter((r) => r.trend === 'uptrend' && r.signal).map((r) => r.symbol);
  const down = rows.filter((r) => r.trend === 'downtrend' && r.signal).map((r) => r.symbol);
  assert.ok(up.length > 0 && down.length > 0);
  assert.match(subtitleText(spec), new RegExp(`uptrend: ${up.join(', ')} · downtrend: ${down.join(', ')}`));
  const none = dailySignalsSpec({ rows: rows.map((r) => ({ ...r, signal: false })), date: '2025-06-01', threshold: 0.6 });
  assert.match(subtitleText(none), /uptrend: none · downtrend: none/);
});

test('renders all 20 coins without warnings', async () => {
  await assertRendersCleanly(spec);
});

test("models with their own thresholds get a tick on their bar instead of one rule", async () => {
  const own = rows.map((r, i) => ({ ...r, threshold: 0.4 + (i % 5) / 20 }));
  const ticks = dailySignalsSpec({ rows: own, date: '2025-06-01', threshold: 0.5 });
  const tick = findLayer(ticks, 'tick');
  assert.equal(tick.encoding.y.field, 'threshold');
  assert.deepEqual(tick.data.values.map((v: { threshold: number }) => v.threshold), own.map((r) => r.threshold));
  assert.match(subtitleText(ticks), /each model's own threshold/);
  await assertRendersCleanly(ticks);
});
