/** Property test: on random OHLCV series (random walks and tie-heavy integer series) every indicator equals TA-Lib. */
import { test } from 'node:test';
import fc from 'fast-check';
import type { Series } from './load-csv.ts';
import { assertAllMatchTalib, indicatorCases } from './talib-oracle.ts';

const cases = indicatorCases([2, 3, 7, 10]);

interface Bar {
  move: number;
  up: number;
  down: number;
  volume: number;
}

const bar = fc.record({
  move: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
  up: fc.double({ min: 0, max: 0.05, noNaN: true }),
  down: fc.double({ min: 0, max: 0.05, noNaN: true }),
  volume: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e7, noNaN: true })),
});

function walk(bars: readonly Bar[], start: number): Series {
  const n = bars.length;
  const s = { open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  let price = start;
  bars.forEach((b, i) => {
    const open = price;
    price *= 1 + b.move;
    s.open[i] = open;
    s.close[i] = price;
    s.high[i] = Math.max(open, price) * (1 + b.up);
    s.low[i] = Math.min(open, price) * (1 - b.down);
    s.volume[i] = b.volume;
  });
  return s;
}

const integerBar = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 }));

function integers(bars: readonly [number, number, number, number][]): Series {
  return {
    open: Float64Array.from(bars, ([o]) => o),
    close: Float64Array.from(bars, ([, c]) => c),
    high: Float64Array.from(bars, ([o, c, u]) => Math.max(o, c) + u),
    low: Float64Array.from(bars, ([o, c, u]) => Math.min(o, c) - u / 2),
    volume: Float64Array.from(bars, ([, , , v]) => v * 100),
  };
}

test('random walks equal TA-Lib', () => {
  fc.assert(
    fc.property(fc.array(bar, { minLength: 1, maxLength: 150 }), fc.constantFrom(1e-8, 0.01, 1, 100, 60000), (bars, start) => {
      assertAllMatchTalib(walk(bars, start), 'random walk', cases);
    }),
    { numRuns: 150 },
  );
});

test('tie-heavy integer series equal TA-Lib', () => {
  fc.assert(
    fc.property(fc.array(integerBar, { minLength: 1, maxLength: 120 }), (bars) => {
      assertAllMatchTalib(integers(bars), 'integer series', cases);
    }),
    { numRuns: 150 },
  );
});
