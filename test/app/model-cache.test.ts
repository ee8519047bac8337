import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruMap } from '../../src/app/model-cache.ts';

test('drill 8: the model cache is bounded and evicts the least recently used model', () => {
  const cache = new LruMap<string, number>(3);
  for (const k of ['a', 'b', 'c']) cache.set(k, k.charCodeAt(0));
  assert.equal(cache.get('a'), 97); // a is now the most recent
  cache.set('d', 100); // evicts b, the least recently used
  assert.deepEqual([...cache.keys()], ['c', 'a', 'd']);
  assert.equal(cache.get('b'), undefined);
  for (let i = 0; i < 1000; i++) cache.set(`k${i}`, i);
  assert.equal(cache.size, 3);
  assert.equal(cache.evictions, 1 + 1000);
  assert.throws(() => new LruMap(0), /cache size must be a whole number >= 1/);
});
