import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DailyCapReachedError, TokenBucketLimiter } from '../../../src/data/providers/rate-limiter.ts';
import { fakeTime } from './helpers.ts';

test('a full bucket serves `burst` calls at once, then waits exactly one refill interval per call', async () => {
  const time = fakeTime('2024-01-01T00:00:00Z');
  const limiter = new TokenBucketLimiter({ perMinute: 5, now: time.now, sleep: time.sleep });
  const at: number[] = [];
  for (let i = 0; i < 7; i++) {
    await limiter.acquire();
    at.push(time.now().getTime() - Date.parse('2024-01-01T00:00:00Z'));
  }
  assert.deepEqual(at, [0, 0, 0, 0, 0, 12_000, 24_000]);
  assert.deepEqual(time.sleeps, [12_000, 12_000]);
});

test('time that passed between calls refills the bucket, so no sleep is needed', async () => {
  const time = fakeTime('2024-01-01T00:00:00Z');
  const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 2, now: time.now, sleep: time.sleep });
  await limiter.acquire();
  await limiter.acquire();
  time.advance(1_500); // 1.5 tokens come back
  await limiter.acquire();
  assert.deepEqual(time.sleeps, []);
  await limiter.acquire(); // 0.5 left: waits the missing half token
  assert.deepEqual(time.sleeps, [500]);
});

test('burst 1 spaces calls evenly: never more than perMinute in any 60 s window', async () => {
  const time = fakeTime('2024-01-01T00:00:00Z');
  const limiter = new TokenBucketLimiter({ perMinute: 5, burst: 1, now: time.now, sleep: time.sleep });
  const at: number[] = [];
  for (let i = 0; i < 11; i++) {
    await limiter.acquire();
    at.push(time.now().getTime());
  }
  for (let i = 0; i + 5 < at.length; i++) assert.ok(at[i + 5] - at[i] >= 60_000, `calls ${i}..${i + 5} fit in one minute`);
});

test('concurrent callers are served in arrival order, each waiting its share', async () => {
  const time = fakeTime('2024-01-01T00:00:00Z');
  const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 1, now: time.now, sleep: time.sleep });
  const done: [number, number][] = [];
  await Promise.all([0, 1, 2, 3].map((i) => limiter.acquire().then(() => done.push([i, time.now().getTime() % 60_000]))));
  assert.deepEqual(done, [[0, 0], [1, 1000], [2, 2000], [3, 3000]]);
});

test('the daily cap rejects at once and resets at the next UTC midnight', async () => {
  const time = fakeTime('2024-01-01T23:00:00Z');
  const limiter = new TokenBucketLimiter({ perMinute: 100, perDay: 3, now: time.now, sleep: time.sleep });
  for (let i = 0; i < 3; i++) await limiter.acquire();
  const sleepsBefore = time.sleeps.length;
  await assert.rejects(limiter.acquire(), (e: unknown) => {
    assert.ok(e instanceof DailyCapReachedError);
    assert.equal(e.resetsAt.toISOString(), '2024-01-02T00:00:00.000Z');
    assert.match(e.message, /daily cap of 3 requests reached/);
    return true;
  });
  assert.equal(time.sleeps.length, sleepsBefore, 'a capped call does not sleep');
  time.advance(60 * 60_000);
  await limiter.acquire();
});

test('an aborted caller leaves the queue without taking a token', async () => {
  const time = fakeTime('2024-01-01T00:00:00Z');
  const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 1, now: time.now, sleep: time.sleep });
  const already = AbortSignal.abort(new Error('stop'));
  await assert.rejects(limiter.acquire(already), /stop/);
  assert.equal(limiter.available(), 1);
  await limiter.acquire();
  assert.ok(limiter.available() < 1);
});

test('real timing: the wait is computed, not polled (600/min, burst 1 -> 100 ms per call)', async () => {
  const limiter = new TokenBucketLimiter({ perMinute: 600, burst: 1 }); // 100 ms per token, real clock and sleep
  const start = performance.now();
  await limiter.acquire();
  await limiter.acquire();
  await limiter.acquire();
  const elapsed = performance.now() - start;
  assert.ok(elapsed >= 190 && elapsed < 2000, `two refills of 100 ms took ${elapsed.toFixed(0)} ms`);
});

test('an abort during a real wait rejects promptly', async () => {
  const limiter = new TokenBucketLimiter({ perMinute: 1, burst: 1 }); // next token in 60 s
  await limiter.acquire();
  const ctrl = new AbortController();
  const start = performance.now();
  setTimeout(() => ctrl.abort(new Error('cancelled')), 50);
  await assert.rejects(limiter.acquire(ctrl.signal), /cancelled/);
  assert.ok(performance.now() - start < 1000);
});

test('bad settings are refused', () => {
  assert.throws(() => new TokenBucketLimiter({ perMinute: 0 }), /perMinute must be > 0/);
  assert.throws(() => new TokenBucketLimiter({ perMinute: 5, burst: 0 }), /burst must be >= 1/);
  assert.throws(() => new TokenBucketLimiter({ perMinute: 5, perDay: 0 }), /perDay must be >= 1/);
});
