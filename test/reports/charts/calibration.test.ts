import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brierScore, calibrationSpec, reliabilityBins } from '../../../reports/charts/calibration.ts';
import { assertRendersCleanly, layers, subtitleText, titleText } from './spec-helpers.ts';

test('reliabilityBins: equal-width bins with mean probability and observed frequency (hand-computed)', () => {
  // 4 bins of width 0.25. Rows: 0.1 (y0), 0.2 (y1) -> bin 0: mean 0.15, freq 0.5; 0.3 (y0) -> bin 1;
  // nothing in bin 2; 0.8 (y1), 1.0 (y1), 0.9 (y0) -> bin 3 (p = 1 belongs to the last bin): mean 0.9, freq 2/3.
  const bins = reliabilityBins([0.1, 0.2, 0.3, 0.8, 1.0, 0.9], [0, 1, 0, 1, 1, 0], 4);
  assert.deepEqual(bins.map((b) => b.count), [2, 1, 0, 3]);
  assert.deepEqual(bins.map((b) => [b.lower, b.upper]), [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1]]);
  assert.ok(Math.abs(bins[0]!.meanPredicted! - 0.15) < 1e-12);
  assert.equal(bins[0]!.fractionPositive, 0.5);
  assert.equal(bins[1]!.fractionPositive, 0);
  assert.equal(bins[2]!.meanPredicted, null);
  assert.equal(bins[2]!.fractionPositive, null);
  assert.ok(Math.abs(bins[3]!.meanPredicted! - 0.9) < 1e-12);
  assert.ok(Math.abs(bins[3]!.fractionPositive! - 2 / 3) < 1e-12);
  assert.throws(() => reliabilityBins([0.5], [1, 0], 4), /1 probabilities but 2 labels/);
  assert.throws(() => reliabilityBins([1.5], [1], 4), /row 0 is outside \[0, 1\]/);
  assert.throws(() => reliabilityBins([0.5], [1], 0), /nBins must be an integer >= 1/);
});

test('brierScore is the mean squared error of the probabilities', () => {
  // (0.1-0)^2 + (0.8-1)^2 + (0.5-1)^2 = 0.01 + 0.04 + 0.25 = 0.30, / 3 = 0.1
  assert.ok(Math.abs(brierScore([0.1, 0.8, 0.5], [0, 1, 1]) - 0.1) < 1e-12);
  assert.ok(Number.isNaN(brierScore([], [])));
});

test('reliability diagram: diagonal, binned line and count-sized points; Brier score in the subtitle', () => {
  const proba = [0.1, 0.2, 0.3, 0.8, 1.0, 0.9];
  const labels = [0, 1, 0, 1, 1, 0];
  const spec = calibrationSpec({ context: { symbol: 'BTC', trend: 'downtrend', classifier: 'Ridge', version: 1, date: '2025-02-02' }, proba, labels, nBins: 4 });
  assert.equal(titleText(spec), 'Calibration · BTC downtrend · Ridge v1 · 2025-02-02');
  // Brier: (0.01 + 0.64 + 0.09 + 0.04 + 0 + 0.81) / 6 = 0.265
  assert.match(subtitleText(spec), /Brier score 0\.265 on 6 test rows \(base rate 0\.50\); 4 equal-width bins/);
  const [diagonal, line, points] = layers(spec);
  assert.deepEqual(diagonal.data.values, [{ p: 0, q: 0 }, { p: 1, q: 1 }]);
  assert.deepEqual(diagonal.encoding.x.scale.domain, [0, 1]);
  assert.equal(line.mark.type, 'line');
  assert.equal(line.encoding.x.field, 'meanPredicted');
  assert.equal(line.encoding.y.field, 'fractionPositive');
  assert.equal(points.mark.type, 'circle');
  assert.equal(points.encoding.size.field, 'count');
  // Empty bins are not plotted.
  assert.deepEqual(points.data.values.map((b: { count: number }) => b.count), [2, 1, 3]);
});

test('renders without warnings', async () => {
  const proba = Array.from({ length: 200 }, (_, i) => (i * 37) % 100 / 100);
  const labels = proba.map((p, i) => (p + ((i * 13) % 10) / 20 > 0.7 ? 1 : 0));
  await assertRendersCleanly(calibrationSpec({ context: { symbol: 'BTC', trend: 'uptrend', classifier: 'Ridge', version: 1, date: '2025-02-02' }, proba, labels }));
});
