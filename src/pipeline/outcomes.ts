/**
 * Outcome tracking: once `window` candles exist after a prediction's as-of date, the realised label is computed from
 * the candles exactly as training labels are (src/data/labels.ts) and stored on the prediction.
 */
import type { AppConfig } from '../../config/schema.ts';
import type { Candle } from '../data/candle.ts';
import { trendTargets } from '../data/labels.ts';
import type { Store } from '../store/ports.ts';

export async function resolveOutcomes(deps: { config: AppConfig; store: Store; candles(symbol: string): Promise<Candle[]>; now?: () => Date }): Promise<number> {
  const { store, config } = deps;
  const pending = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await store.listPredictions({ hasOutcome: false, limit: 1000, offset });
    pending.push(...page.items);
    offset = page.nextOffset;
  }
  const bySymbol = new Map<string, typeof pending>();
  for (const p of pending) bySymbol.set(p.symbol, [...(bySymbol.get(p.symbol) ?? []), p]);

  let resolved = 0;
  for (const [symbol, preds] of bySymbol) {
    const candles = await deps.candles(symbol);
    const index = new Map(candles.map((c, i) => [c.date, i]));
    const targets = {
      uptrend: trendTargets(candles, { window: config.predictionWindow, targetPct: config.targetPct.uptrend, trend: 'uptrend' }),
      downtrend: trendTargets(candles, { window: config.predictionWindow, targetPct: config.targetPct.downtrend, trend: 'downtrend' }),
    };
    for (const p of preds) {
      const i = index.get(p.asOf);
      if (i === undefined) continue;
      const t = targets[p.trend];
      if (t.label[i] === -1) continue; // the window has not passed yet
      await store.setOutcome(p.id, { label: t.label[i] === 1 ? 1 : 0, pct: t.pct[i]!, resolvedAt: (deps.now ?? (() => new Date()))() });
      resolved++;
    }
  }
  return resolved;
}
