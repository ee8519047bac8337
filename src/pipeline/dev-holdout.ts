/**
 * Development evaluation without TEST: every coin's candles are cut where its TEST window's purge gap begins, so the
 * walk-forward protocol run on what is left puts its "TEST" window on data the real protocol uses for validation only.
 * Design choices (features, kinds, k, calibration...) are compared this way; the real TEST window is read once.
 *
 * `steps` > 1 repeats the cut, moving the development window further back (one more origin to average over).
 */
import type { AppConfig } from '../../config/schema.ts';
import type { Candle } from '../data/candle.ts';
import { buildDataset } from '../data/dataset.ts';
import { planFor } from './trend-pools.ts';

/** The candles left when the TEST window and its purge gap are removed (labels of what is left never read TEST prices). */
export function beforeTest(candles: readonly Candle[], config: AppConfig): Candle[] {
  // Labelled rows (and so the split) are the same for both trends: they depend on the label window only.
  const data = buildDataset('holdout', candles, { trend: 'uptrend', window: config.predictionWindow, targetPct: config.targetPct.uptrend, period: config.indicatorPeriod });
  const plan = planFor('walk-forward', data.y.length, config);
  // The last purge-gap row: labels of every earlier row read candles up to its date at most.
  const cut = data.dates[plan.test.start - 1]!;
  return candles.filter((c) => c.date <= cut);
}

export function devHoldout(load: (symbol: string) => Promise<Candle[]>, config: AppConfig, steps: number): (symbol: string) => Promise<Candle[]> {
  return async (symbol) => {
    let candles = await load(symbol);
    for (let i = 0; i < steps; i++) candles = beforeTest(candles, config);
    return candles;
  };
}
