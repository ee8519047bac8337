import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { readLegacyJournal } from '../../../src/store/embedded/legacy-journal.ts';

const line = (ops: unknown) => {
  const json = JSON.stringify(ops);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
};
const put = (c: string, k: string, v: unknown) => ({ op: 'put', c, k, v });

test('legacy journal: intact records replay in order; non-finite numbers come back', () => {
  const content = Buffer.from(line([put('runs', 'a', { x: { $nf: 'NaN' } })]) + line([{ op: 'del', c: 'runs', k: 'a' }, put('runs', 'b', 2)]));
  const { records, damaged } = readLegacyJournal(content);
  assert.deepEqual(damaged, []);
  assert.equal(records.length, 2);
  assert.ok(Number.isNaN((records[0]![0] as { v: { x: number } }).v.x));
  assert.deepEqual(records[1], [{ op: 'del', c: 'runs', k: 'a' }, put('runs', 'b', 2)]);
});

test('legacy journal: every bad line, wherever it is, comes back with its bytes, reason and the ids it names', () => {
  const good = [line([put('runs', 'r1', 1)]), line([put('runs', 'r2', 2)]), line([put('models', 'BTC_uptrend_model', 3)])];
  const flipped = good[1]!.replace('"v":2', '"v":3'); // complete, but its checksum no longer matches
  const torn = good[2]!.slice(0, -6); // cut short, no newline
  const content = Buffer.from(good[0]! + flipped + 'not a record\n' + torn);
  const { records, damaged } = readLegacyJournal(content);
  assert.deepEqual(records, [[put('runs', 'r1', 1)]]);
  assert.deepEqual(damaged.map((d) => [d.line, d.reason, d.keys]), [
    [2, 'checksum mismatch', ['runs/r2']],
    [3, 'no checksum', []],
    [4, 'incomplete last line (no newline)', ['models/BTC_uptrend_model']],
  ]);
  assert.equal(Buffer.concat(damaged.map((d) => d.bytes)).toString(), flipped + 'not a record\n' + torn, 'byte for byte');
  assert.equal(damaged[0]!.offset, good[0]!.length);
});
