/**
 * The embedded store: the shared contract suite (multi-process cases included), plus what only a file-based store
 * can get wrong: several processes on one directory, a writer holding or dying with SQLite's write lock, bytes
 * damaged on disk, directories from newer versions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../../src/store/ports.ts';
import { StoreUnavailableError } from '../../src/store/ports.ts';
import { openEmbeddedStore, DATABASE_FILE } from '../../src/store/embedded/embedded-store.ts';
import { RecordDamagedError } from '../../src/store/embedded/database.ts';
import { ArtifactError, encodeArtifact } from '../../src/store/artifact-format.ts';
import { newVersion, runStoreContract } from './contract.ts';
import { childEnv, collect, runCli, ROOT, startService } from '../helpers/processes.ts';
import { spawn } from 'node:child_process';

const tempDir = () => mkdtempSync(join(tmpdir(), 'signal-pool-store-'));

runStoreContract(
  'embedded',
  async () => {
    const dir = tempDir();
    let store: Store = await openEmbeddedStore({ dataDir: dir });
    return {
      store,
      async reopen() {
        await store.close();
        store = await openEmbeddedStore({ dataDir: dir });
        return store;
      },
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
      shared: { options: { dataDir: dir, mongoDb: 'unused', connectTimeoutMs: 1000 }, env: { SIGNAL_POOL_DATA_DIR: dir } },
    };
  },
  { denseVersionsAfterCrash: true, atomicBatches: true },
);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Flips one bit of the first occurrence of `marker` in the closed store's database file. */
function flipBitIn(dir: string, marker: string | Buffer): void {
  const file = join(dir, DATABASE_FILE);
  const bytes = readFileSync(file);
  const at = bytes.indexOf(marker);
  assert.ok(at >= 0, `marker ${String(marker)} is in ${file}`);
  bytes[at + 2]! ^= 0x01;
  writeFileSync(file, bytes);
}

// ---------------------------------------------------------------- several processes
test('embedded: the CLI reads and writes the data directory while another process has it open (no "in use" error)', { timeout: 60_000 }, () =>
  withDir(async (dir) => {
    const store = await openEmbeddedStore({ dataDir: dir });
    try {
      const run = await store.createRun({ experiment: 'deploy/uptrend', name: 'BTC up', symbol: 'BTC', trend: 'uptrend' });
      await store.registerVersion({ ...newVersion('BTC', 'uptrend', run.id, 'art-1', 'Ridge'), promote: { alias: 'champion', reason: 'first', actor: 'test' } });
      // A second store in this process, and CLI commands in others, all at once.
      const second = await openEmbeddedStore({ dataDir: dir });
      const [runs, models] = await Promise.all([
        runCli(['runs', '--json'], { SIGNAL_POOL_DATA_DIR: dir, SIGNAL_POOL_LOG_LEVEL: 'error' }),
        runCli(['models', '--json'], { SIGNAL_POOL_DATA_DIR: dir, SIGNAL_POOL_LOG_LEVEL: 'error' }),
        second.createRun({ experiment: 'e', name: 'from the second store' }),
      ]);
      assert.equal(runs.code, 0, runs.stderr);
      assert.doesNotMatch(runs.stderr + models.stderr, /in use/);
      assert.ok((JSON.parse(runs.stdout) as { id: string }[]).some((r) => r.id === run.id));
      assert.equal(models.code, 0, models.stderr);
      assert.equal((JSON.parse(models.stdout) as { champion: { version: number } | null }[])[0]!.champion!.version, 1);
      assert.equal((await store.listRuns({ experiment: 'e' })).items[0]!.name, 'from the second store', 'writes of one are visible to the other');
      await second.close();
    } finally {
      await store.close();
    }
  }));

test('embedded: readers never wait for a writer or see its uncommitted work; a waiting write keeps the event loop free', () =>
  withDir(async (dir) => {
    const store = await openEmbeddedStore({ dataDir: dir });
    const other = new Database(join(dir, DATABASE_FILE)); // another writer, holding SQLite's write lock
    try {
      await store.registerVersion({ ...newVersion('BTC', 'uptrend', 'run-1', 'art-1', 'Ridge'), promote: { alias: 'champion', reason: 'first', actor: 't' } });
      other.exec('BEGIN IMMEDIATE');
      // Half of a registration: the version row without the model's new champion.
      other.prepare("INSERT INTO versions (model_name, version, doc, crc) VALUES ('BTC_uptrend_model', 2, '{}', 0)").run();
      assert.deepEqual((await store.listVersions('BTC_uptrend_model')).map((v) => v.version), [1], 'uncommitted work is invisible');
      assert.equal((await store.getAlias('BTC_uptrend_model', 'champion'))!.version, 1);

      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      const started = Date.now();
      const write = store.createRun({ experiment: 'e', name: 'waits for the lock' });
      await new Promise((r) => setTimeout(r, 400));
      assert.ok(ticks >= 15, `the event loop kept running while the write waited (${ticks} ticks in 400 ms)`);
      other.exec('ROLLBACK');
      const run = await write;
      clearInterval(timer);
      assert.ok(Date.now() - started >= 400);
      assert.equal((await store.getRun(run.id))!.name, 'waits for the lock');
      assert.deepEqual((await store.listVersions('BTC_uptrend_model')).map((v) => v.version), [1]);
    } finally {
      other.close();
      await store.close();
    }
  }));

