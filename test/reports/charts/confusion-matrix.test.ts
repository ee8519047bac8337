import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confusionMatrixSpec } from '../../../reports/charts/confusion-matrix.ts';
import { assertRendersCleanly, findLayer, layers, subtitleText, titleText } from './spec-helpers.ts';

const context = { symbol: 'SOL', trend: 'uptrend' as const, classifier: 'XGBoost', version: 2, date: '2025-03-01' };
const spec = confusionMatrixSpec({ context, tp: 12, fp: 24, tn: 140, fn: 4 });

test('2x2 heatmap: actual on y, predicted on x, colour = count, counts written in the cells', () => {
  assert.equal(titleText(spec), 'Confusion matrix · SOL uptrend · XGBoost v2 · 2025-03-01');
  const rect = findLayer(spec, 'rect');
  assert.equal(rect.encoding.x.field, 'predicted');
  assert.equal(rect.encoding.y.field, 'actual');
  assert.equal(rect.encoding.color.field, 'count');
  const cells = Object.fromEntries(rect.data.values.map((v: { actual: string; predicted: string; count: number }) => [`${v.actual}/${v.predicted}`, v.count]));
  assert.deepEqual(cells, { 'uptrend/uptrend': 12, 'uptrend/no uptrend': 4, 'no uptrend/uptrend': 24, 'no uptrend/no uptrend': 140 });
  const texts = layers(spec).filter((l) => l.mark.type === 'text');
  assert.deepEqual(texts.map((t) => t.encoding.text.field), ['label', 'share']);
  assert.equal(rect.data.values.find((v: { count: number }) => v.count === 140).share, '77.8%');
});

test('subtitle gives rows, accuracy and precision', () => {
  // accuracy (12 + 140) / 180 = 84.4%, precision 12 / 36 = 33.3%
  assert.equal(subtitleText(spec), 'Test window, 180 rows; accuracy 84.4%, precision 33.3%');
  assert.match(subtitleText(confusionMatrixSpec({ context, tp: 0, fp: 0, tn: 0, fn: 0 })), /0 rows; accuracy n\/a, precision n\/a/);
});

test('renders without warnings', async () => {
  await assertRendersCleanly(spec);
});
