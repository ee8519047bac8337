import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreUnavailableError } from '../../src/store/ports.ts';
import { openStore } from '../../src/store/open-store.ts';

test('openStore uses the embedded store under dataDir when no MongoDB URI is set', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signal-pool-open-'));
  try {
    for (const mongoUri of [undefined, '', '  ']) {
      const store = await openStore({ mongoUri, mongoDb: 'x', dataDir: dir, connectTimeoutMs: 500 });
      assert.equal(store.kind, 'embedded');
      assert.equal(store.location, dir);
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore uses MongoDB when a URI is set (and fails clearly when it is unreachable)', async () => {
  await assert.rejects(
    openStore({ mongoUri: 'mongodb://u:pw-123@127.0.0.1:9/', mongoDb: 'sp', dataDir: '/nonexistent', connectTimeoutMs: 300 }),
    (err: unknown) => err instanceof StoreUnavailableError && /127\.0\.0\.1:9/.test(err.message) && !err.message.includes('pw-123'),
  );
});
