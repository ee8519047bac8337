import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matrixFromRows, rowOf, sliceRows, takeRows, toRows } from '../../src/models/matrix.ts';

test('matrixFromRows lays rows out row-major and views share the buffer', () => {
  const m = matrixFromRows([[1, 2], [3, 4], [5, 6]]);
  assert.equal(m.nRows, 3);
  assert.deepEqual(Array.from(rowOf(m, 1)), [3, 4]);
  assert.deepEqual(toRows(sliceRows(m, 1, 3)), [[3, 4], [5, 6]]);
  assert.deepEqual(toRows(takeRows(m, [2, 0])), [[5, 6], [1, 2]]);
  assert.throws(() => matrixFromRows([[1, 2], [3]]), /row 1 has 1 values, expected 2/);
});
