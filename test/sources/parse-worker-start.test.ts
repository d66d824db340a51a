// The parse worker (parse-pool.ts) reads large files only. A gateway whose configuration has none
// starts no worker a second after its first read: that thread's start-up (~100 ms of CPU) ran on
// the gateway's one core while it served, and landed in the measured window of every benchmark
// (bench/README.md, "Where the small-GET tail comes from"). One with a large file still has its
// worker warmed ahead of the first edit.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { WORKER_FROM_BYTES } from '../../src/sources/file.ts';
import { service, startSource, tempDir, waitFor } from './helpers.ts';

test('a configuration with no large file starts no parse worker; one with a large file has it warmed', async () => {
  const small = tempDir();
  const large = tempDir();
  const started: Worker[] = [];
  const onWorker = (w: Worker): void => void started.push(w);
  process.on('worker', onWorker);
  // The large source's worker is the one handed what the first read remembered of its large file.
  const fed = new Set<Worker>();
  const postMessage = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>): void {
    fed.add(this);
    postMessage.apply(this, args);
  };
  try {
    writeFileSync(join(small.dir, 'small.yaml'), service('small'));
    let big = '';
    for (let i = 0; big.length <= WORKER_FROM_BYTES; i++) big += `---\n${service(`svc-${i}`)}`;
    writeFileSync(join(large.dir, 'large.yaml'), big);
    // The small source finishes its first read before the large one starts: a warm-up timer of its
    // (armed then, for as long) fires before the large source's.
    const a = await startSource(small.dir);
    const b = await startSource(large.dir);
    try {
      await waitFor(() => started.some((w) => fed.has(w)), "the large configuration's worker started", 10_000);
      assert.equal(started.length, 1, 'a worker started for a configuration without large files');
    } finally {
      await a.src.stop();
      await b.src.stop();
    }
  } finally {
    Worker.prototype.postMessage = postMessage;
    process.off('worker', onWorker);
    small.cleanup();
    large.cleanup();
  }
});
