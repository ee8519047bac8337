import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CooldownTracker } from '../../commands/cooldown.ts';

describe('CooldownTracker', () => {
  it('allows a burst, then one request per refill period, per key', () => {
    let now = 0;
    const t = new CooldownTracker(() => now);
    const rule = { burst: 3, refillSeconds: 10 };
    assert.deepEqual([t.take('a', rule), t.take('a', rule), t.take('a', rule)], [0, 0, 0]);
    assert.equal(t.take('a', rule), 10);
    assert.equal(t.take('b', rule), 0);
    now = 4_000;
    assert.equal(t.take('a', rule), 6, 'partially refilled: 6 s to go');
    now = 10_000;
    assert.equal(t.take('a', rule), 0);
    assert.equal(t.take('a', rule), 10);
    now = 100_000;
    assert.deepEqual([t.take('a', rule), t.take('a', rule), t.take('a', rule), t.take('a', rule)], [0, 0, 0, 10], 'refill is capped at the burst');
  });

  it('a zero period means no limit', () => {
    const t = new CooldownTracker(() => 0);
    for (let i = 0; i < 100; i++) assert.equal(t.take('a', { burst: 1, refillSeconds: 0 }), 0);
  });
});
