import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/app/logger.ts';
import { DeploymentBusyError, type DeployRequest, type DeploySummary } from '../../src/app/services.ts';
import { JobFailedError } from '../../jobs/job.ts';
import { createWeeklyDeployJob } from '../../jobs/weekly-deploy.ts';

function summary(request: DeployRequest): DeploySummary {
  return {
    trend: request.trend,
    protocol: 'walk-forward',
    startedAt: new Date('2026-11-22T02:00:00Z'),
    seconds: 12.345,
    symbols: [
      { symbol: 'BTC', trend: request.trend, ok: true, registered: true, version: 4, becameChampion: true },
      { symbol: 'ETH', trend: request.trend, ok: true, registered: true, version: 2, becameChampion: false },
      { symbol: 'XRP', trend: request.trend, ok: false, error: 'not enough rows', registered: false, becameChampion: false },
    ],
  };
}

test('deploys both trends as the scheduler, passing the abort signal', async () => {
  const requests: DeployRequest[] = [];
  const job = createWeeklyDeployJob({
    services: { logger: silentLogger, deploy: async (r) => { requests.push(r); return summary(r); } },
    cron: '0 2 * * 0',
    timezone: 'UTC',
  });
  const controller = new AbortController();
  const result = await job.run(controller.signal);
  assert.equal(job.name, 'weekly-deploy');
  assert.deepEqual(requests.map((r) => [r.trend, r.actor, r.signal === controller.signal]), [['uptrend', 'scheduler', true], ['downtrend', 'scheduler', true]]);
  const up = { protocol: 'walk-forward', seconds: 12.3, symbols: 3, registered: 2, newChampions: ['BTC'], failures: [{ symbol: 'XRP', error: 'not enough rows' }] };
  assert.deepEqual(result, { uptrend: up, downtrend: up });
});

test('a failing trend does not stop the other, and the job fails naming it', async () => {
  const trends: string[] = [];
  const job = createWeeklyDeployJob({
    services: {
      logger: silentLogger,
      deploy: async (r) => {
        trends.push(r.trend);
        if (r.trend === 'uptrend') throw new DeploymentBusyError();
        return summary(r);
      },
    },
    cron: '0 2 * * 0',
    timezone: 'UTC',
  });
  await assert.rejects(job.run(new AbortController().signal), (err: unknown) => {
    assert.ok(err instanceof JobFailedError);
    assert.equal(err.message, 'deployment failed for uptrend: A deployment is already running. Wait for it to finish.');
    const s = err.summary as Record<string, { error?: string; registered?: number }>;
    assert.match(s.uptrend.error ?? '', /already running/);
    assert.equal(s.downtrend.registered, 2);
    return true;
  });
  assert.deepEqual(trends, ['uptrend', 'downtrend']);
});

test('a shutdown during the first trend does not start the second', async () => {
  const controller = new AbortController();
  const trends: string[] = [];
  const job = createWeeklyDeployJob({
    services: {
      logger: silentLogger,
      deploy: async (r) => {
        trends.push(r.trend);
        controller.abort(new Error('stopping'));
        throw new Error('deployment aborted');
      },
    },
    cron: '0 2 * * 0',
    timezone: 'UTC',
  });
  await assert.rejects(job.run(controller.signal), /deployment aborted/);
  assert.deepEqual(trends, ['uptrend']);
});
