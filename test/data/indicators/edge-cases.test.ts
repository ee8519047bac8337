/**
 * Indicators on awkward series, each compared with TA-Lib: flat prices, zero volume, zero-range bars, ties, prices
 * around 1e-8 (TA-Lib's absolute epsilons kick in), and series shorter than the warm-ups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ind from '../../../src/data/indicators/index.ts';
import type { Series } from './load-csv.ts';
import { assertAllMatchTalib, indicatorCases } from './talib-oracle.ts';

const cases = indicatorCases([2, 7, 14]);

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random walk of consistent OHLCV bars around `base`. */
function randomSeries(n: number, seed: number, base = 100): Series {
  const r = rng(seed);
  const s = { open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  let price = base;
  for (let i = 0; i < n; i++) {
    const open = price;
    price *= 1 + (r() - 0.5) * 0.1;
    s.open[i] = open;
    s.close[i] = price;
    s.high[i] = Math.max(open, price) * (1 + r() * 0.03);
    s.low[i] = Math.min(open, price) * (1 - r() * 0.03);
    s.volume[i] = 1000 + r() * 5000;
  }
  return s;
}

function constant(n: number, value: number): Float64Array {
  return new Float64Array(n).fill(value);
}

test('flat prices', () => {
  const n = 80;
  const flat: Series = { open: constant(n, 100), high: constant(n, 100), low: constant(n, 100), close: constant(n, 100), volume: constant(n, 1000) };
  assertAllMatchTalib(flat, 'flat', cases);
  // Spot-check TA-Lib's zero guards on a flat series: RSI and stochastics fall back to 0, bands collapse.
  assert.equal(ind.rsi(flat.close, 7)[50], 0);
  assert.equal(ind.stoch(flat.high, flat.low, flat.close).slowK[50], 0);
  const b = ind.bbands(flat.close, 7);
  assert.equal(b.upper[50], b.lower[50]);
});

test('zero volume, everywhere and on some bars', () => {
  const s = randomSeries(90, 1);
  assertAllMatchTalib({ ...s, volume: constant(90, 0) }, 'all-zero volume', cases);
  const sparse = Float64Array.from(s.volume, (v, i) => (i % 3 === 0 ? 0 : v));
  assertAllMatchTalib({ ...s, volume: sparse }, 'every third volume zero', cases);
  assert.equal(ind.mfi(s.high, s.low, s.close, constant(90, 0), 7)[60], 0);
});

test('zero-range bars (high == low)', () => {
  const s = randomSeries(90, 2);
  const close = s.close;
  assertAllMatchTalib({ open: close, high: close, low: close, close, volume: s.volume }, 'each bar flat', cases);
  const mixed = { ...s, high: Float64Array.from(s.high, (h, i) => (i % 4 === 0 ? s.low[i]! : h)) };
  mixed.close = Float64Array.from(s.close, (c, i) => (i % 4 === 0 ? s.low[i]! : c));
  assertAllMatchTalib(mixed, 'every fourth bar flat', cases);
  // AD adds nothing on a zero-range bar.
  const adLine = ind.ad(close, close, close, s.volume);
  assert.ok(adLine.every((v) => v === 0));
});

test('ties: prices from a tiny set of integers', () => {
  for (let seed = 10; seed < 20; seed++) {
    const r = rng(seed);
    const n = 100;
    const s: Series = { open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      const a = 1 + Math.floor(r() * 3);
      const b = 1 + Math.floor(r() * 3);
      s.open[i] = a;
      s.close[i] = b;
      s.high[i] = Math.max(a, b) + Math.floor(r() * 2);
      s.low[i] = Math.min(a, b) - Math.floor(r() * 2) * 0.5;
      s.volume[i] = Math.floor(r() * 3) * 10;
    }
    assertAllMatchTalib(s, `ties seed ${seed}`, cases);
  }
});

test('ties decide Aroon: the most recent extreme wins', () => {
  const high = Float64Array.from([5, 9, 1, 1, 9, 1, 1, 1]);
  const low = Float64Array.from([1, 0, 2, 2, 0, 2, 2, 2]);
  const a = ind.aroon(high, low, 4);
  // At bar 5 the window is bars 1..5; the highs of 9 at bars 1 and 4 tie and bar 4 (1 bar ago) counts.
  assert.equal(a.up[5], (100 / 4) * (4 - 1));
  assert.equal(a.down[5], (100 / 4) * (4 - 1));
});

test('very small prices (1e-8 scale)', () => {
  for (let seed = 30; seed < 35; seed++) {
    assertAllMatchTalib(randomSeries(120, seed, 3e-8), `tiny prices seed ${seed}`, cases);
  }
  // TA-Lib's absolute thresholds: variance below 1e-14 gives zero-width bands, money flow below 1.0 gives MFI 0.
  const s = randomSeries(120, 30, 3e-8);
  const b = ind.bbands(s.close, 7);
  assert.equal(b.upper[100], b.lower[100]);
  assert.equal(ind.mfi(s.high, s.low, s.close, s.volume, 7)[100], 0);
});

test('large prices and volumes', () => {
  const s = randomSeries(120, 40, 2e6);
  assertAllMatchTalib({ ...s, volume: Float64Array.from(s.volume, (v) => v * 1e6) }, 'large', cases);
});

test('series shorter than, equal to and just past every warm-up', () => {
  const full = randomSeries(45, 50);
  for (let n = 0; n <= 45; n++) {
    const cut = (a: Float64Array) => a.slice(0, n);
    const s: Series = { open: cut(full.open), high: cut(full.high), low: cut(full.low), close: cut(full.close), volume: cut(full.volume) };
    assertAllMatchTalib(s, `n=${n}`, cases);
  }
  assert.ok(ind.macd(full.close.slice(0, 33)).macd.every(Number.isNaN));
  assert.equal(ind.macd(full.close.slice(0, 34)).macd.filter((v) => !Number.isNaN(v)).length, 1);
});

test('invalid parameters are rejected with the indicator and parameter named', () => {
  const x = new Float64Array(10);
  assert.throws(() => ind.rsi(x, 1), /RSI: period must be an integer between 2 and 100000, got 1/);
  assert.throws(() => ind.adx(x, x, x, 7.5), /ADX: period must be an integer/);
  assert.throws(() => ind.macd(x, { fastPeriod: 26, slowPeriod: 12, signalPeriod: 9 }), /MACD: fastPeriod \(26\) must be smaller than slowPeriod \(12\)/);
  assert.throws(() => ind.mfi(x, x, x, new Float64Array(9), 7), /MFI: input series have different lengths/);
});
