import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Candle } from '../../src/data/candle.ts';
import { trendTargets, UNKNOWN_LABEL } from '../../src/data/labels.ts';
import { loadCandles } from './indicators/load-csv.ts';

function candlesFromCloses(closes: readonly number[]): Candle[] {
  return closes.map((close, i) => ({
    date: new Date(Date.UTC(2021, 0, 1 + i)).toISOString().slice(0, 10),
    open: close, high: close, low: close, close, volume: 1,
  }));
}

// 20 days at 100 then 10 days at `after`: SMA10 is exactly 100 on days 9..19 and exactly `after` on day 29.
const steps = (after: number) => candlesFromCloses([...Array<number>(20).fill(100), ...Array<number>(10).fill(after)]);

test('uptrend: a change exactly at +targetPct is labeled 1 (>=)', () => {
  const { pct, label } = trendTargets(steps(105), { window: 10, targetPct: 0.05, trend: 'uptrend' });
  assert.equal(pct[19], 0.05); // (105 - 100) / 100
  assert.equal(label[19], 1);
  assert.equal(pct[9], 0); // SMA 100 now and in 10 days
  assert.equal(label[9], 0);
  assert.equal(pct[18], (104.5 - 100) / 100);
  assert.equal(label[18], 0);
  // A hair above the tie is no longer reached.
  assert.equal(trendTargets(steps(105), { window: 10, targetPct: 0.0500000001, trend: 'uptrend' }).label[19], 0);
});

test('downtrend: a change exactly at targetPct (negative) is labeled 1 (<=)', () => {
  const { pct, label } = trendTargets(steps(95), { window: 10, targetPct: -0.05, trend: 'downtrend' });
  assert.equal(pct[19], -0.05);
  assert.equal(label[19], 1);
  assert.equal(label[18], 0); // -4.5 %
  assert.equal(trendTargets(steps(95), { window: 10, targetPct: -0.0500000001, trend: 'downtrend' }).label[19], 0);
  // The same data is no uptrend anywhere.
  const up = trendTargets(steps(95), { window: 10, targetPct: 0.05, trend: 'uptrend' });
  assert.ok(Array.from(up.label).every((l) => l !== 1));
});

test('days without a current or future SMA have no label (-1, NaN), never 0', () => {
  for (const window of [1, 3, 10]) {
    const { pct, label } = trendTargets(steps(105), { window, targetPct: 0.05, trend: 'uptrend' });
    const n = 30;
    for (let t = 0; t < n; t++) {
      const known = t >= 9 && t + window < n;
      assert.equal(label[t] === UNKNOWN_LABEL, !known, `window ${window}, day ${t}: label ${label[t]}`);
      assert.equal(Number.isNaN(pct[t]), !known, `window ${window}, day ${t}: pct ${pct[t]}`);
    }
  }
  const tooShort = trendTargets(candlesFromCloses([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), { window: 2, targetPct: 0.05, trend: 'uptrend' });
  assert.deepEqual(Array.from(tooShort.label), Array(11).fill(UNKNOWN_LABEL));
  assert.equal(trendTargets([], { window: 10, targetPct: 0.05, trend: 'uptrend' }).label.length, 0);
});

test('on real data, pct is the future-vs-current 10-day mean change and labels follow the threshold', () => {
  const candles = loadCandles('LINK');
  const window = 10;
  const { pct, label } = trendTargets(candles, { window, targetPct: 0.05, trend: 'uptrend' });
  const mean10 = (t: number) => candles.slice(t - 9, t + 1).reduce((a, c) => a + c.close, 0) / 10;
  let labeled = 0;
  for (let t = 0; t < candles.length; t++) {
    if (label[t] === UNKNOWN_LABEL) continue;
    labeled++;
    const expected = (mean10(t + window) - mean10(t)) / mean10(t);
    assert.ok(Math.abs(pct[t]! - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `day ${t}`);
    assert.equal(label[t], pct[t]! >= 0.05 ? 1 : 0);
  }
  assert.equal(labeled, candles.length - 9 - window);
  const positives = Array.from(label).filter((l) => l === 1).length;
  assert.ok(positives > 0 && positives < labeled, 'both classes occur');
});

test('invalid options are rejected with the parameter named', () => {
  const candles = steps(105);
  assert.throws(() => trendTargets(candles, { window: 0, targetPct: 0.05, trend: 'uptrend' }), /window must be a positive integer/);
  assert.throws(() => trendTargets(candles, { window: 10, targetPct: -0.05, trend: 'uptrend' }), /targetPct for uptrend must be a positive fraction/);
  assert.throws(() => trendTargets(candles, { window: 10, targetPct: 0.05, trend: 'downtrend' }), /targetPct for downtrend must be a negative fraction/);
  assert.throws(() => trendTargets(candles, { window: 10, targetPct: Number.NaN, trend: 'uptrend' }), /targetPct/);
});
