/**
 * The pooled training data of the global models: every coin of the universe with its pooled features (scale-free
 * plus market context, see pooled-features.ts) and its trend labels, indexed by date so that rows of different coins
 * line up on the calendar.
 */
import type { Candle } from './candle.ts';
import type { DatasetOptions } from './dataset.ts';
import type { Matrix } from '../models/matrix.ts';
import { buildMarketContext, MARKET_REFERENCE, type MarketContext } from './market-context.ts';
import { computePooledFeatures } from './pooled-features.ts';
import { trendTargets, UNKNOWN_LABEL } from './labels.ts';

export interface PooledCoin {
  readonly symbol: string;
  /** Dates of the rows with pooled features, ascending. */
  readonly dates: readonly string[];
  readonly X: Matrix;
  /** Per row: 1, 0, or -1 (the label's window has not passed yet). */
  readonly label: Int8Array;
  /**
   * Per row: the date of the candle its label reads (the row's date + `window` candles), or '' when unknown. A row may
   * train a model that is evaluated from date S only when labelEnd < S: its label was known before S.
   */
  readonly labelEnd: readonly string[];
  readonly rowOf: ReadonlyMap<string, number>;
}

export interface PooledUniverse {
  readonly context: MarketContext;
  readonly coins: ReadonlyMap<string, PooledCoin>;
}

/**
 * Builds the universe from the candles of its coins. BTC's candles (the market reference) are taken from `reference`
 * when given, else from the universe when it holds BTC, else the context falls back on an equal-weight index.
 */
export function buildPooledUniverse(candles: ReadonlyMap<string, readonly Candle[]>, opts: DatasetOptions & { reference?: readonly Candle[] | null }): PooledUniverse {
  const reference = opts.reference ?? candles.get(MARKET_REFERENCE) ?? null;
  const context = buildMarketContext(reference, candles);
  const coins = new Map<string, PooledCoin>();
  for (const [symbol, series] of candles) {
    const table = computePooledFeatures(series, context, { period: opts.period });
    const targets = trendTargets(series, { window: opts.window, targetPct: opts.targetPct, trend: opts.trend });
    const label = Int8Array.from(table.candleIndex, (ci) => targets.label[ci] ?? UNKNOWN_LABEL);
    const labelEnd = Array.from(table.candleIndex, (ci) => series[ci + opts.window]?.date ?? '');
    coins.set(symbol, { symbol, dates: table.dates, X: table.X, label, labelEnd, rowOf: new Map(table.dates.map((d, i) => [d, i])) });
  }
  return { context, coins };
}

/** The coin's pooled rows at `dates` (in that order), or null when any date has no pooled row. */
export function pooledRowsAt(coin: PooledCoin, dates: readonly string[]): Matrix | null {
  const d = coin.X.nCols;
  const data = new Float64Array(dates.length * d);
  for (let k = 0; k < dates.length; k++) {
    const r = coin.rowOf.get(dates[k]!);
    if (r === undefined) return null;
    data.set(coin.X.data.subarray(r * d, (r + 1) * d), k * d);
  }
  return { nRows: dates.length, nCols: d, data };
}
