/**
 * The embedded store: the shared contract suite, plus what only a file-based store can get wrong: torn journal
 * lines, a process killed with SIGKILL mid-write, two processes on one directory, damaged files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../src/store/ports.ts';
import { StoreLockedError } from '../../src/store/ports.ts';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.ts';
import { JournalCorruptError } from '../../src/store/embedded/journal.ts';
import { ArtifactError, decodeArtifact, encodeArtifact } from '../../src/store/artifact-format.ts';
import { newVersion, prediction, runStoreContract } from './contract.ts';

const here = dirname(fileURLToPath(import.meta.url));
const tempDir = () => mkdtempSync(join(tmpdir(), 'signal-pool-store-'));

runStoreContract('embedded', async () => {
  const dir = tempDir();
  let store = await openEmbeddedStore({ dataDir: dir });
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
  };
});

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const runNames = async (store: Store) => (await store.listRuns({ limit: 1000 })).items.map((r) => r.name).sort();

// ---------------------------------------------------------------- torn and damaged journals
test('embedded: a torn last journal line (crash mid-append) is dropped and all earlier data kept', () =>
  withDir(async (dir) => {
    let store = await openEmbeddedStore({ dataDir: dir });
    await store.createRun({ experiment: 'e', name: 'a' });
    await store.createRun({ experiment: 'e', name: 'b' });
    await store.close();

    const journal = join(dir, 'runs.jsonl');
    const cleanSize = statSync(journal).size;
    appendFileSync(journal, '1a2b3c4d [{"op":"put","c":"runs","k":"x","v":{"id":"x","na'); // no newline: torn
    store = await openEmbeddedStore({ dataDir: dir });
    assert.deepEqual(await runNames(store), ['a', 'b']);
    assert.equal(statSync(journal).size, cleanSize, 'the torn tail is truncated away');

    // New appends start on a clean line and survive the next reopen.
    await store.createRun({ experiment: 'e', name: 'c' });
    await store.close();
    store = await openEmbeddedStore({ dataDir: dir });
    assert.deepEqual(await runNames(store), ['a', 'b', 'c']);
    await store.close();
    assert.ok(readFileSync(journal, 'utf8').endsWith('\n'));
  }));

test('embedded: a complete last line with a bad checksum is treated as torn; damage mid-file is refused by name', () =>
  withDir(async (dir) => {
    let store = await openEmbeddedStore({ dataDir: dir });
    await store.createRun({ experiment: 'e', name: 'a' });
    await store.close();
    const journal = join(dir, 'runs.jsonl');
    const good = readFileSync(journal, 'utf8');

    // Zero-filled tail, as some file systems leave after a power cut.
    appendFileSync(journal, Buffer.alloc(300));
    store = await openEmbeddedStore({ dataDir: dir });
    assert.deepEqual(await runNames(store), ['a']);
    await store.createRun({ experiment: 'e', name: 'b' });
    await store.close();

    // Flip a character inside the FIRST record: later records are intact, so this is damage, not a torn write.
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[0] = lines[0]!.replace('"a"', '"z"');
    writeFileSync(journal, lines.join('\n'));
    await assert.rejects(openEmbeddedStore({ dataDir: dir }), (err: unknown) => {
      assert.ok(err instanceof JournalCorruptError);
      assert.match(err.message, /runs\.jsonl line 1 is damaged \(checksum mismatch\)/);
      return true;
    });
    // The failed open released its lock: restoring the file makes the store usable again.
    writeFileSync(journal, good);
    store = await openEmbeddedStore({ dataDir: dir });
    assert.deepEqual(await runNames(store), ['a']);
    await store.close();
  }));

test('embedded: compaction rewrites journals atomically and keeps every live document', () =>
  withDir(async (dir) => {
    let store = await openEmbeddedStore({ dataDir: dir, compactAtBytes: 8 * 1024 });
    const run = await store.createRun({ experiment: 'e', name: 'busy' });
    for (let i = 0; i < 300; i++) await store.updateRun(run.id, { metrics: { step: i }, params: { [`p${i % 20}`]: i } });
    const journal = join(dir, 'runs.jsonl');
    const lines = readFileSync(journal, 'utf8').trim().split('\n').length;
    assert.ok(lines < 300, `journal was compacted (${lines} lines for 301 writes)`);
    const before = await store.getRun(run.id);
    await store.close();
    // A compaction interrupted before its rename leaves a .compact file: ignored and removed.
    writeFileSync(`${journal}.compact`, 'garbage');
    store = await openEmbeddedStore({ dataDir: dir });
    assert.deepEqual(await store.getRun(run.id), before);
    assert.equal(before!.metrics.step, 299);
    assert.equal(existsSync(`${journal}.compact`), false);
    await store.close();
  }));

test('embedded: registerVersion with a promotion is exactly one journal record; a prediction batch too', () =>
  withDir(async (dir) => {
    const store = await openEmbeddedStore({ dataDir: dir });
    const lineCount = (name: string) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean).length;
    await store.registerVersion(newVersion('BTC', 'uptrend', 'run', 'art', 'Ridge'));
    const before = lineCount('registry.jsonl');
    await store.registerVersion({ ...newVersion('BTC', 'uptrend', 'run', 'art', 'MLP'), promote: { alias: 'champion', reason: 'r', actor: 'a' } });
    assert.equal(lineCount('registry.jsonl'), before + 1, 'version, latest number, alias and history in one line');
    await store.savePredictions(Array.from({ length: 50 }, (_, i) => prediction('BTC', 'uptrend', 1, `2024-02-${String(i % 28 + 1).padStart(2, '0')}`, 0.5)));
    assert.equal(lineCount('predictions.jsonl'), 1);
    await store.close();
  }));

// ---------------------------------------------------------------- kill -9
/** Starts the crash writer, waits for `acks` completed iterations, then kills it with SIGKILL at a random moment. */
async function killWriterMidStream(dir: string, acks: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'crash-writer.ts'), dir, String(32 * 1024)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  let lastAck = -1;
  let buffered = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let seen = 0;
    child.stdout.on('data', (chunk) => {
      buffered += String(chunk);
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const p of parts) {
        lastAck = Number(p);
        if (++seen === acks) setTimeout(() => { child.kill('SIGKILL'); resolve(); }, Math.random() * 15);
      }
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`crash writer exited early (${code ?? signal}): ${stderr}`));
    });
  });
  await exited; // reaped: its pid is gone, so its lock is stale
  return lastAck;
}

