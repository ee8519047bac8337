/**
 * A backtest of a model's signals: trade on them over the test window and compare with buy-and-hold of the same coin.
 *
 * The rules (the README repeats them for users):
 *
 * - Day i carries a signal when proba[i] >= threshold. The signal is known at the close of day i (the feature row is
 *   built from candle i), so every action happens at close[i]. Each row counts as one day; `window` counts rows.
 * - Every strategy has a DEFAULT position and a SIGNAL position:
 *     uptrend                      default cash, signal long   ("an uptrend signal goes long for `window` days")
 *     downtrend, allowShort false  default long, signal flat (cash)
 *     downtrend, allowShort true   default long, signal short
 *   A downtrend model can only "move to flat" if it was invested before, so the downtrend strategy holds the coin
 *   like buy-and-hold and steps out (or flips short) while the model expects a fall.
 * - A signal opens the signal position at close[i]; it is held until close[i + window], then the default position
 *   resumes. One position at a time: signals while the signal position is open are ignored, except a signal on the
 *   very day the position would close, which renews it for another `window` days (recorded as a new trade; nothing
 *   is traded at the hand-over, so no fee).
 * - Fees: every buy or sell pays `feePct` (a fraction, 0.001 = 0.1%) of the equity it moves. Cash -> long and
 *   long -> cash are one fee each; long -> short is two (sell the coin, then open the short). The default position
 *   taken on day 0 is free, like buy-and-hold's initial holding.
 * - Longs and shorts are fixed-size from their entry (no daily rebalancing): a long is worth E * close/entry, a short
 *   E * (2 - close/entry), floored at 0 (a short wiped out by a doubling price).
 * - Nothing is liquidated at the end: equity is marked to market at the last close, like buy-and-hold (which pays no
 *   fees). A signal position still open then is recorded as a truncated trade.
 *
 * Reported: totalReturn and buyHoldReturn (final equity - 1), maxDrawdown (largest fall from a running peak, as a
 * positive fraction), trades, winRate (fraction of trades whose `edge` > 0, null with no trades) and exposure (the
 * fraction of the n - 1 daily intervals spent holding the coin long or short).
 *
 * A trade's `return` is the position's own net return; its `edge` is its value over staying in the default
 * position for the same days: equal to `return` for uptrend (default cash), and for a downtrend flat or short trade
 * (E_end / E_start) / (close_end / close_start) - 1, i.e. whether stepping out of the coin paid off after fees.
 */
import type { Trend } from '../src/data/candle.ts';

export interface BacktestInput {
  /** Ascending YYYY-MM-DD, one per row. */
  readonly dates: readonly string[];
  readonly close: ArrayLike<number>;
  /** The model's P(trend) per row. */
  readonly proba: ArrayLike<number>;
  readonly threshold: number;
  readonly trend: Trend;
  /** Holding period in rows (days), normally the prediction window. */
  readonly window: number;
  /** Fee per buy or sell as a fraction of the equity moved (0.001 = 0.1%). */
  readonly feePct: number;
  readonly allowShort: boolean;
}

export type PositionSide = 'cash' | 'long' | 'short';
export type TradeSide = 'long' | 'short' | 'flat';

export interface BacktestTrade {
  readonly side: TradeSide;
  readonly entryDate: string;
  readonly exitDate: string;
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** Days (rows) between entry and exit. */
  readonly days: number;
  /** The position's own net return, fees included. */
  readonly return: number;
  /** Gain over staying in the default position for the same days; a trade wins when edge > 0. */
  readonly edge: number;
  /** Still open at the last date (valued at the last close). */
  readonly truncated: boolean;
}

export interface EquityPoint {
  readonly date: string;
  readonly strategy: number;
  readonly buyHold: number;
}

export interface BacktestResult {
  readonly params: {
    readonly threshold: number;
    readonly trend: Trend;
    readonly window: number;
    readonly feePct: number;
    readonly allowShort: boolean;
    readonly defaultSide: PositionSide;
    readonly signalSide: PositionSide;
  };
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly equity: EquityPoint[];
  readonly totalReturn: number;
  readonly buyHoldReturn: number;
  readonly maxDrawdown: number;
  readonly buyHoldMaxDrawdown: number;
  /** Fraction of trades with edge > 0; null when there were no trades. */
  readonly winRate: number | null;
  readonly trades: number;
  readonly exposure: number;
  readonly tradeList: BacktestTrade[];
}

