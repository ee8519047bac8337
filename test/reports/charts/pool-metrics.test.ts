import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POOL_METRICS, poolMetricsSpec } from '../../../reports/charts/pool-metrics.ts';
import type { PoolEntry } from '../../../reports/tags.ts';
import { assertRendersCleanly, findLayer, layers, markType, subtitleText, titleText } from './spec-helpers.ts';

const m = (overall: number) => ({ accuracy: 0.7, precision: 0.6, positive_accuracy: 0.55, negative_accuracy: 0.8, overall });
const pool: PoolEntry[] = [
  { classifier: 'Ridge', ok: true, metrics: m(0.61), validationMetrics: { overall: 0.58 } },
  { classifier: 'XGBoost', ok: true, metrics: m(0.66), validationMetrics: { overall: 0.7 } },
  { classifier: 'KNeighbors', ok: true, metrics: m(0.7), validationMetrics: { overall: 0.62 } },
  { classifier: 'MLP', ok: false, metrics: {}, error: 'NaN loss' },
];
const context = { symbol: 'BTC', trend: 'uptrend' as const, classifier: 'XGBoost', version: 3, date: '2024-05-01' };
const spec = poolMetricsSpec({ context, pool, gate: { positiveAccuracy: 0.5, negativeAccuracy: 0.5, overall: 0.6 } });

test('title names coin, trend, model and date; subtitle names the chosen and the failed classifiers', () => {
  assert.equal(titleText(spec), 'Pool metrics · BTC uptrend · XGBoost v3 · 2024-05-01');
  assert.match(subtitleText(spec), /chosen: XGBoost/);
  assert.match(subtitleText(spec), /failed to train: MLP/);
});

test('grouped bars: classifier on x, metric as offset and colour, score on y in [0, 1]', () => {
  const bars = findLayer(spec, 'bar');
  assert.equal(bars.encoding.x.field, 'classifier');
  assert.equal(bars.encoding.xOffset.field, 'metric');
  assert.equal(bars.encoding.color.field, 'metric');
  assert.equal(bars.encoding.y.field, 'value');
  assert.deepEqual(bars.encoding.y.scale.domain, [0, 1]);
  // 3 trained classifiers x 5 metrics; the failed one has no bars.
  assert.equal(bars.data.values.length, 3 * POOL_METRICS.length);
  assert.ok(!bars.data.values.some((v: { classifier: string }) => v.classifier === 'MLP'));
  assert.deepEqual([...new Set(bars.data.values.map((v: { metric: string }) => v.metric))], POOL_METRICS.map(([, l]) => l));
  // Leaderboard order: by validation overall (the selection score), not by test overall.
  assert.deepEqual(bars.encoding.x.sort, ['XGBoost', 'KNeighbors', 'Ridge']);
});

test('the chosen model is highlighted (full opacity, bold axis label), the others faded', () => {
  const bars = findLayer(spec, 'bar');
  assert.equal(bars.encoding.opacity.condition.test, 'datum.chosen');
  assert.equal(bars.encoding.opacity.condition.value, 1);
  assert.ok(bars.encoding.opacity.value < 1);
  const chosen = bars.data.values.filter((v: { chosen: boolean }) => v.chosen);
  assert.ok(chosen.length === POOL_METRICS.length && chosen.every((v: { classifier: string }) => v.classifier === 'XGBoost'));
  assert.match(bars.encoding.x.axis.labelFontWeight.condition.test, /"XGBoost"/);
});

test('gate thresholds are drawn as rules; equal thresholds share one labelled rule', () => {
  const rule = findLayer(spec, 'rule');
  assert.equal(rule.encoding.y.field, 'threshold');
  assert.deepEqual(rule.data.values.map((v: { threshold: number }) => v.threshold).sort(), [0.5, 0.6]);
  const labels = findLayer(spec, 'text').data.values.map((v: { label: string }) => v.label);
  // The gate is strict (a model registers only when its metric is above the threshold), so the label says ">".
  assert.ok(labels.some((l: string) => /pos\. & neg\. accuracy > 0\.50/.test(l)), labels.join());
  assert.ok(labels.some((l: string) => /overall > 0\.60/.test(l)));
  // Without a gate there are no rules to draw.
  const noGate = poolMetricsSpec({ context, pool });
  assert.equal(layers(noGate).filter((l) => markType(l) === 'rule')[0].data.values.length, 0);
});

test('validation source plots the validation metrics', () => {
  const s = poolMetricsSpec({ context, pool, source: 'validation' });
  const values = findLayer(s, 'bar').data.values;
  assert.deepEqual(values.map((v: { value: number }) => v.value).sort(), [0.58, 0.62, 0.7]);
  assert.match(subtitleText(s), /Mean validation/);
});

test('compiles and renders without warnings at chat size', async () => {
  await assertRendersCleanly(spec);
});
