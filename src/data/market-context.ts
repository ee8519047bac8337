/**
 * The market around a coin on a given day: BTC's trend (the market's reference asset) and the breadth of the coin
 * universe (the share of coins above their 20- and 50-day averages, and their median 10-day return and 30-day
 * volatility). Crypto coins move together, so where the market stands tells a lot about where one coin goes.
 *
 * No look-ahead: the context of day t is computed from candles dated t or earlier only. Breadth on day t counts the
 * coins that have a candle on day t (coins enter the universe as their history starts).
 */
import type { Candle } from './candle.ts';
import { rsi, sma } from './indicators/index.ts';
import { logReturn, rollingStd } from './series.ts';

export const CONTEXT_FEATURE_NAMES = [
  'btc_ret_7d', 'btc_ret_30d', 'btc_close_vs_sma20', 'btc_close_vs_sma50', 'btc_volatility_30d', 'btc_rsi_14',
  'market_above_sma20', 'market_above_sma50', 'market_median_ret_10d', 'market_median_volatility_30d',
] as const;

/** The reference asset whose trend is part of every coin's context. */
export const MARKET_REFERENCE = 'BTC';

export interface MarketContext {
  /** Context values of a date in CONTEXT_FEATURE_NAMES order, or null when the date is not covered. */
  at(date: string): Float64Array | null;
  /** The coins whose candles the breadth was computed from. */
  readonly universe: readonly string[];
  /** Last date with a context value. */
  readonly lastDate: string | null;
  /** What the "btc_" features were computed from: BTC's candles, or the universe's equal-weight index without them. */
  readonly reference: MarketReference;
}

export type MarketReference = 'BTC' | 'index';

interface CoinDaily {
  aboveSma20: number;
  aboveSma50: number;
  ret10: number;
  vol30: number;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = values.sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function closes(candles: readonly Candle[]): Float64Array {
  return Float64Array.from(candles, (c) => c.close);
}

/**
 * Builds the context from the reference asset's candles and the universe's candles (which may include the reference).
 * A date is covered when the reference has its features that day and at least one universe coin has its breadth values.
 */
export function buildMarketContext(reference: readonly Candle[] | null, universe: ReadonlyMap<string, readonly Candle[]>): MarketContext {
  const referenceKind: MarketReference = reference ? 'BTC' : 'index';
  reference ??= marketIndexCandles(universe);
  // Per-coin daily breadth inputs, grouped by date.
  const byDate = new Map<string, CoinDaily[]>();
  for (const candles of universe.values()) {
    const close = closes(candles);
    const sma20 = sma(close, 20);
    const sma50 = sma(close, 50);
    const ret10 = logReturn(close, 10);
    const vol30 = rollingStd(logReturn(close, 1), 30);
    for (let i = 0; i < candles.length; i++) {
      if (!(Number.isFinite(sma50[i]!) && Number.isFinite(vol30[i]!) && Number.isFinite(ret10[i]!))) continue;
      const d = candles[i]!.date;
      let list = byDate.get(d);
      if (!list) byDate.set(d, (list = []));
      list.push({ aboveSma20: close[i]! > sma20[i]! ? 1 : 0, aboveSma50: close[i]! > sma50[i]! ? 1 : 0, ret10: ret10[i]!, vol30: vol30[i]! });
    }
  }

  const close = closes(reference);
  const ret7 = logReturn(close, 7);
  const ret30 = logReturn(close, 30);
  const sma20 = sma(close, 20);
  const sma50 = sma(close, 50);
  const vol30 = rollingStd(logReturn(close, 1), 30);
  const rsi14 = rsi(close, 14);
  const values = new Map<string, Float64Array>();
  let lastDate: string | null = null;
  for (let i = 0; i < reference.length; i++) {
    const coins = byDate.get(reference[i]!.date);
    if (!coins || coins.length === 0) continue;
    const row = Float64Array.of(
      ret7[i]!, ret30[i]!, close[i]! / sma20[i]! - 1, close[i]! / sma50[i]! - 1, vol30[i]!, rsi14[i]! / 100,
      coins.reduce((s, c) => s + c.aboveSma20, 0) / coins.length,
      coins.reduce((s, c) => s + c.aboveSma50, 0) / coins.length,
      median(coins.map((c) => c.ret10)),
      median(coins.map((c) => c.vol30)),
    );
    if (!row.every(Number.isFinite)) continue;
    values.set(reference[i]!.date, row);
    lastDate = reference[i]!.date;
  }
  return { at: (date) => values.get(date) ?? null, universe: [...universe.keys()], lastDate, reference: referenceKind };
}

/**
 * An equal-weight index of the universe, as closes (the other fields repeat the close): each day moves by the mean log
 * return of the coins that have that day and the day before. It stands in for BTC when BTC's candles are not available
 * (e.g. a data directory without BTC), so the context keeps its meaning: "how is the market doing".
 */
export function marketIndexCandles(universe: ReadonlyMap<string, readonly Candle[]>): Candle[] {
  const sums = new Map<string, { total: number; count: number }>();
  for (const candles of universe.values()) {
    for (let i = 1; i < candles.length; i++) {
      const r = Math.log(candles[i]!.close / candles[i - 1]!.close);
      if (!Number.isFinite(r)) continue;
      const s = sums.get(candles[i]!.date) ?? { total: 0, count: 0 };
      s.total += r;
      s.count++;
      sums.set(candles[i]!.date, s);
    }
  }
  let level = 0;
  return [...sums.keys()].sort().map((date) => {
    const s = sums.get(date)!;
    level += s.total / s.count;
    const close = Math.exp(level);
    return { date, open: close, high: close, low: close, close, volume: 0 };
  });
}
