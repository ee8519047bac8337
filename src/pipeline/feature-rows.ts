/**
 * The newest input row of a coin in a model version's feature set, for serving a prediction.
 *
 * The seed's 19 features need the coin's candles only. The pooled features (global models, and ensembles with a
 * global member) also need the market context of the same day: BTC's candles and the other coins' candles for the
 * breadth. Breadth computed from half a universe would mean something else than in training, so a pooled row is
 * served only for a day every "live" coin of the universe has a candle for (a coin is live when its data reaches
 * within a week of the newest coin's; a coin whose data stopped long ago counts as having left the universe, as it
 * did in training). The prediction's as-of date says which day that was.
 */
import type { Candle } from '../data/candle.ts';
import { computeFeatures } from '../data/features.ts';
import { buildMarketContext, MARKET_REFERENCE, type MarketContext } from '../data/market-context.ts';
import { computePooledFeatures } from '../data/pooled-features.ts';
import { POOLED_FEATURE_SET } from '../data/pooled-features.ts';
import { SEED_FEATURE_SET, type FeatureSetName } from '../data/feature-sets.ts';

export interface FeatureRow {
  date: string;
  values: Float64Array;
}

export interface ContextSpec {
  /** The coins whose candles made the breadth in training. */
  universe: readonly string[];
  /** 'BTC' or the universe's equal-weight index. */
  reference: 'BTC' | 'index';
}

export interface FeatureRowDeps {
  period: number;
  /** Candles of the other coins (and BTC) for the context: normally the cache only. */
  contextCandles(symbol: string): Promise<Candle[]>;
}

const LIVE_WITHIN_DAYS = 7;
const DAY_MS = 86_400_000;

function lastRow(dates: readonly string[], values: Float64Array, nCols: number, upTo?: string): FeatureRow | null {
  for (let r = dates.length - 1; r >= 0; r--) {
    if (upTo !== undefined && dates[r]! > upTo) continue;
    return { date: dates[r]!, values: values.slice(r * nCols, (r + 1) * nCols) };
  }
  return null;
}

/** The newest day every live coin of the universe has a candle for. */
export function lastCompleteDate(universe: ReadonlyMap<string, readonly Candle[]>): string | null {
  const lasts = [...universe.values()].map((c) => c.at(-1)?.date).filter((d): d is string => !!d);
  if (lasts.length === 0) return null;
  const newest = lasts.reduce((a, b) => (a > b ? a : b));
  const liveFrom = new Date(Date.parse(`${newest}T00:00:00Z`) - LIVE_WITHIN_DAYS * DAY_MS).toISOString().slice(0, 10);
  return lasts.filter((d) => d >= liveFrom).reduce((a, b) => (a < b ? a : b));
}

/** Builds rows; the market context is cached for as long as the universe's candles end on the same days. */
export function createFeatureRows(deps: FeatureRowDeps) {
  let cached: { key: string; context: MarketContext; complete: string | null } | null = null;

  async function context(coin: string, coinCandles: Candle[], spec: ContextSpec): Promise<{ context: MarketContext; complete: string | null }> {
    const universe = new Map<string, readonly Candle[]>();
    await Promise.all(spec.universe.map(async (s) => {
      universe.set(s, s === coin ? coinCandles : await deps.contextCandles(s).catch(() => []));
    }));
    let reference: readonly Candle[] | null = null;
    if (spec.reference === 'BTC') {
      reference = universe.get(MARKET_REFERENCE) ?? (await deps.contextCandles(MARKET_REFERENCE));
      if (reference.length === 0) throw new Error(`the market context needs ${MARKET_REFERENCE} candles, and there are none`);
    }
    const key = JSON.stringify([spec, [...universe].map(([s, c]) => [s, c.length, c.at(-1)?.date]), reference?.at(-1)?.date]);
    if (cached?.key !== key) {
      const complete = lastCompleteDate(universe);
      const ctx = buildMarketContext(reference, universe);
      cached = { key, context: ctx, complete };
    }
    return cached;
  }

  return {
    /** The newest row of `symbol` (whose candles the caller loaded) in a feature set; null if there is none. */
    async latest(symbol: string, candles: Candle[], set: FeatureSetName, spec: ContextSpec | null): Promise<FeatureRow | null> {
      const seed = computeFeatures(candles, { period: deps.period });
      if (set === SEED_FEATURE_SET) return lastRow(seed.dates, seed.X.data, seed.X.nCols);
      if (!spec) throw new Error(`a ${set} model needs its universe and market reference (tags.global), and its version has none`);
      const { context: ctx, complete } = await context(symbol, candles, spec);
      const pooled = computePooledFeatures(candles, ctx, { period: deps.period });
      const p = lastRow(pooled.dates, pooled.X.data, pooled.X.nCols, complete ?? undefined);
      if (!p || set === POOLED_FEATURE_SET) return p;
      const s = lastRow(seed.dates, seed.X.data, seed.X.nCols, p.date);
      if (!s || s.date !== p.date) return null;
      const values = new Float64Array(s.values.length + p.values.length);
      values.set(s.values);
      values.set(p.values, s.values.length);
      return { date: p.date, values };
    },
  };
}

export type FeatureRows = ReturnType<typeof createFeatureRows>;
