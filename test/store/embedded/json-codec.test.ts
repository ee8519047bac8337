import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checksumOf, decodeJson, encodeJson } from '../../../src/store/embedded/json-codec.ts';

test('json-codec: any JSON-like value round-trips, NaN and infinities included', () => {
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), fc.string(), fc.boolean(), fc.constant(null)),
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(
    fc.property(value, (v) => {
      // -0 is the one number JSON cannot keep; the store never needs it.
      const normalized = JSON.parse(JSON.stringify(v, (_k, x: unknown) => (Object.is(x, -0) ? 0 : typeof x === 'number' && !Number.isFinite(x) ? `nf:${x}` : x)));
      const back = JSON.parse(JSON.stringify(decodeJson(encodeJson(v)), (_k, x: unknown) => (Object.is(x, -0) ? 0 : typeof x === 'number' && !Number.isFinite(x) ? `nf:${x}` : x)));
      assert.deepEqual(back, normalized);
    }),
  );
});

test('json-codec: plain values encode as plain JSON; the checksum changes with any one-bit flip', () => {
  assert.equal(encodeJson({ a: [1, 'x', null] }), '{"a":[1,"x",null]}');
  assert.equal(encodeJson({ p: Number.NaN }), '{"p":{"$nf":"NaN"}}');
  const text = encodeJson({ id: 'abc', metrics: { overall: 0.61 } });
  const base = checksumOf(text);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      bytes[i]! ^= 1 << bit;
      assert.notEqual(checksumOf(bytes.toString('latin1')), base);
      bytes[i]! ^= 1 << bit;
    }
  }
});
