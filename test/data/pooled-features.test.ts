import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Candle } from '../../src/data/candle.ts';
import { buildPooledUniverse, pooledRowsAt, type PooledUniverse } from '../../src/data/pooled-dataset.ts';
import { POOLED_FEATURE_NAMES, POOLED_WARMUP } from '../../src/data/pooled-features.ts';
import { CONTEXT_FEATURE_NAMES } from '../../src/data/market-context.ts';
import { bundledCandles, testConfig } from '../helpers/system.ts';

const config = testConfig();
const load = bundledCandles(config);
const options = { trend: 'uptrend' as const, window: 10, targetPct: 0.05, period: 7 };

async function universeOf(symbols: string[], cut?: string, transform?: (symbol: string, c: Candle[]) => Candle[]): Promise<PooledUniverse> {
  const candles = new Map<string, Candle[]>();
  for (const s of symbols) {
    let c = await load(s);
    if (cut) c = c.filter((k) => k.date <= cut);
    candles.set(s, transform ? transform(s, c) : c);
  }
  return buildPooledUniverse(candles, options);
}

const symbols = ['BTC', 'ETH', 'SOL', 'AAVE'];
const full = await universeOf(symbols);

test('the pooled table has every feature, finite after the warm-up, for every coin', () => {
  assert.equal(POOLED_FEATURE_NAMES.length, new Set(POOLED_FEATURE_NAMES).size);
  for (const coin of full.coins.values()) {
    assert.equal(coin.X.nCols, POOLED_FEATURE_NAMES.length);
    assert.ok(coin.dates.length > 1000);
    for (const v of coin.X.data) assert.ok(Number.isFinite(v), `${coin.symbol}: non-finite pooled feature`);
  }
  const btc = full.coins.get('BTC')!;
  const firstCandle = '2017-08-17';
  const lag = (Date.parse(btc.dates[0]!) - Date.parse(firstCandle)) / 86_400_000;
  assert.ok(lag >= POOLED_WARMUP - 1, `first pooled row ${btc.dates[0]} is inside the warm-up`);
});

test('truncating the data at a date leaves every earlier feature, context value and known label unchanged', async () => {
  for (const cut of ['2020-03-12', '2022-11-08', '2024-12-05', '2025-06-30']) {
    const part = await universeOf(symbols, cut);
    for (const s of symbols) {
      const a = full.coins.get(s)!;
      const b = part.coins.get(s)!;
      if (cut > '2021-01-01') assert.ok(b.dates.length > 0, `${s} has rows before ${cut}`);
      for (let r = 0; r < b.dates.length; r++) {
        const date = b.dates[r]!;
        assert.ok(date <= cut);
        const fr = a.rowOf.get(date)!;
        for (let j = 0; j < b.X.nCols; j++) {
          const x = b.X.data[r * b.X.nCols + j]!;
          const y = a.X.data[fr * a.X.nCols + j]!;
          if (!Object.is(x, y)) assert.fail(`${s} ${date} ${POOLED_FEATURE_NAMES[j]}: ${x} with data cut at ${cut}, ${y} with all data`);
        }
        // A label is known only when its window closed by the cut, and then it is the same label.
        if (b.label[r]! >= 0) {
          assert.ok(b.labelEnd[r]! <= cut, `${s} ${date}: label set although its window ends ${b.labelEnd[r]}`);
          assert.equal(b.label[r], a.label[fr], `${s} ${date}: label`);
        } else {
          assert.ok(a.labelEnd[fr]! > cut || a.label[fr]! < 0);
        }
      }
      for (const date of b.dates) assert.deepEqual(part.context.at(date), full.context.at(date), `context on ${date}`);
    }
  }
});

test('the features are scale-free: prices x1000 and volume x1e6 give the same rows', async () => {
  const scaled = await universeOf(symbols, undefined, (s, c) => (s === 'ETH'
    ? c.map((k) => ({ ...k, open: k.open * 1000, high: k.high * 1000, low: k.low * 1000, close: k.close * 1000, volume: k.volume * 1e6 }))
    : c));
  const a = full.coins.get('ETH')!;
  const b = scaled.coins.get('ETH')!;
  assert.deepEqual(b.dates, a.dates);
  let worst = 0;
  for (let i = 0; i < a.X.data.length; i++) worst = Math.max(worst, Math.abs(a.X.data[i]! - b.X.data[i]!) / Math.max(1, Math.abs(a.X.data[i]!)));
  assert.ok(worst < 1e-8, `largest relative difference ${worst}`);
});

test('the market context reads BTC, or an equal-weight index of the coins when BTC is missing', async () => {
  assert.equal(full.context.reference, 'BTC');
  const noBtc = await universeOf(['ETH', 'SOL']);
  assert.equal(noBtc.context.reference, 'index');
  const row = noBtc.context.at('2023-05-01')!;
  assert.equal(row.length, CONTEXT_FEATURE_NAMES.length);
  for (const v of row) assert.ok(Number.isFinite(v));
  const share = row[CONTEXT_FEATURE_NAMES.indexOf('market_above_sma20')]!;
  assert.ok([0, 0.5, 1].includes(share), 'breadth of two coins is 0, 1/2 or 1');
});

test('pooledRowsAt returns rows in the asked order and null for a date without a row', () => {
  const eth = full.coins.get('ETH')!;
  const dates = [eth.dates[500]!, eth.dates[10]!];
  const m = pooledRowsAt(eth, dates)!;
  assert.deepEqual(Array.from(m.data.subarray(0, m.nCols)), Array.from(eth.X.data.subarray(500 * m.nCols, 501 * m.nCols)));
  assert.equal(pooledRowsAt(eth, ['1999-01-01']), null);
});
