import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCandleCsv, formatCsv, parseCandleCsv } from '../../src/data/csv.ts';
import { CandleValidationError } from '../../src/data/validate.ts';

const text = 'date,open,high,low,close,volume\n2017-08-17,4261.48,4485.39,4200.74,4285.08,795.150377\n2017-08-18,4285.08,4371.52,3938.77,4108.37,1199.888264\n';

test('parses the bundled format', () => {
  const { candles, warnings } = parseCandleCsv(text, 'BTC.csv');
  assert.deepEqual(candles, [
    { date: '2017-08-17', open: 4261.48, high: 4485.39, low: 4200.74, close: 4285.08, volume: 795.150377 },
    { date: '2017-08-18', open: 4285.08, high: 4371.52, low: 3938.77, close: 4108.37, volume: 1199.888264 },
  ]);
  assert.deepEqual(warnings, []);
});

test('tolerates BOM, CRLF, blank lines, reordered/extra columns and header case', () => {
  const odd = '\uFEFFDate,Close,Open,High,Low,Volume,market cap\r\n\r\n2017-08-17,4285.08,4261.48,4485.39,4200.74,795.150377,1\r\n';
  const { candles } = parseCandleCsv(odd, 'odd.csv');
  assert.deepEqual(candles, [{ date: '2017-08-17', open: 4261.48, high: 4485.39, low: 4200.74, close: 4285.08, volume: 795.150377 }]);
});

test('malformed headers are rejected with the file name and the missing column', () => {
  const bad = (t: string) => assert.throws(() => parseCandleCsv(t, 'BAD.csv'), CandleValidationError);
  bad('');
  assert.throws(() => parseCandleCsv('timestamp,open,high,low,close,volume\n', 'BAD.csv'), /^CandleValidationError: BAD\.csv line 1: malformed header "timestamp,open,high,low,close,volume": missing column date/);
  assert.throws(() => parseCandleCsv('date;open;high;low;close;volume\n', 'BAD.csv'), /BAD\.csv line 1: malformed header .*missing columns date, open, high, low, close, volume/);
  assert.throws(() => parseCandleCsv('date,open,high,low,close,volume,close\n', 'BAD.csv'), /column "close" appears twice/);
});

test('a row with the wrong number of fields names its line and date', () => {
  const t = text + '2017-08-19,4108.37,4184.69,3850,4139.98\n';
  assert.throws(() => parseCandleCsv(t, 'BTC.csv'), /^CandleValidationError: BTC\.csv line 4 \(2017-08-19\): has 5 fields, the header has 6$/);
});

test('row problems report file line numbers (header is line 1)', () => {
  const t = text.replace('4371.52', '3000');
  assert.throws(() => parseCandleCsv(t, 'BTC.csv'), /BTC\.csv line 3 \(2017-08-18\): high 3000 is below low 3938\.77/);
});

test('formatCsv writes numbers with String(), quotes only when needed, and round-trips', () => {
  assert.equal(formatCsv(['a', 'b'], [[1.5, 'x'], [1e-7, 'y,z'], [0, 'say "hi"']]), 'a,b\n1.5,x\n1e-7,"y,z"\n0,"say ""hi"""\n');
  const { candles } = parseCandleCsv(text, 'BTC.csv');
  assert.equal(formatCandleCsv(candles), text);
});
