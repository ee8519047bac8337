import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backtestSignals, backtestTag, maxDrawdown } from '../../reports/backtest.ts';

const days = (n: number) => Array.from({ length: n }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`);
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('uptrend: long for `window` days after each signal, fee on entry and exit (hand-computed)', () => {
  // window 2, fee 1%, threshold 0.5. Default cash, signal -> long.
  //  day  close  proba  action                                   equity after the close
  //   0   100    0.9    buy at 100: 1 * 0.99                      0.99
  //   1   110    0.2    hold                                      0.99 * 1.1  = 1.089
  //   2   121    0.2    window over, sell: 0.99*1.21*0.99          1.185921      trade 1: +18.5921%
  //   3   110    0.6    buy at 110: 1.185921 * 0.99               1.17406179
  //   4    99    0.7    signal ignored (position open)            1.17406179 * 0.9 = 1.056655611
  //   5    99    0.1    sell: * 0.99                              1.04608905489 trade 2: 0.99*0.9*0.99 - 1 = -11.791%
  //   6   108.9  0.1    cash                                      1.04608905489
  //   7   100    0.1    cash                                      1.04608905489
  // total = 0.99^4 * 1.21 * 0.9 - 1; buy-and-hold = 100/100 - 1 = 0; max drawdown from the 1.185921 peak = 1 - 0.99*0.9*0.99;
  // exposure: long over intervals (0,1] (1,2] (3,4] (4,5] = 4 of 7; wins 1 of 2.
  const r = backtestSignals({
    dates: days(8),
    close: [100, 110, 121, 110, 99, 99, 108.9, 100],
    proba: [0.9, 0.2, 0.2, 0.6, 0.7, 0.1, 0.1, 0.1],
    threshold: 0.5,
    trend: 'uptrend',
    window: 2,
    feePct: 0.01,
    allowShort: false,
  });
  const expectedCurve = [0.99, 1.089, 1.185921, 1.17406179, 1.056655611, 1.04608905489, 1.04608905489, 1.04608905489];
  r.equity.forEach((e, i) => close(e.strategy, expectedCurve[i]!));
  close(r.totalReturn, 0.99 ** 4 * 1.21 * 0.9 - 1);
  close(r.buyHoldReturn, 0);
  close(r.maxDrawdown, 1 - 0.99 * 0.9 * 0.99);
  close(r.buyHoldMaxDrawdown, (1.21 - 0.99) / 1.21);
  assert.equal(r.trades, 2);
  assert.equal(r.winRate, 0.5);
  close(r.exposure, 4 / 7);
  assert.deepEqual(
    r.tradeList.map((t) => [t.side, t.entryDate, t.exitDate, t.days, t.truncated]),
    [
      ['long', '2024-01-01', '2024-01-03', 2, false],
      ['long', '2024-01-04', '2024-01-06', 2, false],
    ],
  );
  close(r.tradeList[0]!.return, 0.99 * 1.21 * 0.99 - 1);
  close(r.tradeList[1]!.return, 0.99 * 0.9 * 0.99 - 1);
  close(r.tradeList[1]!.edge, r.tradeList[1]!.return); // default cash: edge is the plain return
  assert.deepEqual(r.params, { threshold: 0.5, trend: 'uptrend', window: 2, feePct: 0.01, allowShort: false, defaultSide: 'cash', signalSide: 'long' });
});

// Shared by the two downtrend cases.
const DOWN = {
  dates: days(7),
  close: [100, 90, 81, 72.9, 80, 88, 96.8],
  proba: [0.8, 0.1, 0.9, 0.1, 0.1, 0.1, 0.7],
  threshold: 0.5,
  trend: 'downtrend' as const,
  window: 2,
  feePct: 0.01,
};

test('downtrend without shorts: long by default, flat during signal windows, renewal on the exit day (hand-computed)', () => {
  //  day  close  proba  action                                           equity
  //   0   100    0.8    default long; signal: sell, 1 * 0.99               0.99
  //   1    90    0.1    flat                                               0.99
  //   2    81    0.9    window ends on a signal day: renewed, no trade     0.99   trade 1 (0->2): return -1%, edge 0.99/0.81 - 1
  //   3    72.9  0.1    flat                                               0.99
  //   4    80    0.1    window over: buy back at 80, * 0.99                0.9801 trade 2 (2->4): return -1%, edge 0.99/(80/81) - 1 > 0
  //   5    88    0.1    long                                               0.9801 * 1.1
  //   6    96.8  0.7    signal: sell, 0.9801 * 1.21 * 0.99                 1.17406179 trade 3 (6->6, truncated): edge -1%
  // exposure: long over (4,5] and (5,6] = 2 of 6; wins: trades 1 and 2 = 2 of 3; the only fall of the curve is 0.99 -> 0.9801.
  const r = backtestSignals({ ...DOWN, allowShort: false });
  const expectedCurve = [0.99, 0.99, 0.99, 0.99, 0.9801, 1.07811, 1.17406179];
  r.equity.forEach((e, i) => close(e.strategy, expectedCurve[i]!));
  close(r.totalReturn, 0.99 ** 3 * 1.21 - 1);
  close(r.buyHoldReturn, 96.8 / 100 - 1);
  close(r.maxDrawdown, 0.01);
  assert.equal(r.trades, 3);
  close(r.winRate!, 2 / 3);
  close(r.exposure, 2 / 6);
  assert.deepEqual(
    r.tradeList.map((t) => [t.side, t.entryDate, t.exitDate, t.truncated]),
    [
      ['flat', '2024-01-01', '2024-01-03', false],
      ['flat', '2024-01-03', '2024-01-05', false],
      ['flat', '2024-01-07', '2024-01-07', true],
    ],
  );
  close(r.tradeList[0]!.return, -0.01);
  close(r.tradeList[0]!.edge, 0.99 / 0.81 - 1);
  close(r.tradeList[1]!.edge, (0.99 * 81) / 80 - 1);
  close(r.tradeList[2]!.edge, -0.01);
  assert.equal(r.params.defaultSide, 'long');
  assert.equal(r.params.signalSide, 'cash');
});

test('downtrend with shorts: flips long -> short (two fees) and back (hand-computed)', () => {
  // Short value = E * (2 - close/entry), fixed size from entry 100.
  //   0  100  signal: sell long and open short: 1 * 0.99 * 0.99 = 0.9801
  //   1   90  0.9801 * (2 - 0.9) = 1.07811
  //   2   81  renewed (no trade): 0.9801 * 1.19 = 1.166319
  //   3  72.9 0.9801 * 1.271
  //   4   80  window over: cover and buy: 0.9801 * 1.2 * 0.9801
  //   5   88  * 1.1
  //   6  96.8 signal: sell and short again: 0.9801 * 1.2 * 0.9801 * 1.21 * 0.9801
  // exposure: always in the market = 6 of 6.
  const r = backtestSignals({ ...DOWN, allowShort: true });
  const curve = [0.9801, 0.9801 * 1.1, 0.9801 * 1.19, 0.9801 * 1.271, 0.9801 * 1.2 * 0.9801, 0.9801 * 1.2 * 0.9801 * 1.1, 0.9801 ** 3 * 1.2 * 1.21];
  r.equity.forEach((e, i) => close(e.strategy, curve[i]!));
  close(r.totalReturn, 0.9801 ** 3 * 1.2 * 1.21 - 1);
  close(r.exposure, 1);
  assert.deepEqual(r.tradeList.map((t) => t.side), ['short', 'short', 'short']);
  close(r.tradeList[0]!.return, 0.9801 * 1.19 - 1);
  close(r.tradeList[1]!.return, (0.9801 * 1.2 * 0.9801) / (0.9801 * 1.19) - 1);
  // The curve falls from 0.9801 * 1.271 (day 3) to 0.9801 * 1.2 * 0.9801 (day 4).
  close(r.maxDrawdown, 1 - (1.2 * 0.9801) / 1.271);
});

test('with no fees and a signal every day, the uptrend strategy is buy-and-hold, and with no signals it stays in cash', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 2, maxLength: 60 }), fc.integer({ min: 1, max: 15 }), (prices, window) => {
      const base = { dates: days(prices.length).map((d, i) => `${d}-${String(i).padStart(3, '0')}`), close: prices, trend: 'uptrend' as const, window, allowShort: false };
      const always = backtestSignals({ ...base, proba: prices.map(() => 1), threshold: 0.5, feePct: 0 });
      always.equity.forEach((e) => assert.ok(Math.abs(e.strategy - e.buyHold) < 1e-9 * e.buyHold));
      assert.equal(always.exposure, 1);
      const never = backtestSignals({ ...base, proba: prices.map(() => 0), threshold: 0.5, feePct: 0.01 });
      assert.ok(never.equity.every((e) => e.strategy === 1));
      assert.equal(never.trades, 0);
      assert.equal(never.winRate, null);
      assert.equal(never.exposure, 0);
      const down = backtestSignals({ ...base, trend: 'downtrend', proba: prices.map(() => 0), threshold: 0.5, feePct: 0.01 });
      down.equity.forEach((e) => assert.ok(Math.abs(e.strategy - e.buyHold) < 1e-12));
    }),
    { numRuns: 200 },
  );
});

test('rejects malformed input with messages naming the problem', () => {
  const ok = { dates: days(3), close: [1, 2, 3], proba: [0, 1, 0], threshold: 0.5, trend: 'uptrend' as const, window: 1, feePct: 0, allowShort: false };
  assert.throws(() => backtestSignals({ ...ok, close: [1, 2] }), /dates has 3 rows but close has 2/);
  assert.throws(() => backtestSignals({ ...ok, dates: ['2024-01-02', '2024-01-01', '2024-01-03'] }), /row 1 \(2024-01-01\) follows 2024-01-02/);
  assert.throws(() => backtestSignals({ ...ok, window: 0 }), /window must be an integer >= 1/);
  assert.throws(() => backtestSignals({ ...ok, close: [1, -2, 3] }), /close on 2024-01-02 \(row 1\) must be a positive number/);
  assert.throws(() => backtestSignals({ ...ok, proba: [0, NaN, 0] }), /proba on 2024-01-02/);
  assert.throws(() => backtestSignals({ ...ok, feePct: 1.5 }), /feePct must be a fraction/);
  assert.throws(() => backtestSignals({ ...ok, dates: [], close: [], proba: [] }), /no rows/);
});

test('maxDrawdown and the stored tag shape', () => {
  assert.equal(maxDrawdown([1, 2, 1, 3, 1.5]), 0.5);
  assert.equal(maxDrawdown([1, 1.1, 1.2]), 0);
  const r = backtestSignals({ dates: days(3), close: [1, 2, 3], proba: [1, 0, 0], threshold: 0.5, trend: 'uptrend', window: 1, feePct: 0, allowShort: false });
  const tag = backtestTag(r);
  assert.equal('tradeList' in tag, false);
  assert.equal(tag.equity.length, 3);
  assert.deepEqual(JSON.parse(JSON.stringify(tag)), tag); // JSON-safe, so it can be stored as a version tag
});