test('embedded: a write fails with a clear message when another process holds the lock past lockTimeoutMs', () =>
  withDir(async (dir) => {
    const store = await openEmbeddedStore({ dataDir: dir, lockTimeoutMs: 300 });
    const other = new Database(join(dir, DATABASE_FILE));
    try {
      other.exec('BEGIN IMMEDIATE');
      await assert.rejects(store.createRun({ experiment: 'e', name: 'n' }), (err: unknown) => {
        assert.ok(err instanceof StoreUnavailableError);
        assert.match(err.message, /could not write the embedded store .*store\.sqlite: another process kept it locked for 300 ms/);
        return true;
      });
      assert.deepEqual((await store.listRuns()).items, [], 'reads still work');
      other.exec('ROLLBACK');
      await store.createRun({ experiment: 'e', name: 'n' });
    } finally {
      other.close();
      await store.close();
    }
  }));

test('embedded: a process killed with SIGKILL inside a transaction leaves nothing of it, and the next writer proceeds at once', { timeout: 30_000 }, () =>
  withDir(async (dir) => {
    const store = await openEmbeddedStore({ dataDir: dir, lockTimeoutMs: 2000 });
    try {
      const artifacts = [await store.putArtifact(new Uint8Array([1])), await store.putArtifact(new Uint8Array([2]))];
      await store.registerVersion({ ...newVersion('BTC', 'uptrend', 'run-1', artifacts[0]!, 'Ridge'), promote: { alias: 'champion', reason: 'first', actor: 't' } });
      // A child that begins a registration (version row, champion move) and is killed before its COMMIT.
      const script = `
        const Database = require('better-sqlite3');
        const db = new Database(process.argv[1]);
        db.exec('BEGIN IMMEDIATE');
        db.prepare("INSERT INTO versions (model_name, version, doc, crc) VALUES ('BTC_uptrend_model', 2, '{}', 0)").run();
        db.prepare("UPDATE models SET doc = '{}' WHERE name = 'BTC_uptrend_model'").run();
        db.prepare("INSERT INTO runs (id, experiment, status, start_time, doc, crc) VALUES ('x', 'e', 'RUNNING', '2024', '{}', 0)").run();
        process.stdout.write('in-transaction\\n');
        setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['-e', script, join(dir, DATABASE_FILE)], { cwd: ROOT, env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
      const finished = collect(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d) => String(d).includes('in-transaction') && resolve());
        void finished.then((f) => reject(new Error(`child ended: ${f.stderr}`)));
      });
      child.kill('SIGKILL');
      assert.equal((await finished).signal, 'SIGKILL');

      const started = Date.now();
      const next = await store.registerVersion({ ...newVersion('BTC', 'uptrend', 'run-2', artifacts[1]!, 'MLP'), promote: { alias: 'champion', reason: 'next', actor: 't' } });
      assert.ok(Date.now() - started < 1000, 'the dead writer\'s lock is gone');
      assert.equal(next.version.version, 2, 'the half-written version 2 never existed');
      assert.equal((await store.getAlias('BTC_uptrend_model', 'champion'))!.version, 2);
      assert.equal(await store.getRun('x'), null);
      assert.equal((await store.verify()).intact, true);
    } finally {
      await store.close();
    }
  }));

// ---------------------------------------------------------------- damage on disk
test('embedded: a record damaged on disk is reported by id on read and by verify; the rest stays readable', () =>
  withDir(async (dir) => {
    let store = await openEmbeddedStore({ dataDir: dir });
    const intact = await store.createRun({ experiment: 'e', name: 'alpha' });
    const damaged = await store.createRun({ experiment: 'e', name: 'bravo-marker-0123456789' });
    await store.close();
    flipBitIn(dir, 'bravo-marker-0123456789');

    store = await openEmbeddedStore({ dataDir: dir });
    try {
      assert.equal((await store.getRun(intact.id))!.name, 'alpha');
      await assert.rejects(store.getRun(damaged.id), (err: unknown) => {
        assert.ok(err instanceof RecordDamagedError);
        assert.match(err.message, new RegExp(`run ${damaged.id} is damaged .*checksum mismatch.*signal-pool store verify`));
        return true;
      });
      const report = await store.verify();
      assert.equal(report.intact, false);
      assert.deepEqual(report.problems.map((p) => [p.what, p.id]), [['run', damaged.id]]);
      assert.match(report.problems[0]!.problem, /checksum mismatch/);
      assert.deepEqual(report.tables.find((t) => t.table === 'runs'), { table: 'runs', what: 'run', records: 2, damaged: 1 });
      assert.deepEqual(report.structure, ['ok']);
    } finally {
      await store.close();
    }
  }));

test('embedded: the service logs a warning at start when the store is damaged, naming the record', { timeout: 60_000 }, () =>
  withDir(async (dir) => {
    let store = await openEmbeddedStore({ dataDir: dir });
    await store.claimJobRun('bootstrap', 'initial', 'test');
    await store.finishJobRun('bootstrap', 'initial', { status: 'SUCCEEDED' });
    const damaged = await store.createRun({ experiment: 'e', name: 'charlie-marker-0123456789' });
    await store.close();
    flipBitIn(dir, 'charlie-marker-0123456789');
    const service = await startService({ SIGNAL_POOL_DATA_DIR: dir });
    try {
      const line = await service.waitForLog(/store check/);
      assert.match(line, /"level":40/, 'a warning');
      assert.match(line, new RegExp(`store check: NOT intact .*run ${damaged.id}: checksum mismatch`));
      const health = await fetch(`${service.url}/health`);
      assert.equal(health.status, 200, 'the service still serves');
    } finally {
      await service.stop();
    }
    // And an intact store says so at info level.
    // The start-up check copied the damaged record aside (issue 19); dealing with it means deleting the run and
    // the copy.
    assert.ok(readdirSync(join(dir, 'damaged')).some((f) => f.startsWith('records.')));
    store = await openEmbeddedStore({ dataDir: dir });
    await store.deleteRun(damaged.id);
    await store.close();
    rmSync(join(dir, 'damaged'), { recursive: true, force: true });
    const healthy = await startService({ SIGNAL_POOL_DATA_DIR: dir });
    try {
      assert.match(await healthy.waitForLog(/store check/), /"level":30.*store check: \d+ records intact/);
    } finally {
      await healthy.stop();
    }
  }));

test('embedded: an artifact damaged on disk is refused on read and listed by verify', () =>
  withDir(async (dir) => {
    const bytes = encodeArtifact({ kind: 'Ridge', params: { alpha: 1 }, featureNames: ['rsi', 'macd'], state: { w: new Float64Array([1, 2, 3]), note: 'delta-marker-0123456789' } });
    let store = await openEmbeddedStore({ dataDir: dir });
    const id = await store.putArtifact(bytes);
    const other = await store.putArtifact(new Uint8Array([1, 2, 3]));
    await store.close();
    flipBitIn(dir, Buffer.from('delta-marker-0123456789'));
    store = await openEmbeddedStore({ dataDir: dir });
    try {
      await assert.rejects(store.getArtifact(id), (err: unknown) => err instanceof ArtifactError && /artifact .* is corrupt in the store/.test(err.message));
      assert.deepEqual(await store.getArtifact(other), new Uint8Array([1, 2, 3]));
      const report = await store.verify();
      assert.deepEqual(report.problems.map((p) => [p.what, p.id]), [['artifact', id]]);
      assert.match(report.problems[0]!.problem, /content does not match its record: expected \d+ bytes with sha256/);
    } finally {
      await store.close();
    }
  }));

test('embedded: verify reports references a reader would trip over (a version without its artifact, an alias without its version)', () =>
  withDir(async (dir) => {
    const store = await openEmbeddedStore({ dataDir: dir });
    try {
      const artifact = await store.putArtifact(new Uint8Array([7]));
      await store.registerVersion({ ...newVersion('BTC', 'uptrend', 'run', artifact, 'Ridge'), promote: { alias: 'champion', reason: 'r', actor: 'a' } });
      assert.equal((await store.verify()).intact, true);
      await store.deleteArtifact(artifact);
      const report = await store.verify();
      assert.equal(report.intact, false);
      assert.deepEqual(report.problems.map((p) => `${p.what} ${p.id}: ${p.problem}`), [`model version BTC_uptrend_model v1: refers to artifact ${artifact}, which is not in the store: this version cannot be loaded`]);
    } finally {
      await store.close();
    }
  }));

test('embedded: a data directory from a newer store format or schema is refused', () =>
  withDir(async (dir) => {
    writeFileSync(join(dir, 'store.json'), JSON.stringify({ format: 'signal-pool-embedded-store', version: 99 }));
    await assert.rejects(openEmbeddedStore({ dataDir: dir }), /newer Signal Pool \(store format 99/);
    rmSync(join(dir, 'store.json'));
    const store = await openEmbeddedStore({ dataDir: dir });
    await store.close();
    const raw = new Database(join(dir, DATABASE_FILE));
    raw.pragma('user_version = 42');
    raw.close();
    await assert.rejects(openEmbeddedStore({ dataDir: dir }), /written by a newer Signal Pool \(schema 42, this build reads 1\)/);
  }));

test('embedded: a file that is not a database is refused with a clear message', () =>
  withDir(async (dir) => {
    writeFileSync(join(dir, DATABASE_FILE), 'this is not a database, just text that happens to be long enough to have a header'.repeat(20));
    await assert.rejects(openEmbeddedStore({ dataDir: dir }), (err: unknown) => err instanceof StoreUnavailableError && /is not a readable SQLite database/.test(err.message));
  }));
