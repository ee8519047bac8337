import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ARTIFACT_FORMAT_VERSION, ArtifactError, decodeArtifact, describeFeatureMismatch, encodeArtifact } from '../../src/store/artifact-format.ts';

const features = ['rsi_14', 'macd', 'obv', 'adx'];

test('artifact: round-trips kind, params, feature order, created time and a mixed state', () => {
  const createdAt = new Date('2024-02-03T04:05:06.789Z');
  const state = {
    trees: [{ feature: [0, 2, -1], threshold: new Float64Array([0.5, Number.NaN, -1e-300]), value: [0.1, 0.9] }],
    counts: new Int32Array([1, -2, 3]),
    bytes: Buffer.from([1, 2, 3]),
    f32: new Float32Array([1.5, -2.25]),
    missing: Number.NaN,
    limits: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0],
    text: 'ünïcode ✓',
    nested: { deep: [[1, 2], [3, null]] },
  };
  const bytes = encodeArtifact({ kind: 'XGBoost', params: { depth: 5, eta: 0.1 }, featureNames: features, state, createdAt });
  const a = decodeArtifact(bytes, { expectedFeatureNames: features });
  assert.equal(a.kind, 'XGBoost');
  assert.equal(a.formatVersion, ARTIFACT_FORMAT_VERSION);
  assert.deepEqual(a.params, { depth: 5, eta: 0.1 });
  assert.deepEqual(a.featureNames, features);
  assert.deepEqual(a.createdAt, createdAt);
  assert.match(a.sha256, /^[0-9a-f]{64}$/);
  const s = a.state as typeof state;
  assert.ok(s.trees[0]!.threshold instanceof Float64Array);
  assert.equal(s.trees[0]!.threshold[0], 0.5);
  assert.ok(Number.isNaN(s.trees[0]!.threshold[1]));
  assert.equal(s.trees[0]!.threshold[2], -1e-300);
  assert.deepEqual(s.trees[0]!.feature, [0, 2, -1]);
  assert.deepEqual(s.counts, new Int32Array([1, -2, 3]));
  assert.ok(s.bytes instanceof Uint8Array);
  assert.deepEqual([...s.bytes], [1, 2, 3]);
  assert.deepEqual(s.f32, new Float32Array([1.5, -2.25]));
  assert.ok(Number.isNaN(s.missing));
  assert.deepEqual(s.limits, [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0]);
  assert.equal(s.text, 'ünïcode ✓');
  assert.deepEqual(s.nested, { deep: [[1, 2], [3, null]] });
});

test('artifact: the first line names the format, its version and the checksum', () => {
  const bytes = encodeArtifact({ kind: 'Ridge', params: {}, featureNames: ['a'], state: null });
  const firstLine = Buffer.from(bytes).toString('utf8').split('\n')[0]!;
  assert.match(firstLine, /^SIGNAL-POOL-MODEL 1 [0-9a-f]{64}$/);
  assert.equal(decodeArtifact(bytes).state, null);
});

test('artifact: corruption anywhere after the first line is caught by the checksum', () => {
  const bytes = encodeArtifact({ kind: 'Ridge', params: { alpha: 1 }, featureNames: features, state: { w: new Float64Array(100).fill(0.25) } });
  const headerStart = Buffer.from(bytes).indexOf(0x0a) + 1;
  for (const at of [headerStart + 5, Math.floor(bytes.length / 2), bytes.length - 1]) {
    const bad = Uint8Array.from(bytes);
    bad[at]! ^= 0x10;
    assert.throws(() => decodeArtifact(bad), (err: unknown) => err instanceof ArtifactError && /corrupt: sha256 checksum mismatch/.test(err.message));
  }
  // Truncation too.
  assert.throws(() => decodeArtifact(bytes.subarray(0, bytes.length - 8)), /checksum mismatch/);
});