test('embedded: a writer killed with SIGKILL mid-stream leaves an openable store holding a consistent prefix', { timeout: 60_000 }, () =>
  withDir(async (dir) => {
    let lastAck = -1;
    // A kill between a version and its prediction batch leaves that version without predictions for good; later
    // rounds add newer versions, so remember which versions were the newest when a writer died.
    const newestAtKill = new Set<number>();
    for (let round = 0; round < 3; round++) {
      const acked = await killWriterMidStream(dir, 15 + round * 5);
      lastAck = Math.max(lastAck, acked);
      const store = await openEmbeddedStore({ dataDir: dir }); // the dead writer's lock is taken over
      try {
        // Runs: exactly run-0 .. run-(m-1), nothing torn or duplicated.
        const runs = (await store.listRuns({ limit: 1000 })).items;
        const m = runs.length;
        assert.ok(m > lastAck, `every acknowledged iteration is present (${m} runs, last ack ${lastAck})`);
        assert.deepEqual(runs.map((r) => r.name).sort(), Array.from({ length: m }, (_, i) => `run-${i}`).sort());
        const runByName = new Map(runs.map((r) => [r.name, r]));

        // Versions: 1..V, each tied to its run, iterations increasing.
        const versions = await store.listVersions('BTC_uptrend_model');
        const V = versions.length;
        assert.deepEqual(versions.map((v) => v.version), Array.from({ length: V }, (_, i) => i + 1));
        let previousIteration = -1;
        for (const v of versions) {
          const iteration = v.tags.iteration as number;
          assert.ok(iteration > previousIteration);
          previousIteration = iteration;
          assert.equal(v.sourceRunId, runByName.get(`run-${iteration}`)!.id);
          const decoded = decodeArtifact(await store.getArtifact(v.artifactId), { expectedFeatureNames: ['a', 'b'] });
          assert.equal((decoded.state as { weights: Float64Array }).weights[0], iteration);
        }

        // Version and alias move are one atomic record: the champion is the newest version, the history a full chain.
        assert.equal((await store.getAlias('BTC_uptrend_model', 'champion'))?.version, V);
        const history = await store.aliasHistory('BTC_uptrend_model', 'champion');
        assert.deepEqual(history.map((h) => h.toVersion), Array.from({ length: V }, (_, i) => i + 1));

        // A prediction batch is atomic: 5 per version, except possibly 0 for the newest.
        const preds = (await store.listPredictions({ limit: 1000 })).items;
        for (const v of versions) {
          const n = preds.filter((p) => p.version === v.version).length;
          assert.ok(n === 5 || (n === 0 && (v.version === V || newestAtKill.has(v.version))), `version ${v.version} has ${n} predictions`);
        }
        newestAtKill.add(V);
        // Still writable.
        await store.createRun({ experiment: 'check', name: `check-${round}` });
        await store.deleteRun((await store.listRuns({ experiment: 'check' })).items[0]!.id);
      } finally {
        await store.close();
      }
    }
  }));

