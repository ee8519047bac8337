import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { buildApi } from '../../src/api/server.ts';
import { silentLogger } from '../../src/app/logger.ts';
import type { SignalPoolServices } from '../../src/app/services.ts';
import { createScheduler } from '../../jobs/scheduler.ts';
import { openTempStore } from '../jobs/store-helpers.ts';
import { fakeServices } from './fake-services.ts';

test('/health reports the job runs the scheduler recorded in the real embedded store', async () => {
  const temp = await openTempStore();
  const app = buildApi({ ...fakeServices().services, store: temp.store } as SignalPoolServices);
  try {
    const scheduler = createScheduler({
      store: temp.store,
      logger: silentLogger,
      owner: 'test',
      jobs: [
        { name: 'daily', cron: '15 0 * * *', timezone: 'UTC', run: async () => ({ predictions: 40 }) },
        { name: 'weekly-deploy', cron: '0 2 * * 0', timezone: 'UTC', run: async () => { throw new Error('no data'); } },
      ],
    });
    await scheduler.tick('daily', new Date('2026-11-23T00:15:00Z'));
    await scheduler.tick('daily', new Date('2026-11-24T00:15:00Z'));
    await scheduler.tick('weekly-deploy', new Date('2026-11-22T02:00:00Z'));

    await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/health`);
    const body = await res.json();
    assert.equal(res.status, 200);
    // The last weekly-deploy failed: still serving, but not "ok".
    assert.equal(body.status, 'degraded');
    assert.deepEqual(body.problems, ['the last weekly-deploy job failed: no data']);
    assert.deepEqual(body.store, { kind: 'embedded', reachable: true, check: null });
    assert.deepEqual(body.last_job_runs.map((r: any) => [r.job, r.slot, r.status]), [
      ['daily', '2026-11-24T00:15Z', 'SUCCEEDED'],
      ['weekly-deploy', '2026-11-22T02:00Z', 'FAILED'],
    ]);
    for (const run of body.last_job_runs) assert.ok(Date.parse(run.ended_at) >= Date.parse(run.started_at));
  } finally {
    await app.close();
    await temp.dispose();
  }
});
