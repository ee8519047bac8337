import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backtestSignals } from '../../../reports/backtest.ts';
import { BUY_AND_HOLD, STRATEGY, backtestEquitySpec } from '../../../reports/charts/backtest-equity.ts';
import { assertRendersCleanly, findLayer, subtitleText, titleText } from './spec-helpers.ts';

const dates = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
const close = dates.map((_, i) => 100 + 10 * Math.sin(i / 3) + i);
const proba = dates.map((_, i) => (i % 7 === 0 ? 0.8 : 0.2));
const result = backtestSignals({ dates, close, proba, threshold: 0.5, trend: 'uptrend', window: 5, feePct: 0.001, allowShort: false });
const context = { symbol: 'BNB', trend: 'uptrend' as const, classifier: 'XGBoost', version: 4, date: '2024-02-09' };

test('two equity lines over time: strategy and buy-and-hold, in long form', () => {
  const spec = backtestEquitySpec({ context, equity: result.equity, summary: result });
  assert.equal(titleText(spec), 'Backtest · BNB uptrend · XGBoost v4 · 2024-02-09');
  const line = findLayer(spec, 'line');
  assert.equal(line.encoding.x.field, 'date');
  assert.equal(line.encoding.x.type, 'temporal');
  assert.equal(line.encoding.y.field, 'equity');
  assert.equal(line.encoding.color.field, 'series');
  assert.deepEqual(line.encoding.color.scale.domain, [STRATEGY, BUY_AND_HOLD]);
  assert.equal(line.data.values.length, 2 * dates.length);
  const last = line.data.values.filter((v: { date: string }) => v.date === dates[39]);
  assert.equal(last.find((v: { series: string }) => v.series === STRATEGY).equity, result.equity[39]!.strategy);
  assert.equal(last.find((v: { series: string }) => v.series === BUY_AND_HOLD).equity, result.equity[39]!.buyHold);
  assert.equal(findLayer(spec, 'rule').encoding.y.datum, 1);
});

test('subtitle summarises returns, drawdown, trades, win rate and exposure', () => {
  const spec = backtestEquitySpec({ context, equity: result.equity, summary: { totalReturn: 0.1234, buyHoldReturn: -0.05, maxDrawdown: 0.2, trades: 7, winRate: 4 / 7, exposure: 0.35 } });
  assert.equal(subtitleText(spec), 'Strategy +12.3% vs buy-and-hold -5.0%; max drawdown 20.0%; 7 trades, win rate 57.1%; exposure 35.0%');
  assert.match(subtitleText(backtestEquitySpec({ context, equity: result.equity, summary: { ...result, winRate: null } })), /win rate n\/a/);
});

test('renders without warnings', async () => {
  await assertRendersCleanly(backtestEquitySpec({ context, equity: result.equity, summary: result }));
});