// ---------------------------------------------------------------- locking
test('embedded: a second process opening the same directory gets StoreLockedError', { timeout: 30_000 }, () =>
  withDir(async (dir) => {
    const openFromChild = () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'open-child.ts'), dir], { encoding: 'utf8' });
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { opened: boolean; name?: string; message?: string };
    };
    const store = await openEmbeddedStore({ dataDir: dir });
    const blocked = openFromChild();
    assert.equal(blocked.opened, false);
    assert.equal(blocked.name, 'StoreLockedError');
    assert.match(blocked.message!, new RegExp(`in use by process ${process.pid}`));
    assert.match(blocked.message!, /SIGNAL_POOL_DATA_DIR/);

    // In the same process, too.
    await assert.rejects(openEmbeddedStore({ dataDir: dir }), StoreLockedError);

    await store.close();
    assert.equal(openFromChild().opened, true);
  }));

test('embedded: a lock left by a dead process is taken over', () =>
  withDir(async (dir) => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const { hostname } = await import('node:os');
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: Number(dead.stdout), host: hostname(), since: '2020-01-01T00:00:00Z', token: 'old' }));
    const store = await openEmbeddedStore({ dataDir: dir });
    assert.equal(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8')).pid, process.pid);
    await store.close();
    assert.equal(existsSync(join(dir, 'LOCK')), false, 'close removes the lock');
  }));

// ---------------------------------------------------------------- damaged artifacts
test('embedded: artifact corruption is detected, on disk and by decodeArtifact', () =>
  withDir(async (dir) => {
    const bytes = encodeArtifact({ kind: 'Ridge', params: { alpha: 1 }, featureNames: ['rsi', 'macd'], state: { w: new Float64Array([1, 2, 3]) } });
    // In memory: one flipped bit anywhere after the first line is caught by the checksum.
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 3]! ^= 0x01;
    assert.throws(() => decodeArtifact(flipped), (err: unknown) => err instanceof ArtifactError && /checksum mismatch/.test(err.message));

    // On disk: the store re-checks what it reads.
    let store = await openEmbeddedStore({ dataDir: dir });
    const id = await store.putArtifact(bytes);
    await store.close();
    const file = join(dir, 'artifacts', `${id}.bin`);
    const onDisk = readFileSync(file);
    onDisk[100]! ^= 0xff;
    writeFileSync(file, onDisk);
    store = await openEmbeddedStore({ dataDir: dir });
    await assert.rejects(store.getArtifact(id), (err: unknown) => err instanceof ArtifactError && /corrupt on disk/.test(err.message));
    await store.close();
  }));

test('embedded: leftovers of interrupted artifact writes are cleaned at open', () =>
  withDir(async (dir) => {
    let store = await openEmbeddedStore({ dataDir: dir });
    const id = await store.putArtifact(new Uint8Array([1, 2, 3]));
    await store.close();
    const artifacts = join(dir, 'artifacts');
    writeFileSync(join(artifacts, 'deadbeef-0000-4000-8000-000000000000.bin'), 'never recorded'); // put killed before its record
    writeFileSync(join(artifacts, `${id}.bin.0123abcd.tmp`), 'half written'); // killed before the rename
    store = await openEmbeddedStore({ dataDir: dir });
    assert.deepEqual(readdirSync(artifacts), [`${id}.bin`]);
    assert.deepEqual(await store.getArtifact(id), new Uint8Array([1, 2, 3]));
    await store.close();
  }));

test('embedded: a data directory from a newer store format is refused', () =>
  withDir(async (dir) => {
    writeFileSync(join(dir, 'store.json'), JSON.stringify({ format: 'signal-pool-embedded-store', version: 99 }));
    await assert.rejects(openEmbeddedStore({ dataDir: dir }), /newer Signal Pool \(store format 99/);
    // The failed open released the lock.
    assert.equal(existsSync(join(dir, 'LOCK')), false);
  }));
