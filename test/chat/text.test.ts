import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitText } from '../../src/chat/text.ts';

describe('splitText', () => {
  it('prefers line breaks, then spaces, then a hard cut', () => {
    assert.deepEqual(splitText('aaa\nbbb\nccc', 8), ['aaa\nbbb', 'ccc']);
    assert.deepEqual(splitText('aaa bbb ccc', 8), ['aaa bbb', 'ccc']);
    assert.deepEqual(splitText('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(splitText('', 5), ['']);
  });

  it('never exceeds the limit and loses only the separators it cut at', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (text, limit) => {
      const chunks = splitText(text, limit);
      assert.ok(chunks.every((c) => c.length <= limit));
      const kept = chunks.join('').replace(/[\n ]/g, '');
      assert.equal(kept, text.replace(/[\n ]/g, ''));
    }), { numRuns: 300 });
  });
});
