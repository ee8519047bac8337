/**
 * Golden test: every indicator on every bundled coin equals TA-Lib (the npm `talib` binding) element by element,
 * including where the warm-up NaNs end (TA-Lib's begIndex).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ind from '../../../src/data/indicators/index.ts';
import { COINS, loadCandles, toSeries } from './load-csv.ts';
import { assertAllMatchTalib, indicatorCases, talibOutputs } from './talib-oracle.ts';

const cases = indicatorCases([7, 14]);

for (const symbol of COINS) {
  test(`${symbol}: all indicators equal TA-Lib`, () => {
    assertAllMatchTalib(toSeries(loadCandles(symbol)), symbol, cases);
  });
}

test('the exported lookbacks are TA-Lib begIndex values', () => {
  const s = toSeries(loadCandles('BTC'));
  const begIndex = (label: string): number => {
    const c = cases.find((x) => x.label === label)!;
    const out = Object.values(talibOutputs(c, s, Object.keys(c.ours(s))))[0]!;
    return out.findIndex((v) => !Number.isNaN(v));
  };
  assert.equal(ind.macdLookback(), begIndex('MACD(12,26,9)'));
  assert.equal(ind.macdLookback(), 33);
  assert.equal(ind.stochLookback(), begIndex('STOCH(5,3,3)'));
  assert.equal(ind.ppoLookback(), begIndex('PPO(12,26,SMA)'));
  assert.equal(ind.smaLookback(20), begIndex('SMA(20)'));
  for (const p of [7, 14]) {
    assert.equal(ind.adxLookback(p), begIndex(`ADX(${p})`));
    assert.equal(ind.dxLookback(p), begIndex(`DX(${p})`));
    assert.equal(ind.aroonLookback(p), begIndex(`AROON(${p})`));
    assert.equal(ind.rsiLookback(p), begIndex(`RSI(${p})`));
    assert.equal(ind.mfiLookback(p), begIndex(`MFI(${p})`));
    assert.equal(ind.trixLookback(p), begIndex(`TRIX(${p})`));
    assert.equal(ind.bbandsLookback(p), begIndex(`BBANDS(${p},2,2,SMA)`));
  }
});

test("MACD's fast EMA is seeded TA-Lib's way, not from bar 0", () => {
  // A textbook MACD seeds EMA(12) with bars 0..11; TA-Lib seeds it with bars 14..25. The two differ early on, and
  // only the TA-Lib alignment matches the oracle (checked above), so make sure the difference is real here.
  const close = toSeries(loadCandles('ETH')).close;
  const fastFrom0 = new Float64Array(close.length);
  const slow = new Float64Array(close.length);
  ind.emaFrom(close, 0, 12, fastFrom0);
  ind.emaFrom(close, 0, 26, slow);
  const textbook = fastFrom0[33]! - slow[33]!;
  assert.notEqual(ind.macd(close).macd[33], textbook);
});
