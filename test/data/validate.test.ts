import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CandleValidationError, dayToMs, validateCandles, type RawCandle } from '../../src/data/validate.ts';

const good: RawCandle[] = [
  { date: '2020-01-01', open: '10', high: '12', low: '9', close: '11', volume: '100' },
  { date: '2020-01-02', open: 11, high: 13, low: 10.5, close: 12.5, volume: 0 },
  { date: '2020-01-03', open: '12.5', high: '12.5', low: '12', close: '12', volume: '1e3' },
];

function errorOf(rows: RawCandle[], source = 'X.csv'): CandleValidationError {
  try {
    validateCandles(rows, source);
  } catch (e) {
    assert.ok(e instanceof CandleValidationError, `expected CandleValidationError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected validateCandles to throw');
}

/** The good rows with row `i` replaced by its fields overridden. */
function withRow(i: number, patch: Partial<RawCandle>): RawCandle[] {
  return good.map((r, j) => (j === i ? { ...r, ...patch } : r));
}

test('valid rows become numeric candles, no warnings', () => {
  const { candles, warnings } = validateCandles(good, 'X.csv');
  assert.deepEqual(candles[0], { date: '2020-01-01', open: 10, high: 12, low: 9, close: 11, volume: 100 });
  assert.equal(candles[2].volume, 1000);
  assert.equal(candles.length, 3);
  assert.deepEqual(warnings, []);
});

test('each bad value names the source, the row and the date', () => {
  const cases: [RawCandle[], RegExp][] = [
    [withRow(1, { open: 'abc' }), /^X\.csv row 2 \(2020-01-02\): open "abc" is not a number$/],
    [withRow(1, { close: 'NaN' }), /row 2 \(2020-01-02\): close "NaN" is not a number/],
    [withRow(1, { high: '' }), /row 2 \(2020-01-02\): high "" is not a number/],
    [withRow(1, { volume: Number.NaN }), /row 2 \(2020-01-02\): volume "NaN" is not a number/],
    [withRow(1, { low: Number.POSITIVE_INFINITY }), /low "Infinity" is not a number/],
    [withRow(1, { low: '0x10' }), /low "0x10" is not a number/],
    [withRow(0, { low: '0', open: '0' }), /row 1 \(2020-01-01\): open 0 must be > 0/],
    [withRow(0, { low: '-1' }), /row 1 \(2020-01-01\): low -1 must be > 0/],
    [withRow(2, { volume: '-5' }), /row 3 \(2020-01-03\): volume -5 must be >= 0/],
    [withRow(2, { high: '11', low: '12' }), /row 3 \(2020-01-03\): high 11 is below low 12/],
    [withRow(0, { open: '12.5' }), /row 1 \(2020-01-01\): open 12.5 is outside \[low 9, high 12\]/],
    [withRow(0, { close: '8' }), /row 1 \(2020-01-01\): close 8 is outside \[low 9, high 12\]/],
    [withRow(1, { date: '2020-01-01' }), /row 2 \(2020-01-01\): duplicate date/],
    [withRow(2, { date: '2019-12-31' }), /row 3 \(2019-12-31\): dates are not ascending \(previous row is 2020-01-02\)/],
    [withRow(1, { date: '2020-02-30' }), /row 2 \(2020-02-30\): invalid date "2020-02-30"/],
    [withRow(1, { date: '02/01/2020' }), /row 2 \(02\/01\/2020\): invalid date/],
  ];
  for (const [rows, pattern] of cases) {
    const e = errorOf(rows);
    assert.match(e.message, pattern);
    assert.equal(e.source, 'X.csv');
  }
});

test('line numbers are used when rows carry them', () => {
  const rows = good.map((r, i) => ({ ...r, line: i + 2 }));
  rows[2] = { ...rows[2], high: '1' };
  const e = errorOf(rows, 'data/BTC.csv');
  assert.match(e.message, /^data\/BTC\.csv line 4 \(2020-01-03\): high 1 is below low 12$/);
  assert.equal(e.location, 'line 4');
  assert.equal(e.date, '2020-01-03');
});

test('date gaps are warnings that count the missing days', () => {
  const rows: RawCandle[] = [
    { ...good[0], date: '2020-01-01' },
    { ...good[1], date: '2020-01-05' },
    { ...good[2], date: '2020-01-07' },
  ];
  const { candles, warnings } = validateCandles(rows, 'BTC.csv');
  assert.equal(candles.length, 3);
  assert.deepEqual(warnings, [
    'BTC.csv: 3 missing days between 2020-01-01 and 2020-01-05',
    'BTC.csv: 1 missing day between 2020-01-05 and 2020-01-07',
  ]);
});

test('gap counting is exact across month and leap-year boundaries', () => {
  const rows: RawCandle[] = [
    { ...good[0], date: '2020-02-27' },
    { ...good[1], date: '2020-03-01' },
  ];
  assert.deepEqual(validateCandles(rows, 'S').warnings, ['S: 2 missing days between 2020-02-27 and 2020-03-01']);
  assert.equal(dayToMs('2021-02-29'), Number.NaN);
  assert.equal(dayToMs('2020-02-29'), Date.UTC(2020, 1, 29));
});

test('an empty input is valid and empty', () => {
  assert.deepEqual(validateCandles([], 'S'), { candles: [], warnings: [] });
});
