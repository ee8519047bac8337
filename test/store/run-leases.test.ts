/**
 * Issue 19, drill 6: runs left RUNNING by a deploy killed with SIGKILL are marked ABANDONED at the next start of the
 * service (and before the next deployment), and `signal-pool runs` shows them so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/store/embedded/embedded-store.ts';
import { abandonReason, abandonStaleRuns, ownerAlive } from '../../src/store/run-leases.ts';
import type { Run } from '../../src/store/ports.ts';
import { ROOT, runCli, startService } from '../helpers/processes.ts';

test('drill 6: kill -9 during a deploy; the next service start marks its runs ABANDONED and `runs` shows them', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-leases-'));
  try {
    const store = await openEmbeddedStore({ dataDir: dir });
    await store.claimJobRun('bootstrap', 'initial', 'test');
    await store.finishJobRun('bootstrap', 'initial', { status: 'SUCCEEDED' });
    await store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'pipeline', 'fixtures', 'deploy-child.ts'), dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('classifier-done')) { child.kill('SIGKILL'); resolve(); } });
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}: ${stderr}`)));
    });
    await new Promise((r) => child.once('exit', r));
    clearTimeout(guard);

    const before = await openEmbeddedStore({ dataDir: dir });
    const running = (await before.listRuns({ status: 'RUNNING' })).items;
    await before.close();
    assert.ok(running.length >= 1, 'the killed deploy left RUNNING runs');
    assert.ok(running.every((r) => r.owner === `${hostname()}:${child.pid}`), 'each run names its process');

    const service = await startService({ SIGNAL_POOL_DATA_DIR: dir });
    try {
      assert.match(await service.waitForLog(/ABANDONED/, 20_000), new RegExp(`marked ${running.length} run\\(s\\) ABANDONED: their process is gone`));
    } finally {
      await service.stop();
    }
    const listed = await runCli(['runs', '--json'], { SIGNAL_POOL_DATA_DIR: dir });
    assert.equal(listed.code, 0, listed.stderr);
    const runs = JSON.parse(listed.stdout) as { id: string; status: string; error: string | null }[];
    for (const r of running) {
      const shown = runs.find((x) => x.id === r.id);
      assert.equal(shown?.status, 'ABANDONED');
      assert.match(String(shown?.error), /process that ran it .* is gone/);
    }
    const table = await runCli(['runs'], { SIGNAL_POOL_DATA_DIR: dir });
    assert.match(table.stdout, /ABANDONED/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('drill 6: liveness and the lease decide; a run that finished meanwhile keeps its result', async () => {
  assert.equal(ownerAlive(`${hostname()}:${process.pid}`), true);
  assert.equal(ownerAlive('other-host:1'), null);
  const base = { status: 'RUNNING', startTime: new Date('2026-01-01T00:00:00Z'), updatedAt: new Date('2026-01-01T00:00:00Z') } as Run;
  const now = () => new Date('2026-01-01T05:00:00Z');
  assert.equal(abandonReason({ ...base, owner: 'other-host:1' }, { now }), null, 'within the 6 h lease');
  assert.match(String(abandonReason({ ...base, owner: 'other-host:1' }, { now, leaseMs: 60 * 60_000 })), /no progress for 300 min \(lease 60 min expired; owner other-host:1\)/);
  assert.match(String(abandonReason({ ...base, owner: 'x:2' }, { isAlive: () => false })), /process that ran it \(x:2\) is gone/);
  assert.equal(abandonReason({ ...base, status: 'FINISHED', owner: 'x:2' }, { isAlive: () => false }), null);

  const dir = mkdtempSync(join(tmpdir(), 'sp-leases-'));
  const store = await openEmbeddedStore({ dataDir: dir });
  try {
    const mine = await store.createRun({ experiment: 'e', name: 'alive' });
    const done = await store.createRun({ experiment: 'e', name: 'done' });
    await store.endRun(done.id, 'FINISHED');
    assert.deepEqual(await abandonStaleRuns(store), [], 'this process is alive');
    assert.equal(await store.abandonRun(done.id, 'late'), null, 'compare-and-set: FINISHED stays');
    const abandoned = await abandonStaleRuns(store, { isAlive: () => false });
    assert.deepEqual(abandoned.map((r) => [r.id, r.status]), [[mine.id, 'ABANDONED']]);
    assert.equal((await store.getRun(done.id))?.status, 'FINISHED');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
