/**
 * Issue 19, drills 2 and 7, carried over to the SQLite store: a flipped bit in a complete record, in the database's
 * pages of one table (runs), and in store.json. Nothing is deleted on open; damaged bytes are copied aside to a named
 * file under damaged/, logged, and reported by verify until the file is deleted; serving goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openEmbeddedStore, DATABASE_FILE } from '../../../src/store/embedded/embedded-store.ts';
import { RecordDamagedError } from '../../../src/store/embedded/database.ts';
import type { ImportNotice } from '../../../src/store/embedded/legacy-import.ts';
import { silentLogger } from '../../../src/app/logger.ts';
import { deployTrend } from '../../../src/pipeline/deploy.ts';
import { newVersion } from '../contract.ts';
import { bundledCandles, testConfig } from '../../helpers/system.ts';
import { runCli, startService } from '../../helpers/processes.ts';

function flipBit(file: string, marker: string | Buffer, offset = 2): Buffer {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(marker);
  assert.ok(at >= 0, `marker ${String(marker)} is in ${file}`);
  const before = Buffer.from(bytes);
  bytes[at + offset]! ^= 0x01;
  writeFileSync(file, bytes);
  return before;
}

test('drill 2 (SQLite): a flipped bit in a complete record: the list serves the rest, the record is copied aside once and reported, nothing is deleted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-damage-'));
  try {
    let store = await openEmbeddedStore({ dataDir: dir });
    const art = await store.putArtifact(new Uint8Array([1, 2, 3]));
    const run = await store.createRun({ experiment: 'e', name: 'r' });
    const promote = { promote: { alias: 'champion', reason: 'first', actor: 'test' } };
    await store.registerVersion({ ...newVersion('AAA', 'uptrend', run.id, art, 'delta-marker-0123456789'), ...promote });
    await store.registerVersion({ ...newVersion('BBB', 'uptrend', run.id, art, 'Ridge'), ...promote });
    await store.close();
    flipBit(join(dir, DATABASE_FILE), 'delta-marker-0123456789');

    const notices: ImportNotice[] = [];
    store = await openEmbeddedStore({ dataDir: dir, onNotice: (n) => notices.push(n) });
    try {
      // Serving goes on: the intact champion is listed, the damaged one is left out and named once in the log.
      assert.deepEqual((await store.listAliased('champion')).map((v) => v.modelName), ['BBB_uptrend_model']);
      await store.listAliased('champion');
      assert.equal(notices.length, 1);
      assert.match(notices[0]!.message, /model version AAA_uptrend_model v1 is damaged .*checksum mismatch.*left out of lists/);
      await assert.rejects(store.getAlias('AAA_uptrend_model', 'champion'), RecordDamagedError);

      const report = await store.verify({ setAside: true });
      assert.equal(report.intact, false);
      const event = report.recovered.find((e) => e.kind === 'damaged-records')!;
      assert.ok(event.open);
      assert.match(event.message, /^1 damaged record was copied to damaged\/records\..*\.damaged \(versions AAA_uptrend_model v1\); they stay in the database/);
      const saved = readFileSync(join(dir, event.savedTo!), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(saved.length, 1);
      assert.match(saved[0].doc, /"AAA_uptrend_model"/);
      // Byte for byte what is in the database, and never deleted from it.
      const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
      const row = db.prepare("SELECT doc, crc FROM versions WHERE model_name = 'AAA_uptrend_model'").get() as { doc: string; crc: number };
      db.close();
      assert.equal(saved[0].doc, row.doc);
      assert.equal(saved[0].crc, row.crc);

      // Once: a second check copies nothing new.
      const again = await store.verify({ setAside: true });
      assert.equal(again.recovered.filter((e) => e.kind === 'damaged-records').length, 1);
      assert.equal(readdirSync(join(dir, 'damaged')).length, 1);
      // Reported until the copy is deleted (the record itself stays reported by its checksum).
      unlinkSync(join(dir, event.savedTo!));
      assert.equal((await store.verify()).recovered.find((e) => e.kind === 'damaged-records')!.open, false);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('drill 2 (SQLite): a flipped bit in store.json is copied aside and the marker rewritten; the data opens intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-damage-'));
  try {
    let store = await openEmbeddedStore({ dataDir: dir });
    const run = await store.createRun({ experiment: 'e', name: 'kept' });
    await store.close();
    const original = flipBit(join(dir, 'store.json'), '"format"', 0); // '"' becomes '#': no longer JSON
    const notices: ImportNotice[] = [];
    store = await openEmbeddedStore({ dataDir: dir, onNotice: (n) => notices.push(n) });
    try {
      assert.equal((await store.getRun(run.id))?.name, 'kept');
      assert.match(notices[0]!.message, /^store\.json was damaged .*copied to damaged\/store\.json\..*\.damaged and rewritten/);
      const copy = readdirSync(join(dir, 'damaged')).find((f) => f.startsWith('store.json.'))!;
      assert.notDeepEqual(readFileSync(join(dir, 'damaged', copy)), original, 'the damaged bytes, as found');
      assert.equal(readFileSync(join(dir, 'damaged', copy)).length, original.length);
      assert.equal(JSON.parse(readFileSync(join(dir, 'store.json'), 'utf8')).version, 2);
      const report = await store.verify();
      assert.ok(report.recovered.some((e) => e.kind === 'damaged-marker' && e.open));
      assert.equal(report.intact, false, 'reported until the copy is deleted');
    } finally {
      await store.close();
    }
    // Without a database beside it, a directory with an unreadable store.json is still refused.
    const other = mkdtempSync(join(tmpdir(), 'sp-damage-'));
    writeFileSync(join(other, 'store.json'), '#not json');
    await assert.rejects(openEmbeddedStore({ dataDir: other }), /is not valid JSON/);
    rmSync(other, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('drill 7 (SQLite): damaged pages of the runs table do not stop the service: /models, /prediction and /health serve', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-damage-'));
  try {
    const config = testConfig({ 'gate.positiveAccuracy': 0, 'gate.negativeAccuracy': 0, 'gate.overall': 0, protocol: 'seed', symbols: ['BTC'] });
    const store = await openEmbeddedStore({ dataDir: dir });
    await deployTrend({ config, store, logger: silentLogger, loadCandles: bundledCandles(config) }, { trend: 'uptrend', symbols: ['BTC'], classifiers: ['Ridge'], protocol: 'seed', seed: 1, actor: 'test' });
    await store.claimJobRun('bootstrap', 'initial', 'test');
    await store.finishJobRun('bootstrap', 'initial', { status: 'SUCCEEDED' });
    await store.close();
    // Flip one bit of the page type of the runs table's root page: every read of runs now fails (SQLITE_CORRUPT).
    const file = join(dir, DATABASE_FILE);
    const db = new Database(file, { readonly: true });
    const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").get() as { rootpage: number };
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    db.close();
    const bytes = readFileSync(file);
    bytes[(rootpage - 1) * pageSize]! ^= 0x01;
    writeFileSync(file, bytes);
    assert.equal((await runCli(['runs'], { SIGNAL_POOL_DATA_DIR: dir })).code !== 0, true, 'run history is unreadable');

    const service = await startService({ SIGNAL_POOL_DATA_DIR: dir }, { SIGNAL_POOL_SYMBOLS: 'BTC' });
    try {
      const models = await fetch(`${service.url}/models`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(models.status, 200);
      assert.deepEqual((await models.json() as { symbol: string }[]).map((m) => m.symbol), ['BTC']);
      const prediction = await fetch(`${service.url}/prediction?symbol=BTC&trend_type=uptrend`, { signal: AbortSignal.timeout(20_000) });
      assert.equal(prediction.status, 200, await prediction.clone().text());
      assert.match(await service.waitForLog(/store check: NOT intact/, 30_000), /run table runs: cannot be read/);
      const health = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(10_000) });
      const body = await health.json() as { status: string; store: { check: { intact: boolean } | null } };
      assert.equal(health.status, 200);
      assert.equal(body.status, 'degraded');
      assert.equal(body.store.check?.intact, false);
      assert.ok(service.logs().includes('could not check for abandoned runs'), 'the run sweep degrades to a warning');
    } finally {
      const finished = await service.stop();
      assert.equal(finished.code, 0);
    }
    // The damaged database was copied aside as found, and nothing was deleted.
    assert.ok(readdirSync(join(dir, 'damaged')).some((f) => f.startsWith(`${DATABASE_FILE}.`)));
    assert.ok(existsSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('drill 2 (SQLite): a flipped bit in a committed WAL frame after a crash: the WAL is copied aside before SQLite drops it, logged and reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-damage-'));
  const crashed = mkdtempSync(join(tmpdir(), 'sp-damage-'));
  try {
    const store = await openEmbeddedStore({ dataDir: dir });
    try {
      await store.createRun({ experiment: 'e', name: 'first' });
      await store.createRun({ experiment: 'e', name: 'echo-marker-0123456789' });
      await store.createRun({ experiment: 'e', name: 'after-the-damage' });
      // What a crash leaves behind: the database, its WAL (not checkpointed) and the marker, copied while open.
      for (const f of [DATABASE_FILE, `${DATABASE_FILE}-wal`, 'store.json']) writeFileSync(join(crashed, f), readFileSync(join(dir, f)));
    } finally {
      await store.close();
    }
    const wal = join(crashed, `${DATABASE_FILE}-wal`);
    flipBit(wal, 'echo-marker-0123456789');
    const asFound = readFileSync(wal);
    const notices: ImportNotice[] = [];
    const reopened = await openEmbeddedStore({ dataDir: crashed, onNotice: (n) => notices.push(n) });
    try {
      const warning = notices.find((n) => /store\.sqlite-wal: frame \d+ of \d+ is damaged/.test(n.message));
      assert.ok(warning, JSON.stringify(notices));
      assert.equal(warning.level, 'warn');
      assert.match(warning.message, /[1-9]\d* committed writes? from there on will be missing/);
      const copy = readdirSync(join(crashed, 'damaged')).find((f) => f.startsWith(`${DATABASE_FILE}-wal.`))!;
      assert.deepEqual(readFileSync(join(crashed, 'damaged', copy)), asFound, 'the WAL as found, byte for byte');
      assert.ok(readFileSync(join(crashed, 'damaged', copy)).includes('after-the-damage'), 'the writes SQLite drops are in the copy');
      const report = await reopened.verify();
      assert.ok(report.recovered.some((e) => e.kind === 'damaged-wal' && e.open));
      assert.equal(report.intact, false);
    } finally {
      await reopened.close();
    }
    // An intact WAL after a crash is not reported.
    const clean = mkdtempSync(join(tmpdir(), 'sp-damage-'));
    const s2 = await openEmbeddedStore({ dataDir: dir });
    await s2.createRun({ experiment: 'e', name: 'more' });
    for (const f of [DATABASE_FILE, `${DATABASE_FILE}-wal`, 'store.json']) if (existsSync(join(dir, f))) writeFileSync(join(clean, f), readFileSync(join(dir, f)));
    await s2.close();
    const quiet: ImportNotice[] = [];
    await (await openEmbeddedStore({ dataDir: clean, onNotice: (n) => quiet.push(n) })).close();
    assert.deepEqual(quiet, []);
    rmSync(clean, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(crashed, { recursive: true, force: true });
  }
});
