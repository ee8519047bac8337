/**
 * Import of a journal store (format 1, the embedded store before SQLite) on first open: a store made by that code
 * (fixtures/journal-store-v1) comes back identical through the Store ports, and damaged copies of it lose nothing
 * silently: every bad line is moved aside byte for byte, named in a warning and reported by verify.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreLockedError } from '../../../src/store/ports.ts';
import { openEmbeddedStore, type EmbeddedStore } from '../../../src/store/embedded/embedded-store.ts';
import type { ImportNotice } from '../../../src/store/embedded/legacy-import.ts';
import { dumpStore } from '../fixtures/dump-store.ts';
import { childEnv, collect, spawnTs } from '../../helpers/processes.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/journal-store-v1', import.meta.url));
const EXPECTED = readFileSync(fileURLToPath(new URL('../fixtures/journal-store-v1.expected.json', import.meta.url)), 'utf8');
const CHILD = fileURLToPath(new URL('../fixtures/store-child.ts', import.meta.url));

async function withCopy(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = join(mkdtempSync(join(tmpdir(), 'sp-import-')), 'store');
  cpSync(FIXTURE, dir, { recursive: true });
  rmSync(join(dir, 'README.md'));
  try {
    await fn(dir);
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
}

async function open(dir: string): Promise<{ store: EmbeddedStore; notices: ImportNotice[] }> {
  const notices: ImportNotice[] = [];
  const store = await openEmbeddedStore({ dataDir: dir, onNotice: (n) => notices.push(n) });
  return { store, notices };
}

const backupOf = (dir: string) => join(dir, readdirSync(dir).find((n) => n.startsWith('journal-backup-'))!);

test('import: a store written by the journal store is imported on first open, with one log line, and reads back identical', () =>
  withCopy(async (dir) => {
    const { store, notices } = await open(dir);
    try {
      assert.equal(notices.length, 1, JSON.stringify(notices));
      assert.equal(notices[0]!.level, 'info');
      assert.match(
        notices[0]!.message,
        /^imported the journal store in .* into .*store\.sqlite: 5 runs, 4 artifacts, 3 registered models with 4 versions, 6 predictions, 6 candles, 2 subscriptions, 2 job runs; the journal files are kept in .*journal-backup-\S+$/,
      );
      assert.equal(await dumpStore(store), EXPECTED);
      assert.equal((await store.verify()).intact, true);

      // Nothing deleted: the journals, the old marker and the artifact files sit in the backup, unchanged.
      const backup = backupOf(dir);
      for (const name of readdirSync(FIXTURE).filter((n) => n !== 'README.md')) {
        if (name === 'artifacts') assert.deepEqual(readdirSync(join(backup, name)).sort(), readdirSync(join(FIXTURE, name)).sort());
        else assert.ok(readFileSync(join(backup, name)).equals(readFileSync(join(FIXTURE, name))), `${name} kept as it was`);
      }
      assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.jsonl')), []);
      assert.equal(JSON.parse(readFileSync(join(dir, 'store.json'), 'utf8')).version, 2, 'older builds now refuse the directory');

      // Work continues where the journal store left off.
      const artifact = await store.putArtifact(new Uint8Array([1]));
      const next = await store.registerVersion({
        ...(await store.getVersion('ETH_uptrend_model', 2))!, artifactId: artifact, promote: { alias: 'champion', reason: 'after import', actor: 'test' },
      });
      assert.equal(next.version.version, 3);
    } finally {
      await store.close();
    }
    const again = await open(dir);
    assert.deepEqual(again.notices, [], 'imported once');
    assert.equal(again.store.imported, null);
    assert.equal((await again.store.listVersions('ETH_uptrend_model')).length, 3);
    await again.store.close();
  }));

test('import: a last line cut short (registry.jsonl) is moved aside and reported, never dropped silently', () =>
  withCopy(async (dir) => {
    const journal = join(dir, 'registry.jsonl');
    const original = readFileSync(journal);
    const lastLineStart = original.lastIndexOf(0x0a, original.length - 2) + 1;
    const damaged = original.subarray(0, original.length - 40); // the last record, committed long ago, cut short
    writeFileSync(journal, damaged);

    const { store, notices } = await open(dir);
    try {
      assert.equal(notices[0]!.level, 'warn');
      assert.match(notices[0]!.message, /2 registered models with 4 versions.*; 1 problem \(see below and `signal-pool store verify`\)$/);
      const warning = notices.find((n) => n.message.startsWith('journal import: registry.jsonl'))!;
      assert.match(warning.message, /registry\.jsonl: 1 damaged line could not be imported and was moved aside to damaged\/registry\.jsonl\.\S+\.damaged \(line 6: incomplete last line \(no newline\) \[models\/SOL_downtrend_model\]\)/);

      const aside = join(dir, warning.message.match(/moved aside to (\S+)/)![1]!);
      assert.ok(readFileSync(aside).equals(damaged.subarray(lastLineStart)), 'the damaged bytes, exactly');
      assert.ok(readFileSync(join(backupOf(dir), 'registry.jsonl')).equals(damaged), 'the journal itself is kept untouched');
      assert.equal(await store.getRegisteredModel('SOL_downtrend_model'), null);
      assert.equal((await store.getAlias('BTC_uptrend_model', 'champion'))!.version, 1, 'every intact line is imported');

      const report = await store.verify();
      assert.equal(report.intact, false, 'data set aside keeps verify failing');
      assert.deepEqual(report.problems, []);
      assert.equal(report.recovered.length, 1);
      assert.equal(report.recovered[0]!.open, true);
      assert.deepEqual(report.recovered[0]!.ids, ['models/SOL_downtrend_model']);
      // Once someone has dealt with it (restored the record by hand, or decided to let it go), verify passes.
      rmSync(aside);
      assert.equal((await store.verify()).intact, true);
    } finally {
      await store.close();
    }
  }));

test('import: one flipped bit in the middle of runs.jsonl, or in the last complete line of registry.jsonl, is moved aside; the rest is imported', () =>
  withCopy(async (dir) => {
    const flip = (file: string, line: number) => {
      const bytes = readFileSync(join(dir, file));
      let start = 0;
      for (let i = 1; i < line; i++) start = bytes.indexOf(0x0a, start) + 1;
      const end = bytes.indexOf(0x0a, start);
      bytes[Math.floor((start + end) / 2)]! ^= 0x02;
      writeFileSync(join(dir, file), bytes);
    };
    flip('runs.jsonl', 2);
    flip('registry.jsonl', 6);
    const { store, notices } = await open(dir);
    try {
      const warnings = notices.filter((n) => n.message.startsWith('journal import:')).map((n) => n.message);
      assert.equal(warnings.length, 2, JSON.stringify(notices));
      assert.match(warnings.find((w) => w.includes('runs.jsonl'))!, /runs\.jsonl: 1 damaged line .* \(line 2: checksum mismatch \[runs\/[0-9a-f-]{36}\]\)/);
      assert.match(warnings.find((w) => w.includes('registry.jsonl'))!, /\(line 6: checksum mismatch \[models\/SOL_downtrend_model\]\)/);
      // runs.jsonl line 2 created a run that later lines rewrite in full: nothing of it is lost.
      assert.equal((await store.listRuns({ limit: 100 })).total, 5);
      assert.equal(await store.getRegisteredModel('SOL_downtrend_model'), null);
      assert.equal((await store.listPredictions()).total, 6);
      const report = await store.verify();
      assert.deepEqual(report.recovered.map((e) => [e.kind, e.open]), [['journal-damaged-lines', true], ['journal-damaged-lines', true]]);
    } finally {
      await store.close();
    }
  }));

test('import: a zero-filled tail (power cut) is set aside and reported too', () =>
  withCopy(async (dir) => {
    writeFileSync(join(dir, 'jobs.jsonl'), Buffer.concat([readFileSync(join(dir, 'jobs.jsonl')), Buffer.alloc(300)]));
    const { store, notices } = await open(dir);
    try {
      assert.match(notices.map((n) => n.message).join('\n'), /jobs\.jsonl: 1 damaged line .*\(line 4: zero bytes \(as a file system can leave after a power cut\)\)/);
      assert.equal((await store.listJobRuns()).total, 2);
    } finally {
      await store.close();
    }
  }));

test('import: a missing artifact file and a corrupt one are reported by id, and verify names the versions they break', () =>
  withCopy(async (dir) => {
    const expected = JSON.parse(EXPECTED) as { versions: Record<string, { artifactId: string; version: number }[]> };
    const [btc1, btc2] = expected.versions.BTC_uptrend_model!;
    rmSync(join(dir, 'artifacts', `${btc1!.artifactId}.bin`));
    const corrupt = join(dir, 'artifacts', `${btc2!.artifactId}.bin`);
    const bytes = readFileSync(corrupt);
    bytes[bytes.length - 5]! ^= 0x10;
    writeFileSync(corrupt, bytes);

    const { store, notices } = await open(dir);
    try {
      const text = notices.map((n) => n.message).join('\n');
      assert.match(text, new RegExp(`1 artifact is recorded in artifacts\\.jsonl but its file is missing, so it was not imported: ${btc1!.artifactId}`));
      assert.match(text, new RegExp(`artifact ${btc2!.artifactId} was imported as found, but its file does not match its record`));
      const problems = (await store.verify()).problems.map((p) => `${p.what} ${p.id}`).sort();
      assert.deepEqual(problems, [`artifact ${btc2!.artifactId}`, 'model version BTC_uptrend_model v1'].sort());
      assert.equal((await store.getAlias('ETH_uptrend_model', 'champion'))!.version, 2, 'everything else serves');
    } finally {
      await store.close();
    }
  }));

test('import: an older Signal Pool still running on the directory is named, and nothing is touched until it stops', { timeout: 30_000 }, () =>
  withCopy(async (dir) => {
    const old = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: old.pid, host: hostname(), since: '2026-12-01T00:00:00.000Z', token: 'old' }));
      await assert.rejects(openEmbeddedStore({ dataDir: dir }), (err: unknown) => {
        assert.ok(err instanceof StoreLockedError);
        assert.match(err.message, new RegExp(`still open in an older Signal Pool \\(process ${old.pid}, since 2026-12-01T00:00:00.000Z\\) that writes the journal format\\. Stop it`));
        return true;
      });
      assert.ok(existsSync(join(dir, 'registry.jsonl')));
      assert.equal(JSON.parse(readFileSync(join(dir, 'store.json'), 'utf8')).version, 1);
    } finally {
      old.kill('SIGKILL');
      await new Promise((r) => old.once('exit', r));
    }
    // Its lock is stale now: the import proceeds.
    const { store } = await open(dir);
    assert.equal(await dumpStore(store), EXPECTED);
    await store.close();
  }));

test('import: two processes opening a journal store at once import it exactly once', { timeout: 60_000 }, () =>
  withCopy(async (dir) => {
    const env = childEnv({ SP_TEST_STORE: JSON.stringify({ dataDir: dir, mongoDb: 'unused', connectTimeoutMs: 1000 }) });
    const results = await Promise.all([0, 1].map(() => collect(spawnTs(CHILD, ['open'], env))));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const said = results.map((r) => JSON.parse(r.stdout.trim()) as { imported: boolean; runs: number });
    assert.deepEqual(said.map((s) => s.imported).sort(), [false, true]);
    assert.deepEqual(said.map((s) => s.runs), [5, 5]);
    const { store } = await open(dir);
    assert.equal(await dumpStore(store), EXPECTED);
    await store.close();
  }));

test('import: interrupted after its commit, the next open only finishes moving the files (no second import)', () =>
  withCopy(async (dir) => {
    await (await open(dir)).store.close();
    // As if the process died right after the commit: journal files and the format-1 marker still in place.
    const backup = backupOf(dir);
    for (const name of ['runs.jsonl', 'registry.jsonl', 'store.json']) renameSync(join(backup, name), join(dir, name));
    const { store, notices } = await open(dir);
    try {
      assert.deepEqual(notices, []);
      assert.equal(await dumpStore(store), EXPECTED);
      assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.jsonl')), []);
      assert.ok(existsSync(join(backup, 'registry.jsonl')));
      assert.equal(JSON.parse(readFileSync(join(dir, 'store.json'), 'utf8')).version, 2);
    } finally {
      await store.close();
    }
  }));

test('import: journal files beside an SQLite store that already holds data are refused, not merged', () =>
  withCopy(async (dir) => {
    const other = join(dir, '..', 'other');
    const { store } = await open(other);
    await store.createRun({ experiment: 'e', name: 'already here' });
    await store.close();
    cpSync(join(other, 'store.sqlite'), join(dir, 'store.sqlite'));
    await assert.rejects(openEmbeddedStore({ dataDir: dir }), /holds both journal files of the old format and an SQLite store with data .*refusing to merge/);
    assert.ok(existsSync(join(dir, 'runs.jsonl')), 'nothing moved');
  }));
