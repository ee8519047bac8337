import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedStore, DATABASE_FILE } from '../../src/store/embedded/embedded-store.ts';
import { runCli } from '../helpers/processes.ts';

const work = mkdtempSync(join(tmpdir(), 'sp-cli-store-'));
after(() => rmSync(work, { recursive: true, force: true }));
const FIXTURE = fileURLToPath(new URL('../store/fixtures/journal-store-v1', import.meta.url));
const store = (args: string[], env: Record<string, string> = {}) => runCli(['store', ...args], { SIGNAL_POOL_LOG_LEVEL: 'error', ...env });

test('store verify: an intact store exits 0 with a count per table; a damaged one exits 1 naming the record', async () => {
  const dir = join(work, 'verify');
  const s = await openEmbeddedStore({ dataDir: dir });
  await s.createRun({ experiment: 'e', name: 'fine' });
  const damaged = await s.createRun({ experiment: 'e', name: 'echo-marker-0123456789' });
  await s.close();

  const ok = await store(['verify'], { SIGNAL_POOL_DATA_DIR: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /database structure: ok/);
  assert.match(ok.stdout, /runs\s+2\s+0/);
  assert.match(ok.stdout, /Intact: every record and artifact checks out\./);

  const file = join(dir, DATABASE_FILE);
  const bytes = readFileSync(file);
  bytes[bytes.indexOf('echo-marker-0123456789') + 3]! ^= 0x04;
  writeFileSync(file, bytes);
  const bad = await store(['verify', '--dir', dir]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /runs\s+1\s+1/);
  assert.match(bad.stdout, new RegExp(`Damaged or broken \\(1\\):\\n  run ${damaged.id}: checksum mismatch`));
  assert.match(bad.stdout, /NOT intact/);
  const json = await store(['verify', '--dir', dir, '--json']);
  assert.equal(json.code, 1);
  const report = JSON.parse(json.stdout) as { intact: boolean; problems: { id: string }[] };
  assert.equal(report.intact, false);
  assert.deepEqual(report.problems.map((p) => p.id), [damaged.id]);
});

test('store verify on a journal store reports what an import would set aside, and changes nothing', async () => {
  const dir = join(work, 'legacy-verify');
  cpSync(FIXTURE, dir, { recursive: true });
  const clean = await store(['verify', '--dir', dir]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /a journal store \(format 1\), not imported yet; `signal-pool store migrate` imports it/);
  assert.match(clean.stdout, /41 journal records intact/);
  const registry = readFileSync(join(dir, 'registry.jsonl'));
  writeFileSync(join(dir, 'registry.jsonl'), registry.subarray(0, registry.length - 40));
  const damaged = await store(['verify', '--dir', dir]);
  assert.equal(damaged.code, 1);
  assert.match(damaged.stdout, /journal line registry\.jsonl line 6: incomplete last line \(no newline\) \[models\/SOL_downtrend_model\]/);
  assert.equal(existsSync(join(dir, DATABASE_FILE)), false, 'verify did not import');
});

test('store migrate imports a journal store once, in one line; a second run has nothing to do', async () => {
  const dir = join(work, 'migrate');
  cpSync(FIXTURE, dir, { recursive: true });
  const first = await store(['migrate', '--dir', dir]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^imported the journal store in .* 5 runs, 4 artifacts, 3 registered models with 4 versions, .*journal-backup-\S+\n$/);
  const second = await store(['migrate'], { SIGNAL_POOL_DATA_DIR: dir });
  assert.equal(second.code, 0);
  assert.match(second.stdout, /Nothing to migrate: .* is already an SQLite store/);
  const models = await runCli(['models', '--json'], { SIGNAL_POOL_DATA_DIR: dir, SIGNAL_POOL_LOG_LEVEL: 'error' });
  assert.deepEqual((JSON.parse(models.stdout) as { name: string }[]).map((m) => m.name), ['BTC_uptrend_model', 'ETH_uptrend_model', 'SOL_downtrend_model']);
});

test('store commands: a missing store or a MongoDB configuration gets one clear line', async () => {
  const missing = await store(['verify', '--dir', join(work, 'nothing-here')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^signal-pool: no Signal Pool store in .*nothing-here \(no store\.sqlite\); nothing to verify\n$/);
  const nothing = await store(['migrate', '--dir', join(work, 'nothing-here')]);
  assert.match(nothing.stderr, /^signal-pool: no Signal Pool store in .*: neither journal files/);
  const mongo = await store(['verify'], { MONGODB_URI: 'mongodb://127.0.0.1:9/' });
  assert.equal(mongo.code, 2);
  assert.match(mongo.stderr, /store verify works on the embedded store, but MONGODB_URI is set/);
});
