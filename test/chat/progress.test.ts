import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressMessage } from '../../src/chat/progress.ts';

describe('createProgressMessage', () => {
  it('posts once, then edits in order, coalescing to the newest text and skipping repeats', async () => {
    const log: string[] = [];
    let release!: () => void;
    let gate: Promise<void> | null = new Promise<void>((r) => { release = r; });
    const progress = createProgressMessage({
      minIntervalMs: 0,
      post: async (t) => { log.push(`post ${t}`); },
      edit: async (t) => { if (gate) await gate; log.push(`edit ${t}`); },
    });
    await progress('a');
    const pending = [progress('b'), progress('c'), progress('d')];
    // 'b' is being edited (blocked); 'c' is superseded by 'd' before it could be sent.
    gate = null;
    release();
    await Promise.all(pending);
    await progress('d');
    assert.deepEqual(log, ['post a', 'edit b', 'edit d']);
  });

  it('keeps at least minIntervalMs between edits, using the injected clock', async () => {
    let clock = 0;
    const sleeps: number[] = [];
    const sent: [string, number][] = [];
    const progress = createProgressMessage({
      minIntervalMs: 1000,
      now: () => clock,
      sleep: async (ms) => { sleeps.push(ms); clock += ms; },
      post: async (t) => { sent.push([t, clock]); },
      edit: async (t) => { sent.push([t, clock]); },
    });
    await progress('one');
    clock += 300;
    await progress('two');
    await progress('three');
    assert.deepEqual(sent, [['one', 0], ['two', 1000], ['three', 2000]]);
    assert.deepEqual(sleeps, [700, 1000]);
  });

  it('reports delivery errors to onError and keeps going', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const shown: string[] = [];
    const progress = createProgressMessage({
      minIntervalMs: 0,
      post: async (t) => { if (fail) throw new Error('network down'); shown.push(t); },
      edit: async (t) => { shown.push(`edit ${t}`); },
      onError: (e) => errors.push(e),
    });
    await progress('first');
    fail = false;
    await progress('second');
    assert.equal(errors.length, 1);
    assert.deepEqual(shown, ['second'], 'the message is posted by the first update that succeeds');
  });
});
