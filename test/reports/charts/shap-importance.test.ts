import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOWERS, RAISES, shapImportanceSpec, sortedShap } from '../../../reports/charts/shap-importance.ts';
import { assertRendersCleanly, findLayer, subtitleText, titleText } from './spec-helpers.ts';

const shap = { '7_day_RSI': 0.02, MACD: -0.05, AroonUp: 0.001, PPO: -0.0101, OBV_pct_change: 0.0101 };
const context = { symbol: 'ETH', trend: 'downtrend' as const, classifier: 'RandomForest', version: 12, date: '2025-01-31' };

test('features sorted by |mean SHAP|, largest first, ties by name', () => {
  assert.deepEqual(sortedShap(shap).map((r) => r.feature), ['MACD', '7_day_RSI', 'OBV_pct_change', 'PPO', 'AroonUp']);
  assert.deepEqual(sortedShap({ a: NaN, b: 1 }).map((r) => r.feature), ['b']);
});

test('diverging bars: signed value on x, features on y in |value| order, colour by sign, zero rule', () => {
  const spec = shapImportanceSpec({ context, shapImportance: shap });
  assert.equal(titleText(spec), 'SHAP importance · ETH downtrend · RandomForest v12 · 2025-01-31');
  const bars = findLayer(spec, 'bar');
  assert.equal(bars.encoding.x.field, 'value');
  assert.equal(bars.encoding.x.type, 'quantitative');
  assert.equal(bars.encoding.y.field, 'feature');
  assert.deepEqual(bars.encoding.y.sort, ['MACD', '7_day_RSI', 'OBV_pct_change', 'PPO', 'AroonUp']);
  assert.equal(bars.encoding.color.field, 'effect');
  const effect = Object.fromEntries(bars.data.values.map((v: { feature: string; effect: string }) => [v.feature, v.effect]));
  assert.equal(effect.MACD, LOWERS);
  assert.equal(effect['7_day_RSI'], RAISES);
  const zero = findLayer(spec, 'rule');
  assert.equal(zero.encoding.x.datum, 0);
});

test('the x axis names the SHAP units when known', () => {
  const axisTitle = (outputSpace?: 'raw' | 'probability') => findLayer(shapImportanceSpec({ context, shapImportance: shap, outputSpace }), 'bar').encoding.x.title;
  assert.equal(axisTitle('raw'), 'mean SHAP value (log-odds units)');
  assert.equal(axisTitle('probability'), 'mean SHAP value (probability units)');
  assert.equal(axisTitle(), 'mean SHAP value');
});

test('top N keeps the strongest features and says so', () => {
  const spec = shapImportanceSpec({ context, shapImportance: shap, top: 2 });
  assert.deepEqual(findLayer(spec, 'bar').data.values.map((v: { feature: string }) => v.feature), ['MACD', '7_day_RSI']);
  assert.match(subtitleText(spec), /top 2 of 5/);
});

test('renders 19 features without warnings', async () => {
  const many = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`10_day_SMA_20_day_SMA_pct_diff_${i}`, (i - 9) / 100]));
  await assertRendersCleanly(shapImportanceSpec({ context, shapImportance: many }));
});
