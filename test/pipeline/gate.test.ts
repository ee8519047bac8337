import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGate, decideChampion } from '../../src/pipeline/gate.ts';

const gate = { positiveAccuracy: 0.5, negativeAccuracy: 0.5, overall: 0.6 };

test('the gate is strict on all three conditions and names every failure', () => {
  assert.equal(checkGate({ positive_accuracy: 0.51, negative_accuracy: 0.51, overall: 0.61 }, gate).passed, true);
  const r = checkGate({ positive_accuracy: 0.5, negative_accuracy: 0.7, overall: 0.6 }, gate);
  assert.equal(r.passed, false);
  assert.deepEqual(r.reasons, ['positive_accuracy 0.500 is not > 0.5', 'overall 0.600 is not > 0.6']);
  assert.equal(checkGate({}, gate).reasons.length, 3);
});

test('the champion moves only when the challenger beats it by more than the margin', () => {
  assert.deepEqual(decideChampion(0.7, null, 0, 'w'), { promote: true, reason: 'no champion yet' });
  assert.equal(decideChampion(0.7, { version: 2, overall: 0.69 }, 0, 'w').promote, true);
  assert.equal(decideChampion(0.7, { version: 2, overall: 0.69 }, 0.02, 'w').promote, false);
  assert.equal(decideChampion(0.7, { version: 2, overall: 0.7 }, 0, 'w').promote, false);
  assert.match(decideChampion(0.7, { version: 2, overall: 0.75 }, 0, '2025-01-01..2025-03-01').reason, /does not beat v2 on the test window 2025-01-01\.\.2025-03-01/);
});
