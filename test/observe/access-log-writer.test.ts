// The access log's writer keeps every line whole and in order whatever their size and characters:
// many lines across several of its buffers, a line longer than a buffer, non-ASCII text, lines
// pushed while a write is in flight; on close, everything buffered is written. A busy log goes out
// in few large writes: each write wakes a libuv thread on the gateway's core, which cost more per
// request than the bytes did. The flush interval bounds how long an idle log's lines wait; while
// lines keep coming it adds no partial writes (under load it made every other write a partial one).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, mock } from 'node:test';
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

  it('writes a busy log once per flush of bytes: the interval adds no partial write while lines keep coming', async () => {
    const file = join(tmpdir(), `sluice-writer-interval-${process.pid}-${Date.now()}.log`);
    const fd = fs.openSync(file, 'a');
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const w = new LineWriter(fd, true, { intervalMs: 200, flushBytes: 64 * 1024 });
    const line = 'x'.repeat(1023);
    const push = (kib: number): void => {
      for (let i = 0; i < kib; i++) w.push(line);
    };
    try {
      push(40);
      mock.timers.tick(150);
      push(40);
      assert.equal(w.writes, 1, 'a flush of bytes');
      await w.settled();
      push(10);
      // 210 ms since the first line: an interval's tick would write the 10 KiB now.
      mock.timers.tick(60);
      assert.equal(w.writes, 1, 'no partial write 60 ms after a flush of bytes');
      push(10);
      // One interval after a line first waited, it is written.
      mock.timers.tick(140);
      assert.equal(w.writes, 2, 'lines waiting one interval are written');
      await w.settled();
      mock.timers.tick(10_000);
      assert.equal(w.writes, 2, 'nothing waiting, nothing written');
      push(1);
      mock.timers.tick(199);
      assert.equal(w.writes, 2);
      mock.timers.tick(1);
      assert.equal(w.writes, 3, 'a lone line waits one interval');
      await w.close();
      assert.equal(fs.readFileSync(file, 'utf8'), `${line}\n`.repeat(101));
    } finally {
      mock.timers.reset();
      fs.rmSync(file, { force: true });
    }
  });

  it('closes with nothing lost when a flush of bytes starts as the write in flight ends', async () => {
    const file = join(tmpdir(), `sluice-writer-close-${process.pid}-${Date.now()}.log`);
    const fd = fs.openSync(file, 'a');
    const w = new LineWriter(fd, true, { intervalMs: 600_000, flushBytes: 8 * 1024 });
    const line = 'y'.repeat(1023);
    try {
      for (let i = 0; i < 8; i++) w.push(line);
      assert.equal(w.writes, 1);
      // A flush's worth gathers while the first write is out; close() comes at once.
      for (let i = 0; i < 8; i++) w.push(line);
      await w.close();
      assert.equal(w.dropped, 0);
      assert.equal(fs.readFileSync(file, 'utf8'), `${line}\n`.repeat(16));
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
