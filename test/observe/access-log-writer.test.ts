// The access log's writer keeps every line whole and in order whatever their size and characters:
// many lines across several of its buffers, a line longer than a buffer, non-ASCII text, lines
// pushed while a write is in flight; on close, everything buffered is written. A busy log goes out
// in few large writes: each write wakes a libuv thread on the gateway's core, which cost more per
// request than the bytes did.
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

  it('hands a busy log to the disk in few large writes, not one per 64 KiB', async () => {
    const file = join(tmpdir(), `sluice-writer-batch-${process.pid}-${Date.now()}.log`);
    const fd = fs.openSync(file, 'a');
    const w = new LineWriter(fd, true, { intervalMs: 600_000 });
    const line = `{"line":"${'x'.repeat(420)}"}`;
    try {
      // ~860 KiB: a small GET's JSON lines for a fraction of a second at full speed
      for (let i = 0; i < 2000; i++) w.push(line);
      assert.equal(w.writes, 0);
      w.flush();
      assert.equal(w.writes, 1);
      await w.close();
      assert.equal(w.writes, 1);
      assert.equal(fs.readFileSync(file, 'utf8'), `${line}\n`.repeat(2000));
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