export function backtestSignals(input: BacktestInput): BacktestResult {
  validate(input);
  const { dates, close, proba, threshold, trend, window, feePct, allowShort } = input;
  const n = dates.length;
  const defaultSide: PositionSide = trend === 'uptrend' ? 'cash' : 'long';
  const signalSide: PositionSide = trend === 'uptrend' ? 'long' : allowShort ? 'short' : 'cash';
  const tradeSide: TradeSide = signalSide === 'cash' ? 'flat' : signalSide;

  // The current holding is a "segment": `side` bought at `entry` with equity `base` after fees.
  let side: PositionSide = defaultSide;
  let base = 1;
  let entry = close[0]!;
  const valueAt = (price: number): number => {
    if (side === 'long') return base * (price / entry);
    if (side === 'short') return Math.max(0, base * (2 - price / entry));
    return base;
  };
  const switchTo = (to: PositionSide, price: number): void => {
    let v = valueAt(price);
    if (to !== side) {
      if (side !== 'cash') v *= 1 - feePct;
      if (to !== 'cash') v *= 1 - feePct;
    }
    side = to;
    base = v;
    entry = price;
  };

  const trades: BacktestTrade[] = [];
  let open: { index: number; startValue: number; exitIndex: number } | null = null;
  const closeTrade = (t: number, endValue: number, truncated: boolean): void => {
    const o = open!;
    const c0 = close[o.index]!;
    const c1 = close[t]!;
    const growth = endValue / o.startValue;
    const defaultGrowth = defaultSide === 'long' ? c1 / c0 : 1;
    trades.push({
      side: tradeSide,
      entryDate: dates[o.index]!,
      exitDate: dates[t]!,
      entryPrice: c0,
      exitPrice: c1,
      days: t - o.index,
      return: growth - 1, // for a flat trade only the fees move it
      edge: growth / defaultGrowth - 1,
      truncated,
    });
  };

  const equity: EquityPoint[] = [];
  let exposedIntervals = 0;
  for (let t = 0; t < n; t++) {
    const price = close[t]!;
    if (t > 0 && side !== 'cash') exposedIntervals++; // the interval (t-1, t] was spent in `side`
    const signal = proba[t]! >= threshold;
    if (open !== null && t === open.exitIndex) {
      if (signal) {
        // Renewal: the position simply continues; the old trade ends and a new one starts at this close.
        const v = valueAt(price);
        closeTrade(t, v, false);
        open = { index: t, startValue: v, exitIndex: t + window };
      } else {
        switchTo(defaultSide, price);
        closeTrade(t, base, false);
        open = null;
      }
    } else if (open === null && signal) {
      const before = valueAt(price);
      switchTo(signalSide, price);
      open = { index: t, startValue: before, exitIndex: t + window };
    }
    equity.push({ date: dates[t]!, strategy: valueAt(price), buyHold: price / close[0]! });
  }
  if (open !== null) closeTrade(n - 1, valueAt(close[n - 1]!), true);

  const wins = trades.filter((tr) => tr.edge > 0).length;
  return {
    params: { threshold, trend, window, feePct, allowShort, defaultSide, signalSide },
    from: dates[0]!,
    to: dates[n - 1]!,
    days: n,
    equity,
    totalReturn: equity[n - 1]!.strategy - 1,
    buyHoldReturn: equity[n - 1]!.buyHold - 1,
    maxDrawdown: maxDrawdown(equity.map((e) => e.strategy)),
    buyHoldMaxDrawdown: maxDrawdown(equity.map((e) => e.buyHold)),
    winRate: trades.length > 0 ? wins / trades.length : null,
    trades: trades.length,
    exposure: n > 1 ? exposedIntervals / (n - 1) : 0,
    tradeList: trades,
  };
}

/** Largest fall from a running peak, as a positive fraction of that peak (0 when the curve never falls). */
export function maxDrawdown(curve: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const v of curve) {
    if (v > peak) peak = v;
    if (peak > 0) worst = Math.max(worst, (peak - v) / peak);
  }
  return worst;
}

function validate(input: BacktestInput): void {
  const { dates, close, proba, threshold, window, feePct } = input;
  const n = dates.length;
  if (n === 0) throw new Error('backtestSignals: no rows (dates is empty)');
  if (close.length !== n || proba.length !== n) {
    throw new Error(`backtestSignals: dates has ${n} rows but close has ${close.length} and proba ${proba.length}`);
  }
  if (!Number.isInteger(window) || window < 1) throw new Error(`backtestSignals: window must be an integer >= 1, got ${window}`);
  if (!(feePct >= 0 && feePct < 1)) throw new Error(`backtestSignals: feePct must be a fraction in [0, 1), got ${feePct}`);
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`backtestSignals: threshold must be in [0, 1], got ${threshold}`);
  for (let i = 0; i < n; i++) {
    if (!(Number.isFinite(close[i]!) && close[i]! > 0)) throw new Error(`backtestSignals: close on ${dates[i]} (row ${i}) must be a positive number, got ${close[i]}`);
    if (!Number.isFinite(proba[i]!)) throw new Error(`backtestSignals: proba on ${dates[i]} (row ${i}) is not a number: ${proba[i]}`);
    if (i > 0 && !(dates[i]! > dates[i - 1]!)) throw new Error(`backtestSignals: dates must ascend, but row ${i} (${dates[i]}) follows ${dates[i - 1]}`);
  }
}

/** The backtest without its per-trade list, the shape stored as the `backtest` tag of a model version. */
export function backtestTag(result: BacktestResult): Omit<BacktestResult, 'tradeList'> {
  const { tradeList: _dropped, ...rest } = result;
  return rest;
}
