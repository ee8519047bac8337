import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, JournalCorruptError, type JournalOp } from '../../../src/store/embedded/journal.ts';
import { Mutex } from '../../../src/store/embedded/mutex.ts';

function withFile(fn: (path: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'signal-pool-journal-'));
  return fn(join(dir, 'j.jsonl')).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('journal: records replay in order, each line checksummed, non-finite numbers preserved', () =>
  withFile(async (path) => {
    const { journal, records } = await Journal.open(path);
    assert.deepEqual(records, []);
    const input: JournalOp[] = [{ op: 'put', c: 'm', k: 'a', v: { x: Number.NaN, y: [Number.NEGATIVE_INFINITY, 1], z: null } }];
    const copy = await journal.append(input);
    assert.notEqual(copy[0], input[0], 'append returns a fresh copy');
    await journal.append([{ op: 'del', c: 'm', k: 'a' }, { op: 'put', c: 'm', k: 'b', v: 'text with\nnewline' }]);
    await journal.close();

    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, 3); // two records and the empty string after the final newline
    assert.match(lines[0]!, /^[0-9a-f]{8} \[/);

    const reopened = await Journal.open(path);
    assert.equal(reopened.records.length, 2);
    const v = (reopened.records[0]![0] as { v: { x: number; y: number[]; z: null } }).v;
    assert.ok(Number.isNaN(v.x));
    assert.deepEqual(v.y, [Number.NEGATIVE_INFINITY, 1]);
    assert.equal(v.z, null);
    assert.deepEqual(reopened.records[1]![1], { op: 'put', c: 'm', k: 'b', v: 'text with\nnewline' });
    await reopened.journal.close();
  }));

test('journal: rewrite replaces the content atomically and appends continue after it', () =>
  withFile(async (path) => {
    const { journal } = await Journal.open(path);
    for (let i = 0; i < 50; i++) await journal.append([{ op: 'put', c: 'm', k: 'a', v: i }]);
    await journal.rewrite([[{ op: 'put', c: 'm', k: 'a', v: 49 }]]);
    await journal.append([{ op: 'put', c: 'm', k: 'b', v: 1 }]);
    await journal.close();
    const { journal: again, records } = await Journal.open(path);
    assert.deepEqual(records, [[{ op: 'put', c: 'm', k: 'a', v: 49 }], [{ op: 'put', c: 'm', k: 'b', v: 1 }]]);
    await again.close();
  }));

test('journal: a line without a valid checksum in the middle is corruption; at the end it is a torn write', () =>
  withFile(async (path) => {
    const { journal } = await Journal.open(path);
    await journal.append([{ op: 'put', c: 'm', k: 'a', v: 1 }]);
    await journal.append([{ op: 'put', c: 'm', k: 'b', v: 2 }]);
    await journal.close();
    const good = readFileSync(path, 'utf8');
    writeFileSync(path, `${good}not a record\n`);
    const opened = await Journal.open(path);
    assert.equal(opened.records.length, 2);
    assert.equal(opened.droppedTailBytes, 'not a record\n'.length);
    await opened.journal.close();
    assert.equal(readFileSync(path, 'utf8'), good);

    writeFileSync(path, `not a record\n${good}`);
    await assert.rejects(Journal.open(path), (err: unknown) => err instanceof JournalCorruptError && /line 1 is damaged \(no checksum\)/.test(err.message));
  }));

test('mutex: runs tasks one at a time in call order, and a failure does not block the next task', async () => {
  const mutex = new Mutex();
  const log: string[] = [];
  const task = (name: string, ms: number, fail = false) =>
    mutex.run(async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    });
  const results = await Promise.allSettled([task('a', 20), task('b', 1, true), task('c', 5)]);
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});
