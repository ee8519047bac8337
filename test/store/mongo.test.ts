/**
 * The MongoDB store. The contract suite, its multi-process cases included, runs only when MONGODB_URI points at a
 * server (no server can be installed on the CI machines); each test then uses its own throw-away database. The
 * start-up failure path needs no server and always runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { MongoClient } from 'mongodb';
import { StoreUnavailableError } from '../../src/store/ports.ts';
import { openMongoStore } from '../../src/store/mongo/mongo-store.ts';
import { collectionsOf } from '../../src/store/mongo/collections.ts';
import { newVersion, runStoreContract } from './contract.ts';

const uri = process.env.MONGODB_URI;
const SKIP_MESSAGE = 'MONGODB_URI not set: MongoDB contract suite skipped';

if (uri) {
  const open = (dbName: string, extra: { pendingRecoveryAgeMs?: number } = {}) =>
    openMongoStore({ uri, dbName, connectTimeoutMs: 10_000, gridFsThresholdBytes: 1024 * 1024, ...extra });
  const dropDatabase = async (dbName: string) => {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
    try {
      await client.db(dbName).dropDatabase();
    } finally {
      await client.close();
    }
  };
  const freshName = () => `signal_pool_test_${randomUUID().slice(0, 8)}`;

  runStoreContract('mongo', async () => {
    const dbName = freshName();
    let store = await open(dbName);
    return {
      store,
      async reopen() {
        await store.close();
        store = await open(dbName);
        return store;
      },
      async cleanup() {
        await store.close();
        await dropDatabase(dbName);
      },
      shared: {
        options: { mongoUri: uri, mongoDb: dbName, dataDir: 'unused-with-mongodb', connectTimeoutMs: 10_000 },
        env: { MONGODB_URI: uri, SIGNAL_POOL_MONGO_DB: dbName },
      },
    };
  }, { denseVersionsAfterCrash: false, atomicBatches: false });

  test('mongo: a registration left pending by a crashed process is invisible and rolled back at start-up', async () => {
    const dbName = freshName();
    const store = await open(dbName);
    try {
      await store.registerVersion({ ...newVersion('BTC', 'uptrend', 'run-1', 'art-1', 'Ridge'), promote: { alias: 'champion', reason: 'first', actor: 't' } });
      // Simulate steps 1-3 of registerVersion for version 2 by a process that died before committing.
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
      try {
        const c = collectionsOf(client.db(dbName));
        await c.models.updateOne({ _id: 'BTC_uptrend_model' }, { $inc: { versionCounter: 1 } });
        const v1 = (await c.versions.findOne({ _id: 'BTC_uptrend_model#1' }))!;
        await c.versions.insertOne({ ...v1, _id: 'BTC_uptrend_model#2', version: 2, pending: { since: new Date(Date.now() - 60_000), alias: 'champion', fromVersion: 1 } });
        await c.models.updateOne(
          { _id: 'BTC_uptrend_model' },
          { $set: { 'aliases.champion': 2 }, $push: { history: { alias: 'champion', fromVersion: 1, toVersion: 2, reason: 'dying', actor: 't', at: new Date() } } },
        );
      } finally {
        await client.close();
      }
      // Readers do not see the half-done registration.
      assert.equal((await store.getAlias('BTC_uptrend_model', 'champion'))!.version, 1);
      assert.deepEqual((await store.listVersions('BTC_uptrend_model')).map((v) => v.version), [1]);
      assert.equal((await store.aliasHistory('BTC_uptrend_model')).length, 1);
      assert.equal((await store.getRegisteredModel('BTC_uptrend_model'))!.latestVersion, 1);

      // A new start-up rolls it back; numbering continues after the gap.
      const restarted = await open(dbName, { pendingRecoveryAgeMs: 1000 });
      try {
        assert.equal((await restarted.getAlias('BTC_uptrend_model', 'champion'))!.version, 1);
        assert.equal((await restarted.aliasHistory('BTC_uptrend_model')).length, 1);
        const next = await restarted.registerVersion(newVersion('BTC', 'uptrend', 'run-3', 'art-3', 'MLP'));
        assert.equal(next.version.version, 3);
      } finally {
        await restarted.close();
      }
    } finally {
      await store.close();
      await dropDatabase(dbName);
    }
  });
} else {
  console.log(SKIP_MESSAGE);
  test(SKIP_MESSAGE, { skip: SKIP_MESSAGE }, () => {});
}

test('mongo: an unreachable server fails start-up within the timeout, naming the host but never the password', async () => {
  // A port that accepts nothing: bind one, then close it.
  const port = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const password = 'S3cr3t-p@ss';
  const badUri = `mongodb://signal:${encodeURIComponent(password)}@127.0.0.1:${port}/?authSource=admin`;
  const started = Date.now();
  await assert.rejects(openMongoStore({ uri: badUri, dbName: 'signal_pool', connectTimeoutMs: 800 }), (err: unknown) => {
    assert.ok(err instanceof StoreUnavailableError, `got ${String(err)}`);
    assert.match(err.message, new RegExp(`cannot reach MongoDB at 127\\.0\\.0\\.1:${port} \\(database signal_pool\\) within 800 ms`));
    assert.ok(!err.message.includes(password) && !err.message.includes(encodeURIComponent(password)), err.message);
    assert.ok(!err.message.includes('S3cr3t'), err.message);
    return true;
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 800 + 2000, `failed after ${elapsed} ms`);
});

test('mongo: a malformed connection string is reported without its password', async () => {
  await assert.rejects(openMongoStore({ uri: 'mongodb://user:hunter2@', dbName: 'x', connectTimeoutMs: 500 }), (err: unknown) => {
    assert.ok(err instanceof StoreUnavailableError, `got ${String(err)}`);
    assert.ok(!err.message.includes('hunter2'), err.message);
    return true;
  });
});
