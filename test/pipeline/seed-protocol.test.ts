/**
 * The seed protocol stays the seed's: per-coin kinds, the 80/20 chronological split, selection by TEST overall, no
 * calibration. The golden file holds what the code gave BEFORE the signal-quality work (commit 4e78b6c) for every
 * per-coin kind on two coins and both trends; the current pipeline must give the same numbers, bit for bit.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deployTrend } from '../../src/pipeline/deploy.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { registeredModelName } from '../../src/store/ports.ts';
import { bundledCandles, tempStore, testConfig } from '../helpers/system.ts';

const golden = JSON.parse(readFileSync(new URL('./fixtures/seed-protocol-golden.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const KINDS = ['RandomForest', 'SupportVectorMachine', 'XGBoost', 'HistGradientBoosting', 'AdaBoost', 'Ridge', 'KNeighbors', 'MLP', 'LightGBM'];
const cleanups: (() => Promise<void>)[] = [];
after(async () => { for (const c of cleanups) await c(); });

test('the seed protocol gives the same per-coin results as before the signal-quality work', async () => {
  const config = testConfig({ protocol: 'seed' });
  const t = await tempStore();
  cleanups.push(t.cleanup);
  for (const trend of ['uptrend', 'downtrend'] as const) {
    await deployTrend({ config, store: t.store, logger: silentLogger, loadCandles: bundledCandles(config) }, {
      trend, symbols: ['SOL', 'AAVE'], classifiers: KINDS, protocol: 'seed', seed: 7, actor: 'golden',
    });
  }
  const got: Record<string, unknown> = {};
  for (const parent of (await t.store.listRuns({ parentRunId: null, limit: 100 })).items) {
    for (const child of (await t.store.listRuns({ parentRunId: parent.id, limit: 100 })).items) {
      assert.equal(child.tags.scope, 'coin');
      got[`${parent.name}/${child.name}`] = { overall: child.metrics.test_overall, precision: child.metrics.test_precision, accuracy: child.metrics.test_accuracy, auc: child.metrics.test_auc };
    }
    got[`${parent.name}/selected`] = parent.tags.selected;
  }
  assert.deepEqual(got, golden);
  for (const symbol of ['SOL', 'AAVE']) {
    const v = await t.store.getAlias(registeredModelName(symbol, 'uptrend'), 'champion');
    if (!v) continue; // the seed's gate may refuse it
    assert.equal(v.tags.calibration, null, 'the seed protocol serves uncalibrated probabilities');
    assert.equal(v.tags.signalThreshold, config.signalThreshold);
    assert.equal(v.tags.featureSet, 'seed19');
  }
});
