import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, deriveSeed, randomInt, shuffleInPlace } from '../../src/models/rng.ts';

test('createRng: the same seed replays the same stream, different seeds differ', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const sa = Array.from({ length: 100 }, () => a());
  const sb = Array.from({ length: 100 }, () => b());
  const sc = Array.from({ length: 100 }, () => c());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  // Seeds beyond 32 bits and negative seeds are distinct seeds too.
  assert.notEqual(createRng(2 ** 32 + 1)(), createRng(1)());
  assert.notEqual(createRng(-1)(), createRng(1)());
});

test('createRng: values lie in [0, 1) and are uniform (chi-square over 20 buckets)', () => {
  const rng = createRng(7);
  const n = 100_000;
  const buckets = new Array<number>(20).fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = rng();
    assert.ok(v >= 0 && v < 1, `value ${v}`);
    buckets[Math.floor(v * 20)]++;
    sum += v;
  }
  const expected = n / 20;
  const chi2 = buckets.reduce((s, k) => s + ((k - expected) ** 2) / expected, 0);
  // 19 degrees of freedom: P(chi2 > 43.8) = 0.001.
  assert.ok(chi2 < 43.8, `chi-square ${chi2}`);
  assert.ok(Math.abs(sum / n - 0.5) < 0.005);
});

test('createRng: consecutive values are not correlated', () => {
  const rng = createRng(3);
  let prev = rng();
  let sxy = 0;
  let sx = 0;
  let sxx = 0;
  const n = 50_000;
  for (let i = 0; i < n; i++) {
    const v = rng();
    sxy += prev * v;
    sx += v;
    sxx += v * v;
    prev = v;
  }
  const m = sx / n;
  const corr = (sxy / n - m * m) / (sxx / n - m * m);
  assert.ok(Math.abs(corr) < 0.02, `lag-1 correlation ${corr}`);
});

test('createRng: rejects a non-finite seed', () => {
  assert.throws(() => createRng(NaN), /seed must be a finite number/);
});

test('randomInt and shuffleInPlace', () => {
  const rng = createRng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const k = randomInt(rng, 7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
    seen.add(k);
  }
  assert.equal(seen.size, 7);
  const a = Int32Array.from({ length: 50 }, (_, i) => i);
  shuffleInPlace(rng, a);
  assert.deepEqual(Array.from(a).sort((p, q) => p - q), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(Array.from(a), Array.from({ length: 50 }, (_, i) => i));
});

test('deriveSeed: deterministic, distinct per index and per seed, 32-bit', () => {
  const seeds = Array.from({ length: 1000 }, (_, i) => deriveSeed(42, i));
  assert.deepEqual(seeds, Array.from({ length: 1000 }, (_, i) => deriveSeed(42, i)));
  assert.equal(new Set(seeds).size, 1000);
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
  assert.notEqual(deriveSeed(42, 0), deriveSeed(43, 0));
  // Streams of neighbouring indices are unrelated (first draws differ).
  assert.notEqual(createRng(deriveSeed(1, 0))(), createRng(deriveSeed(1, 1))());
  assert.throws(() => deriveSeed(Number.NaN, 0), /bad seed/);
  assert.throws(() => deriveSeed(1, -1), /bad seed/);
});
