import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toView, thresholdOf } from '../../src/pipeline/predict.ts';
import { describePrediction } from '../../commands/predict.ts';
import type { ModelVersion, Prediction } from '../../src/store/ports.ts';
import { testConfig } from '../helpers/system.ts';

const version = (tags: Record<string, unknown>): ModelVersion => ({
  modelName: 'BTC_uptrend_model', version: 2, symbol: 'BTC', trend: 'uptrend', sourceRunId: 'r', artifactId: 'a', createdAt: new Date(0),
  tags: { classifier: 'global:Ridge', metrics: { overall: 0.65 }, featureNames: [], shapImportance: {}, shapMeanAbs: {}, targetPct: 0.05, window: 10, dataRange: { from: '2020-01-01', to: '2026-01-01' }, protocol: 'walk-forward', ...tags } as ModelVersion['tags'],
});
const prediction = (probability: number): Prediction => ({ modelName: 'BTC_uptrend_model', version: 2, symbol: 'BTC', trend: 'uptrend', asOf: '2026-01-05', probability, features: {}, classifier: 'global:Ridge' } as unknown as Prediction);

test('a calibrated version signals at its own threshold; others at the configured one', () => {
  const config = testConfig();
  assert.equal(thresholdOf(version({ signalThreshold: 0.31 }), config), 0.31);
  assert.equal(thresholdOf(version({}), config), config.signalThreshold);
  assert.equal(thresholdOf(version({ signalThreshold: 7 }), config), config.signalThreshold, 'an impossible stored threshold is ignored');
  const v = toView(prediction(0.35), version({ signalThreshold: 0.31 }), config, null, false);
  assert.equal(v.signal, true);
  assert.equal(v.threshold, 0.31);
});

test('inside the abstain band the reply says "no clear signal"; the band is off by default', () => {
  const off = toView(prediction(0.33), version({ signalThreshold: 0.31 }), testConfig(), null, false);
  assert.equal(off.abstain, false);
  assert.equal(off.signal, true);
  const config = testConfig({ abstainBand: 0.05 });
  const near = toView(prediction(0.33), version({ signalThreshold: 0.31 }), config, null, false);
  assert.equal(near.abstain, true);
  assert.equal(near.signal, false);
  assert.match(describePrediction(near), /-> no clear signal \(too close to the threshold to call\)/);
  const far = toView(prediction(0.6), version({ signalThreshold: 0.31 }), config, null, false);
  assert.equal(far.abstain, false);
  assert.equal(far.signal, true);
  assert.match(describePrediction(far), /-> SIGNAL/);
});