test('artifact: foreign files and newer format versions are refused clearly', () => {
  assert.throws(() => decodeArtifact(Buffer.from('{"not":"a model"}\n')), /bad magic/);
  assert.throws(() => decodeArtifact(Buffer.from('PK\u0003\u0004 zip bytes without newline')), /no "SIGNAL-POOL-MODEL" header line/);
  const bytes = Buffer.from(encodeArtifact({ kind: 'Ridge', params: {}, featureNames: ['a'], state: 1 }));
  const newer = Buffer.from(bytes.toString('latin1').replace('SIGNAL-POOL-MODEL 1 ', 'SIGNAL-POOL-MODEL 7 '), 'latin1');
  assert.throws(() => decodeArtifact(newer), /format version 7 is newer than this program reads \(1\)/);
});

test('artifact: feature-name mismatches list the differences', () => {
  const bytes = encodeArtifact({ kind: 'Ridge', params: {}, featureNames: features, state: {} });
  assert.throws(
    () => decodeArtifact(bytes, { expectedFeatureNames: ['rsi_14', 'macd', 'obv', 'cci'] }),
    (err: unknown) => err instanceof ArtifactError && /missing from the model: cci; not expected: adx/.test(err.message),
  );
  assert.throws(
    () => decodeArtifact(bytes, { expectedFeatureNames: ['rsi_14', 'obv', 'macd', 'adx'] }),
    /same names in a different order \(first difference at position 1: expected "obv", model has "macd"\)/,
  );
  assert.throws(() => decodeArtifact(bytes, { expectedFeatureNames: features.slice(0, 3) }), /expected 3 features, the model has 4; not expected: adx/);
  assert.equal(describeFeatureMismatch(features, [...features]), null);
});

test('artifact: invalid input is refused at encode time', () => {
  assert.throws(() => encodeArtifact({ kind: '', params: {}, featureNames: [], state: {} }), /kind must be a non-empty string/);
  assert.throws(() => encodeArtifact({ kind: 'Ridge', params: {}, featureNames: ['a', 'a'], state: {} }), /"a" appears twice/);
  assert.throws(() => encodeArtifact({ kind: 'Ridge', params: {}, featureNames: ['a'], state: { $blob: 1 } }), /reserved key/);
});

test('artifact: a 20 MB model encodes and decodes quickly', () => {
  const weights = new Float64Array(2_621_440); // 20 MiB
  for (let i = 0; i < weights.length; i++) weights[i] = i * 1e-3;
  const started = performance.now();
  const bytes = encodeArtifact({ kind: 'NeuralNet', params: {}, featureNames: features, state: { layers: [{ weights }] } });
  const decoded = decodeArtifact(bytes, { expectedFeatureNames: features });
  const elapsed = performance.now() - started;
  assert.ok(bytes.byteLength > 20 * 1024 * 1024 && bytes.byteLength < 20 * 1024 * 1024 + 4096, `size ${bytes.byteLength}`);
  const back = (decoded.state as { layers: { weights: Float64Array }[] }).layers[0]!.weights;
  assert.equal(back[back.length - 1], (weights.length - 1) * 1e-3);
  assert.ok(elapsed < 3000, `20 MB round trip took ${elapsed.toFixed(0)} ms`);
});

test('artifact: any plain JSON state round-trips exactly as JSON would (fast path), and mixed states keep their tags', () => {
  fc.assert(fc.property(fc.jsonValue(), (state) => {
    const a = decodeArtifact(encodeArtifact({ kind: 'k', params: {}, featureNames: features, state }));
    assert.deepEqual(a.state, JSON.parse(JSON.stringify(state)));
  }), { numRuns: 300 });
  // The same values next to a typed array or a non-finite number take the tagging path and still round-trip.
  fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(Number.NaN, new Float64Array([1, -0.5])), (plain, special) => {
    const a = decodeArtifact(encodeArtifact({ kind: 'k', params: {}, featureNames: features, state: { plain, special } }));
    const s = a.state as { plain: unknown; special: unknown };
    assert.deepEqual(s.plain, JSON.parse(JSON.stringify(plain)));
    assert.deepEqual(s.special, special);
  }), { numRuns: 100 });
  // Reserved keys are refused on both paths.
  assert.throws(() => encodeArtifact({ kind: 'k', params: {}, featureNames: features, state: { a: [1, { $blob: 0 }] } }), /reserved key/);
  assert.throws(() => encodeArtifact({ kind: 'k', params: {}, featureNames: features, state: { a: new Int8Array(1), b: { $num: 'NaN' } } }), /reserved key/);
});
