// The access log's writer keeps every line whole and in order whatever their size and characters:
// many lines across several of its buffers, a line longer than a buffer, non-ASCII text, lines
// pushed while a write is in flight; on close, everything buffered is written.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LineWriter } from '../../src/observe/access-log-writer.ts';

describe('access log writer', () => {
  it('writes every line whole and in order, across buffers, long and non-ASCII ones included', async () => {
    const file = join(tmpdir(), `sluice-writer-order-${process.pid}-${Date.now()}.log`);
    const fd = fs.openSync(file, 'a');
    const w = new LineWriter(fd, true, { intervalMs: 600_000, flushBytes: 8 * 1024 });
    const lines: string[] = [];
    try {
      for (let i = 0; i < 3000; i++) {
        const line = i % 500 === 7 ? `long-${i}-${'x'.repeat(200_000)}` : i % 3 === 0 ? `{"i":${i},"ua":"ünïcödé ✓ 😀 ${i}"}` : `{"i":${i}}`;
        lines.push(line);
        w.push(line);
      }
      await w.close();
      assert.equal(w.dropped, 0);
      assert.deepEqual(fs.readFileSync(file, 'utf8').split('\n'), [...lines, '']);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
