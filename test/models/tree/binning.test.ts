import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_BINS, binMatrix, binOf, fitBinMapper, thresholdOf } from '../../../src/models/tree/binning.ts';
import { createRng } from '../../../src/models/rng.ts';

function column(values: number[]) {
  return { nRows: values.length, nCols: 1, data: Float64Array.from(values) };
}

test('binning: never more than 255 value bins; every code (missing included) fits in a byte', () => {
  const rng = createRng(1);
  const n = 20_000;
  const data = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[i * 3] = rng() * 1e6; // continuous
    data[i * 3 + 1] = rng() < 0.2 ? NaN : Math.exp(rng() * 20); // skewed, with missing values
    data[i * 3 + 2] = Math.floor(rng() * 1000); // 1000 distinct integers
  }
  const binned = binMatrix(fitBinMapper({ nRows: n, nCols: 3, data }), { nRows: n, nCols: 3, data });
  for (let f = 0; f < 3; f++) {
    assert.ok(binned.nBins[f]! <= MAX_BINS, `feature ${f}: ${binned.nBins[f]} bins`);
    assert.ok(binned.nBins[f]! >= 200, `feature ${f} uses the bin budget (${binned.nBins[f]})`);
  }
  assert.ok(binned.byFeature instanceof Uint8Array);
  assert.ok(Math.max(...binned.byRow) <= 255);
  // Missing values get their own code, nBins.
  for (let i = 0; i < n; i++) {
    const missing = Number.isNaN(data[i * 3 + 1]!);
    assert.equal(binned.byRow[i * 3 + 1] === binned.nBins[1], missing);
  }
});

test('binning: quantile bins hold roughly equal numbers of rows', () => {
  const rng = createRng(2);
  const values = Array.from({ length: 16_000 }, () => rng() ** 3); // skewed
  const X = column(values);
  const binned = binMatrix(fitBinMapper(X, { maxBins: 16 }), X);
  assert.equal(binned.nBins[0], 16);
  const counts = new Array<number>(16).fill(0);
  for (const c of binned.byFeature) counts[c]++;
  for (const c of counts) assert.ok(c > 800 && c < 1200, `bin count ${c} (ideal 1000)`);
});

test('binning: few distinct values get one bin each, with midpoint edges', () => {
  const X = column([3, 1, 2, 2, 3, 10, NaN]);
  const mapper = fitBinMapper(X);
  assert.deepEqual(Array.from(mapper.edges[0]!), [1.5, 2.5, 6.5]);
  const binned = binMatrix(mapper, X);
  assert.deepEqual(Array.from(binned.byFeature), [2, 0, 1, 1, 2, 3, 4]);
  assert.equal(thresholdOf(mapper, 0, 1), 2.5);
  assert.equal(thresholdOf(mapper, 0, 3), Infinity, 'the last value bin separates only missing values');
});

test('binning: x <= edges[b] exactly when bin(x) <= b, for training and unseen values', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 600 }),
      fc.array(fc.double({ min: -2e6, max: 2e6, noNaN: true }), { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 2, max: 255 }),
      (train, probes, maxBins) => {
        const e = fitBinMapper(column(train), { maxBins }).edges[0]!;
        if (e.length + 1 > maxBins) return false;
        for (let k = 1; k < e.length; k++) if (!(e[k]! > e[k - 1]!)) return false;
        for (const x of [...train, ...probes]) {
          const b = binOf(e, x);
          for (let k = 0; k < e.length; k++) if ((x <= e[k]!) !== (b <= k)) return false;
        }
        return true;
      },
    ),
    { seed: 11, numRuns: 300 },
  );
});

test('binning: min rows per bin merges sparse bins (LightGBM min_data_in_bin)', () => {
  const rng = createRng(3);
  const values = Array.from({ length: 400 }, () => Math.floor(rng() * 300)); // ~1.3 rows per distinct value
  const X = column(values);
  const binned = binMatrix(fitBinMapper(X, { minRowsPerBin: 3 }), X);
  const counts = new Array<number>(binned.nBins[0]!).fill(0);
  for (const c of binned.byFeature) counts[c]++;
  assert.ok(counts.every((c) => c >= 3), `smallest bin: ${Math.min(...counts)}`);
  assert.ok(binned.nBins[0]! < fitBinMapper(X).edges[0]!.length + 1);
});

test('binning: constant and all-missing features, and bad options', () => {
  const X = { nRows: 3, nCols: 2, data: Float64Array.of(5, NaN, 5, NaN, 5, NaN) };
  const binned = binMatrix(fitBinMapper(X), X);
  assert.deepEqual(Array.from(binned.nBins), [1, 1]);
  assert.deepEqual(Array.from(binned.byRow), [0, 1, 0, 1, 0, 1]);
  assert.throws(() => fitBinMapper(X, { maxBins: 256 }), /maxBins must be an integer in \[2, 255\]/);
  assert.throws(() => binMatrix(fitBinMapper(X), column([1])), /1 columns, the bin mapper 2/);
});
