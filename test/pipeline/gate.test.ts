import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGate } from '../../src/pipeline/gate.ts';

const gate = { positiveAccuracy: 0.5, negativeAccuracy: 0.5, overall: 0.6 };

test('the gate is strict on all three conditions and names every failure', () => {
  assert.equal(checkGate({ positive_accuracy: 0.51, negative_accuracy: 0.51, overall: 0.61 }, gate).passed, true);
  const r = checkGate({ positive_accuracy: 0.5, negative_accuracy: 0.7, overall: 0.6 }, gate);
  assert.equal(r.passed, false);
  assert.deepEqual(r.reasons, ['positive_accuracy 0.500 is not > 0.5', 'overall 0.600 is not > 0.6']);
  assert.equal(checkGate({}, gate).reasons.length, 3);
});
