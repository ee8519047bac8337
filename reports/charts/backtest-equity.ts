/**
 * Backtest equity curves: the signal-following strategy against buy-and-hold of the same coin over the same days,
 * both starting at 1, with the headline numbers in the subtitle.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { EquityPoint } from '../backtest.ts';
import { COLORS, baseSpec, chartTitle, chartTitleText, pct, type ChartContext } from './theme.ts';

export interface BacktestSummary {
  readonly totalReturn: number;
  readonly buyHoldReturn: number;
  readonly maxDrawdown: number;
  readonly trades: number;
  readonly winRate: number | null;
  readonly exposure: number;
}

export interface BacktestEquityInput {
  readonly context: ChartContext;
  readonly equity: readonly EquityPoint[];
  readonly summary?: BacktestSummary;
}

export const STRATEGY = 'signal strategy';
export const BUY_AND_HOLD = 'buy-and-hold';

export function backtestEquitySpec(input: BacktestEquityInput): TopLevelSpec {
  const values = input.equity.flatMap((e) => [
    { date: e.date, series: STRATEGY, equity: e.strategy },
    { date: e.date, series: BUY_AND_HOLD, equity: e.buyHold },
  ]);
  const s = input.summary;
  const subtitle = s
    ? `Strategy ${signed(s.totalReturn)} vs buy-and-hold ${signed(s.buyHoldReturn)}; max drawdown ${pct(s.maxDrawdown)}; ` +
      `${s.trades} trades, win rate ${s.winRate === null ? 'n/a' : pct(s.winRate)}; exposure ${pct(s.exposure)}`
    : 'Equity of 1 invested at the start';
  return {
    ...baseSpec(),
    title: chartTitle(chartTitleText('Backtest', input.context), subtitle),
    data: { values },
    layer: [
      { mark: { type: 'rule', color: COLORS.muted, strokeDash: [2, 2] }, encoding: { y: { datum: 1 } } },
      {
        mark: { type: 'line', strokeWidth: 2, interpolate: 'step-after' },
        encoding: {
          x: { field: 'date', type: 'temporal', scale: { type: 'utc' }, title: null, axis: { format: '%Y-%m-%d', labelAngle: 0 } },
          y: { field: 'equity', type: 'quantitative', scale: { zero: false }, title: 'equity (start = 1)' },
          color: {
            field: 'series',
            type: 'nominal',
            scale: { domain: [STRATEGY, BUY_AND_HOLD], range: [COLORS.accent, COLORS.neutral] },
            legend: { title: null },
          },
          tooltip: [{ field: 'date', type: 'nominal' }, { field: 'series' }, { field: 'equity', format: '.3f' }],
        },
      },
    ],
  };
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${pct(x)}`;
}
