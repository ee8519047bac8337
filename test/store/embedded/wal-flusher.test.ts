import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalFlusher } from '../../../src/store/embedded/wal-flusher.ts';

test('WAL flusher: a flush requested while one runs waits for the next one, which all such requests share', async () => {
  const started: { finish: () => void }[] = [];
  const flusher = new WalFlusher('/unused', () => new Promise<void>((resolve) => started.push({ finish: resolve })));
  const done: string[] = [];
  const a = flusher.flush().then(() => done.push('a'));
  assert.equal(started.length, 1);
  // b and c commit while a's flush runs: it may have started before their commits, so they need another one.
  const b = flusher.flush().then(() => done.push('b'));
  const c = flusher.flush().then(() => done.push('c'));
  started[0]!.finish();
  await a;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(done, ['a']);
  assert.equal(started.length, 2, 'one more flush for b and c together');
  started[1]!.finish();
  await Promise.all([b, c]);
  assert.deepEqual(done.sort(), ['a', 'b', 'c']);
  assert.equal(started.length, 2);
});

test('WAL flusher: flushes the real file, follows a replaced file, and treats a missing WAL as nothing to flush', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-wal-'));
  try {
    const path = join(dir, 'store.sqlite-wal');
    const flusher = new WalFlusher(path);
    await flusher.flush(); // no file yet
    writeFileSync(path, 'frames');
    await flusher.flush();
    rmSync(path);
    writeFileSync(path, 'new frames');
    await flusher.flush();
    await flusher.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
