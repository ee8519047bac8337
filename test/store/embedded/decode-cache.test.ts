import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeCache } from '../../../src/store/embedded/decode-cache.ts';

test('decode cache: callers get copies that share nothing with the cache or with each other; oldest entries go first', () => {
  const cache = new DecodeCache(2);
  const text = '{"tags":{"metrics":{"overall":0.6}},"list":[1,2]}';
  const first = cache.set(text, { tags: { metrics: { overall: 0.6, precision: Number.NaN } }, list: [1, 2] });
  first.tags.metrics.overall = 99;
  first.list.push(3);
  const again = cache.get<typeof first>(text)!;
  assert.equal(again.tags.metrics.overall, 0.6);
  assert.ok(Number.isNaN(again.tags.metrics.precision));
  assert.deepEqual(again.list, [1, 2]);
  assert.notEqual(cache.get(text), cache.get(text));
  cache.set('b', 1);
  cache.set('c', 2);
  assert.equal(cache.get(text), undefined, 'evicted');
  assert.equal(cache.get('c'), 2);
});
