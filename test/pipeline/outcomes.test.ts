import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Candle } from '../../src/data/candle.ts';
import { resolveOutcomes } from '../../src/pipeline/outcomes.ts';
import { computeLiveStats } from '../../src/pipeline/predict.ts';
import { tempStore, testConfig } from '../helpers/system.ts';

/** Closes of 100 for 30 days, then 120: SMA10 jumps by 20% between day 29 and day 39. */
function steppedCandles(): Candle[] {
  return Array.from({ length: 60 }, (_, i) => {
    const close = i < 30 ? 100 : 120;
    const date = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    return { date, open: close, high: close + 1, low: close - 1, close, volume: 10 };
  });
}

test('outcomes are computed from the candles once the window has passed, and feed live statistics', async () => {
  const config = testConfig();
  const t = await tempStore();
  try {
    const candles = steppedCandles();
    const day = (i: number) => candles[i]!.date;
    const save = (asOf: string, trend: 'uptrend' | 'downtrend', probability: number) =>
      t.store.savePrediction({ modelName: `X_${trend}_model`, version: 1, symbol: 'X', trend, asOf, probability, features: { f: 1 } });
    const up29 = await save(day(29), 'uptrend', 0.9); // SMA10 100 -> 120 (+20%): label 1, predicted 1
    const up15 = await save(day(15), 'uptrend', 0.7); // SMA10 100 -> 100: label 0, predicted 1 (false positive)
    const down29 = await save(day(29), 'downtrend', 0.2); // +20% is no downtrend: label 0, predicted 0
    const late = await save(day(55), 'uptrend', 0.9); // day 65 does not exist yet: unresolved

    const resolved = await resolveOutcomes({ config, store: t.store, candles: async () => candles });
    assert.equal(resolved, 3);
    const get = async (id: string) => (await t.store.getPrediction(id))!.outcome;
    const o29 = await get(up29.id);
    assert.equal(o29?.label, 1);
    // SMA10 at day 29 = 100; at day 39 = mean(days 30..39) = 120.
    assert.ok(Math.abs(o29!.pct - 0.2) < 1e-12);
    assert.equal((await get(up15.id))?.label, 0);
    assert.equal((await get(down29.id))?.label, 0);
    assert.equal(await get(late.id), null);

    const live = await computeLiveStats(t.store, 'X_uptrend_model', 1, 0.5);
    assert.deepEqual(live, { count: 2, hitRate: 0.5, precision: 0.5, positiveAccuracy: 1, negativeAccuracy: 0 });
    assert.equal(await resolveOutcomes({ config, store: t.store, candles: async () => candles }), 0, 'resolved outcomes are not recomputed');
  } finally {
    await t.cleanup();
  }
});
