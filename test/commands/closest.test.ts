import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closestMatches, editDistance } from '../../commands/closest.ts';

describe('closest symbol', () => {
  it('counts an adjacent swap as one edit', () => {
    assert.equal(editDistance('SLO', 'SOL'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'ABC'), 3);
  });

  it('suggests only plausible typos, all ties included', () => {
    const known = ['BTC', 'ETH', 'ETC', 'SOL', 'XRP', 'DOT', 'LTC'];
    assert.deepEqual(closestMatches('slo', known), ['SOL']);
    assert.deepEqual(closestMatches('ET', known), ['ETH', 'ETC']);
    assert.deepEqual(closestMatches('X', known), []);
    assert.deepEqual(closestMatches('DOGECOIN', known), []);
    assert.deepEqual(closestMatches('Q'.repeat(100), known), []);
  });
});
