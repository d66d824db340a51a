// The tables `sluice get` prints (src/cli/table.ts): kubectl's layout, and no control character
// from a configuration (a file name, a message) reaching the terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listCell, renderTable } from '../../src/cli/table.ts';

test('columns are padded to the widest cell, three spaces apart, without trailing spaces', () => {
  assert.equal(renderTable(['NAME', 'READY'], [['shop', 'True'], ['a-longer-name', '']]), 'NAME            READY\nshop            True\na-longer-name\n');
});

test('control characters in cells are shown as spaces', () => {
  assert.equal(renderTable(['NAME'], [['evil\u001b[2J\nname\u0007']]), 'NAME\nevil [2J name\n');
});

test('long lists end in "+ N more..."', () => {
  assert.equal(listCell(['a', 'b', 'c', 'd', 'e']), 'a,b,c + 2 more...');
  assert.equal(listCell([]), '<none>');
});
