import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger, silentLogger } from '../../src/app/logger.ts';
import type { JobRunStore } from '../../src/store/ports.ts';
import { JobFailedError, slotOf, type JobDefinition } from '../../jobs/job.ts';
import { createScheduler } from '../../jobs/scheduler.ts';
import { flakyJobRuns, openTempStore, type TempStore } from './store-helpers.ts';

// Every test runs against the real embedded store in a fresh directory.
let temp: TempStore;
beforeEach(async () => { temp = await openTempStore(); });
afterEach(() => temp.dispose());

const DAILY = '15 0 * * *';
const T1 = new Date('2026-11-24T00:15:00.000Z');
const T2 = new Date('2026-11-25T00:15:00.000Z');
const T3 = new Date('2026-11-26T00:15:00.000Z');

/** A job whose runs are counted and, when `gate` is set, wait until it resolves. */
function countingJob(name = 'daily', behaviour: (signal: AbortSignal, n: number) => Promise<unknown> = async () => ({ ok: true })) {
  const job = {
    name,
    cron: DAILY,
    timezone: 'UTC',
    runs: 0,
    run: async (signal: AbortSignal) => {
      job.runs += 1;
      return (await behaviour(signal, job.runs)) as never;
    },
  };
  return job;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

/** Resolves once the job's run function has been called (the claim, a disk write, happens first). */
async function started(job: { runs: number }) {
  while (job.runs === 0) await new Promise((r) => setTimeout(r, 1));
}

const waitForAbort = (signal: AbortSignal) => new Promise<never>((_, reject) => {
  signal.addEventListener('abort', () => reject(signal.reason), { once: true });
});

describe('slots', () => {
  test('a slot is the scheduled time to the minute, or to the second for 6-field expressions', () => {
    assert.equal(slotOf(DAILY, T1), '2026-11-24T00:15Z');
    assert.equal(slotOf('*/5 * * * * *', new Date('2026-11-24T00:15:05.000Z')), '2026-11-24T00:15:05Z');
    // The slot comes from the scheduled time in UTC, whatever timezone the expression is read in.
    assert.equal(slotOf('15 1 * * *', new Date('2026-11-24T00:15:00.000+01:00')), '2026-11-23T23:15Z');
  });
});

describe('once per slot', () => {
  test('a restarted scheduler on the same store does not run a slot again', async () => {
    const store = temp.store;
    const job = countingJob();
    const first = createScheduler({ store, logger: silentLogger, jobs: [job], owner: 'host:1' });
    const ran = await first.tick('daily', T1);
    assert.equal(ran.status, 'SUCCEEDED');
    await first.stop({ timeoutMs: 100 });

    const reopened = await temp.reopen(); // the process restarts: the store is read back from disk
    const logs = memoryLogger();
    const restarted = createScheduler({ store: reopened, logger: logs, jobs: [job], owner: 'host:2' });
    const again = await restarted.tick('daily', T1);
    assert.deepEqual(again, { job: 'daily', slot: '2026-11-24T00:15Z', status: 'SKIPPED', reason: 'already-claimed', detail: 'slot already claimed by host:1 (SUCCEEDED)' });
    assert.equal(job.runs, 1);
    assert.ok(logs.records.some((r) => r.msg.includes('job skipped')), 'the skip is logged');

    assert.equal((await restarted.tick('daily', T2)).status, 'SUCCEEDED', 'the next slot runs');
    assert.equal(job.runs, 2);
    const record = await reopened.getJobRun('daily', '2026-11-24T00:15Z');
    assert.equal(record?.status, 'SUCCEEDED');
    assert.equal(record?.owner, 'host:1');
    assert.deepEqual(record?.summary, { ok: true });
    assert.ok(record?.endedAt);
  });

  test('a slot left RUNNING by a crashed process is not run again after the restart', async () => {
    const store = temp.store;
    const hang = deferred();
    const job = countingJob('daily', () => hang.promise);
    const crashed = createScheduler({ store, logger: silentLogger, jobs: [job], owner: 'host:1' });
    void crashed.tick('daily', T1); // never finishes: the process "dies" here
    await started(job);
    const reopened = await temp.reopen();
    const restarted = createScheduler({ store: reopened, logger: silentLogger, jobs: [job], owner: 'host:2' });
    const outcome = await restarted.tick('daily', T1);
    assert.equal(outcome.status, 'SKIPPED');
    assert.equal(job.runs, 1);
    hang.resolve();
  });

  test('two schedulers firing the same slot at once run it once', async () => {
    const store = temp.store;
    const job = countingJob();
    const a = createScheduler({ store, logger: silentLogger, jobs: [job], owner: 'a' });
    const b = createScheduler({ store, logger: silentLogger, jobs: [job], owner: 'b' });
    const outcomes = await Promise.all([a.tick('daily', T1), b.tick('daily', T1)]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['SKIPPED', 'SUCCEEDED']);
    assert.equal(job.runs, 1);
  });
});

describe('overlap', () => {
  test('a job still running when its next slot fires is skipped, and the skip is recorded', async () => {
    const store = temp.store;
    const release = deferred();
    const job = countingJob('daily', async (_signal, n) => {
      if (n === 1) await release.promise;
      return { n };
    });
    const scheduler = createScheduler({ store, logger: silentLogger, jobs: [job] });
    const first = scheduler.tick('daily', T1);
    await started(job);
    assert.deepEqual(scheduler.running(), [{ job: 'daily', slot: '2026-11-24T00:15Z' }]);

    const second = await scheduler.tick('daily', T2);
    assert.equal(second.status, 'SKIPPED');
    assert.equal(second.status === 'SKIPPED' && second.reason, 'overlap');
    const skipped = await store.getJobRun('daily', '2026-11-25T00:15Z');
    assert.equal(skipped?.status, 'ABANDONED');
    assert.match(skipped?.error ?? '', /still running/);

    release.resolve();
    assert.equal((await first).status, 'SUCCEEDED');
    assert.equal(job.runs, 1, 'the skipped slot never started');
    assert.equal((await scheduler.tick('daily', T3)).status, 'SUCCEEDED');
    assert.deepEqual(scheduler.running(), []);
  });

  test('runNow while the job runs is skipped without touching the store', async () => {
    const store = temp.store;
    const release = deferred();
    const job = countingJob('daily', () => release.promise);
    const scheduler = createScheduler({ store, logger: silentLogger, jobs: [job], clock: () => new Date('2026-11-24T09:30:00.000Z') });
    const first = scheduler.runNow('daily');
    await started(job);
    const second = await scheduler.runNow('daily');
    assert.equal(second.status, 'SKIPPED');
    release.resolve();
    const done = await first;
    assert.equal(done.slot, 'manual:2026-11-24T09:30:00.000Z');
    assert.equal(done.status, 'SUCCEEDED');
    assert.equal((await store.listJobRuns()).total, 1);
  });
});

describe('results', () => {
  test('a failing job is recorded FAILED with its message, and a JobFailedError keeps its summary', async () => {
    const store = temp.store;
    const job = countingJob('daily', async (_s, n) => {
      if (n === 1) throw new Error('provider returned HTTP 500 for BTC');
      throw new JobFailedError('notifier failed: telegram timeout', { predictions: 40 });
    });
    const logs = memoryLogger();
    const scheduler = createScheduler({ store, logger: logs, jobs: [job] });
    const first = await scheduler.tick('daily', T1);
    assert.equal(first.status, 'FAILED');
    const rec1 = await store.getJobRun('daily', '2026-11-24T00:15Z');
    assert.equal(rec1?.status, 'FAILED');
    assert.equal(rec1?.error, 'provider returned HTTP 500 for BTC');
    assert.ok(logs.records.some((r) => r.level === 'error' && r.fields.job === 'daily'));

    await scheduler.tick('daily', T2);
    const rec2 = await store.getJobRun('daily', '2026-11-25T00:15Z');
    assert.equal(rec2?.error, 'notifier failed: telegram timeout');
    assert.deepEqual(rec2?.summary, { predictions: 40 });
  });

  test('configuration mistakes are reported with the job name', () => {
    const make = (jobs: JobDefinition[]) => () => createScheduler({ store: temp.store, logger: silentLogger, jobs });
    assert.throws(make([{ ...countingJob(), cron: '61 * * * *' }]), /Job "daily": "61 \* \* \* \*" is not a valid cron expression/);
    assert.throws(make([{ ...countingJob(), timezone: 'Mars/Olympus' }]), /Job "daily": "Mars\/Olympus" is not a known IANA timezone/);
    assert.throws(make([countingJob(), countingJob()]), /Two scheduled jobs are named "daily"/);
    const scheduler = createScheduler({ store: temp.store, logger: silentLogger, jobs: [countingJob()] });
    assert.throws(() => scheduler.tick('weekly', T1), /Unknown job "weekly". Known jobs: daily/);
  });
});

describe('stop', () => {
  test('aborts running jobs through their signal and records them ABANDONED', async () => {
    const store = temp.store;
    let sawAbort = false;
    const job = countingJob('daily', async (signal) => {
      try {
        return await waitForAbort(signal);
      } finally {
        sawAbort = signal.aborted;
      }
    });
    const scheduler = createScheduler({ store, logger: silentLogger, jobs: [job] });
    const running = scheduler.tick('daily', T1);
    await started(job);
    const report = await scheduler.stop({ timeoutMs: 2000 });
    assert.deepEqual(report, { abandoned: [], unrecorded: 0 }, 'the job ended within the timeout');
    assert.ok(sawAbort);
    const outcome = await running;
    assert.equal(outcome.status, 'ABANDONED');
    const rec = await store.getJobRun('daily', '2026-11-24T00:15Z');
    assert.equal(rec?.status, 'ABANDONED');
    assert.match(rec?.error ?? '', /aborted by shutdown/);

    assert.equal((await scheduler.tick('daily', T2)).status, 'SKIPPED', 'no new work after stop');
    assert.equal(job.runs, 1);
  });

  test('a job that ignores the abort is abandoned after the timeout, and its late end does not overwrite the record', async () => {
    const store = temp.store;
    const release = deferred();
    const job = countingJob('daily', async () => { await release.promise; return { late: true }; });
    const scheduler = createScheduler({ store, logger: silentLogger, jobs: [job] });
    const running = scheduler.tick('daily', T1);
    await started(job);
    const stopBegan = performance.now();
    const report = await scheduler.stop({ timeoutMs: 50 });
    assert.ok(performance.now() - stopBegan < 1000);
    assert.deepEqual(report.abandoned, [{ job: 'daily', slot: '2026-11-24T00:15Z' }]);
    assert.equal((await store.getJobRun('daily', '2026-11-24T00:15Z'))?.status, 'ABANDONED');

    release.resolve();
    await running;
    const rec = await store.getJobRun('daily', '2026-11-24T00:15Z');
    assert.equal(rec?.status, 'ABANDONED');
    assert.equal(rec?.summary, null);
  });
});

describe('store outage', () => {
  test('a run fails cleanly when the store goes away, is recorded when it returns, and the next slot runs', async () => {
    const inner = temp.store;
    const store = flakyJobRuns(inner);
    const job = countingJob('daily', async (_signal, n) => {
      if (n === 1) {
        store.down = true; // the database disappears while the job works...
        throw new Error('store unavailable while saving predictions'); // ...so the job's own store calls fail
      }
      return { n };
    });
    const logs = memoryLogger();
    const scheduler = createScheduler({ store, logger: logs, jobs: [job] });

    const first = await scheduler.tick('daily', T1);
    assert.deepEqual(first, { job: 'daily', slot: '2026-11-24T00:15Z', status: 'FAILED', summary: null, error: 'store unavailable while saving predictions', recorded: false });

    // Still down at the next slot: the claim fails, so the job does not run (it could not be guarded), and says so.
    const second = await scheduler.tick('daily', T2);
    assert.equal(second.status, 'FAILED');
    assert.equal(second.recorded, false);
    assert.match(second.error ?? '', /store unavailable when claiming/);
    assert.equal(job.runs, 1);
    assert.ok(logs.records.some((r) => r.level === 'error' && r.msg.includes('could not claim')));

    store.down = false;
    const third = await scheduler.tick('daily', T3);
    assert.equal(third.status, 'SUCCEEDED');
    assert.equal(job.runs, 2);
    const byslot = Object.fromEntries((await inner.listJobRuns()).items.map((r) => [r.slot, [r.status, r.error]]));
    assert.deepEqual(byslot, {
      '2026-11-24T00:15Z': ['FAILED', 'store unavailable while saving predictions'],
      '2026-11-25T00:15Z': ['FAILED', 'store unavailable when claiming the run: store unavailable (simulated outage)'],
      '2026-11-26T00:15Z': ['SUCCEEDED', null],
    });
  });

  test('records still unwritable at stop are reported', async () => {
    const store = flakyJobRuns(temp.store);
    const job = countingJob('daily', async () => { store.down = true; return {}; });
    const scheduler = createScheduler({ store: store as JobRunStore, logger: silentLogger, jobs: [job] });
    await scheduler.tick('daily', T1);
    const report = await scheduler.stop({ timeoutMs: 100 });
    assert.equal(report.unrecorded, 1);
  });
});

test('the cron schedule drives tick with the scheduled time as slot', async () => {
  const store = temp.store;
  const job = { ...countingJob(), cron: '* * * * * *' }; // every second
  const seen: string[] = [];
  const recording: JobRunStore = {
    claimJobRun: (j, slot, owner, o) => { seen.push(slot); return store.claimJobRun(j, slot, owner, o); },
    finishJobRun: (j, slot, r) => store.finishJobRun(j, slot, r),
    getJobRun: (j, slot) => store.getJobRun(j, slot),
    listJobRuns: (f) => store.listJobRuns(f),
  };
  const scheduler = createScheduler({ store: recording, logger: silentLogger, jobs: [job] });
  scheduler.start();
  assert.ok(scheduler.nextRuns()[0].next instanceof Date);
  const deadline = Date.now() + 3500;
  while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await scheduler.stop({ timeoutMs: 1000 });
  assert.ok(seen.length >= 1, 'node-cron fired within 3.5 s');
  assert.match(seen[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(Date.parse(seen[0]) % 1000, 0);
  assert.equal(scheduler.nextRuns()[0].next, null, 'stopped: nothing scheduled');
});
