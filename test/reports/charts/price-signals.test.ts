import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERIES, priceSignalsSpec, signalOutcome, sma } from '../../../reports/charts/price-signals.ts';
import { assertRendersCleanly, layers, subtitleText, titleText } from './spec-helpers.ts';

const dates = Array.from({ length: 150 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
const candles = dates.map((date, i) => ({ date, close: 100 + i }));
const predictions = [
  { asOf: dates[149]!, probability: 0.7, outcome: null }, // pending signal
  { asOf: dates[140]!, probability: 0.9, outcome: { label: 1 as const } }, // hit
  { asOf: dates[135]!, probability: 0.55, outcome: { label: 0 as const } }, // miss
  { asOf: dates[130]!, probability: 0.2, outcome: { label: 0 as const } }, // not a signal
  { asOf: dates[5]!, probability: 0.9, outcome: { label: 1 as const } }, // signal outside the 120-day window
];
const context = { symbol: 'ADA', trend: 'uptrend' as const, classifier: 'XGBoost', version: 1, date: dates[149]! };
const spec = priceSignalsSpec({ context, candles, predictions, threshold: 0.5 });

test('sma is the trailing mean, null until the period is full', () => {
  assert.deepEqual(sma([1, 2, 3, 4, 5], 3), [null, null, 2, 3, 4]);
});

test('close and SMA10 lines over the last 120 days', () => {
  assert.equal(titleText(spec), `Price and signals · ADA uptrend · XGBoost v1 · ${dates[149]}`);
  const [lines] = layers(spec);
  assert.equal(lines.mark.type, 'line');
  assert.equal(lines.encoding.x.field, 'date');
  assert.equal(lines.encoding.x.type, 'temporal');
  assert.equal(lines.encoding.y.field, 'price');
  assert.equal(lines.encoding.color.field, 'series');
  const closes = lines.data.values.filter((v: { series: string }) => v.series === SERIES.close);
  const smas = lines.data.values.filter((v: { series: string }) => v.series === SERIES.sma);
  assert.equal(closes.length, 120);
  assert.equal(closes[0].date, dates[30]);
  // The SMA of the first shown day uses the 9 days before the window: mean of closes 121..130 = 125.5.
  assert.equal(smas.length, 120);
  assert.equal(smas[0].price, 125.5);
});

test('signals (P >= threshold) in the window are marked on the close, coloured by outcome', () => {
  const [, points] = layers(spec);
  assert.equal(points.mark.type, 'point');
  assert.equal(points.mark.shape, 'triangle-up');
  assert.equal(points.encoding.y.field, 'price');
  const marks = points.data.values.map((v: { date: string; outcome: string; price: number }) => [v.date, v.outcome, v.price]);
  assert.deepEqual(marks, [
    [dates[149], 'pending', 249],
    [dates[140], 'hit', 240],
    [dates[135], 'miss', 235],
  ]);
  assert.equal(subtitleText(spec), 'Daily close and SMA10, last 120 days; 3 signals (P ≥ 0.50): 1 hit, 1 miss, 1 pending');
  assert.equal(signalOutcome({ asOf: 'x', probability: 1, outcome: null }), 'pending');
  const down = priceSignalsSpec({ context: { ...context, trend: 'downtrend' }, candles, predictions, threshold: 0.5 });
  assert.equal(layers(down)[1].mark.shape, 'triangle-down');
});

test('renders without warnings', async () => {
  await assertRendersCleanly(spec);
});
