import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTable } from '../../src/util/table.ts';

test('renderTable pads columns to their widest cell and right-aligns numeric columns', () => {
  const out = renderTable(['symbol', 'overall', 'classifier'], [['BTC', '0.612', 'XGBoost'], ['DOGE', '1.5', 'KNeighbors'], ['ETH', '-', 'Ridge']]);
  assert.equal(
    out,
    ['symbol  overall  classifier', '------  -------  ----------', 'BTC       0.612  XGBoost', 'DOGE        1.5  KNeighbors', 'ETH           -  Ridge'].join('\n'),
  );
});

test('renderTable honours explicit alignment, pads short rows, flattens newlines, counts code points', () => {
  const out = renderTable(['a', 'b', 'c'], [['1', 'x'], ['22', 'line\nbreak', '✓é']], { align: ['left', 'right', 'left'] });
  const lines = out.split('\n');
  assert.deepEqual(lines, ['a            b  c', '--  ----------  --', '1            x', '22  line break  ✓é']);
});

test('renderTable with no rows prints the header only; mixed columns stay left-aligned', () => {
  assert.equal(renderTable(['id', 'name'], []), 'id  name\n--  ----');
  assert.equal(renderTable(['v'], [['v3'], ['12']]), 'v\n--\nv3\n12');
});
