// The parse worker (parse-pool.ts) reads only large files first seen after start. A gateway that
// read its configuration, large files included, starts no worker while it serves, and an edit of
// a file it read is parsed here: a worker's start-up (~100 ms of CPU) ran on the gateway's one core
// while it served, and landed in the measured window of every benchmark (bench/README.md, "Where
// the small-GET tail comes from"). A large file added later still goes to a worker.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WORKER_FROM_BYTES } from '../../src/sources/file.ts';
import { WorkerParser } from '../../src/sources/parse-pool.ts';
import { service, servicePort, startSource, tempDir, waitFor } from './helpers.ts';

function largeFile(prefix: string, port = 80): string {
  let big = '';
  for (let i = 0; big.length <= WORKER_FROM_BYTES; i++) big += `---\n${service(`${prefix}-${i}`, port)}`;
  return big;
}

test('a served configuration starts no parse worker, its edits included; a large file added later does', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  // Parse workers only: Node may start threads of its own in the test process (Node 24 does).
  const before = WorkerParser.startedInProcess;
  const started = () => WorkerParser.startedInProcess - before;
  try {
    writeFileSync(join(dir, 'small.yaml'), service('small'));
    writeFileSync(join(dir, 'large.yaml'), largeFile('svc'));
    const h = await startSource(dir);
    try {
      writeFileSync(join(dir, 'large.yaml'), largeFile('svc', 8080));
      await waitFor(() => servicePort(h.latest(), 'svc-0') === 8080, 'the edit of the large file served', 10_000);
      assert.equal(started(), 0, 'a worker started for a configuration read at start');
      writeFileSync(join(dir, 'later.yaml'), largeFile('later'));
      await waitFor(() => servicePort(h.latest(), 'later-0') === 80, 'the large file added later served', 10_000);
      assert.equal(started(), 1, 'the large file first seen after start went to a worker');
    } finally {
      await h.src.stop();
    }
  } finally {
    cleanup();
  }
});
