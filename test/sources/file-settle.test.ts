// A large file rewritten in place by a slow writer (`kubectl get -o yaml > file` through a pipe):
// the source must not take a half-written version (its tail documents missing) as the new
// configuration, nor parse the file more than once for the one edit. Counted: parses, and the
// states pushed (each must still hold the last document); not timed.
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SourceState } from '../../src/sources/types.ts';
import { DocReuse } from '../../src/sources/doc-reuse.ts';
import { defaultLimits } from '../../src/sources/read-file.ts';
import { service, servicePort, sleep, startSource, tempDir, waitFor } from './helpers.ts';

// Over 1 MiB: read again by a walk (doc-walk.ts), which is where a write in progress is caught.
const DOCS = 8000;
const PAD = `# ${'-'.repeat(78)}\n`;
const text = (edited: number, port: number): string => Array.from({ length: DOCS }, (_, i) => PAD + service(`svc-${i}`, i === edited ? port : 80)).join('---\n');
const names = (s: SourceState): Set<string> => new Set(s.resources.map((r) => r.resource.metadata.name));

test('a large file written in place in slow chunks is parsed once, when complete, and no half of it is ever pushed', async () => {
  const { dir, cleanup } = tempDir();
  const abs = join(dir, 'all.yaml');
  writeFileSync(abs, text(-1, 80));
  const parsed: number[] = [];
  const h = await startSource(dir, { settleMs: 20_000, onParse: (_f, docs) => parsed.push(docs ?? -1) });
  try {
    assert.equal(names(h.latest()).size, DOCS);
    const pushedBefore = h.states.length;
    const next = Buffer.from(text(DOCS / 2, 81));
    // Chunks that end inside a line, with pauses longer than the source's quiet window between them.
    const CHUNK = 100_003;
    const fd = openSync(abs, 'w');
    try {
      for (let at = 0; at < next.length; at += CHUNK) {
        writeSync(fd, next, at, Math.min(CHUNK, next.length - at));
        await sleep(40);
      }
    } finally {
      closeSync(fd);
    }
    await waitFor(() => servicePort(h.latest(), `svc-${DOCS / 2}`) === 81, 'the edit served', 20_000);
    const pushed = h.states.slice(pushedBefore);
    for (const s of pushed) assert.equal(names(s).size, DOCS, 'a pushed state lacks documents of the file');
    // one state pushed for the one edit (so one translation downstream)
    assert.equal(pushed.length, 1);
    // The first reading parsed every document; the edit, once, one document.
    assert.deepEqual(parsed, [DOCS, 1]);
  } finally {
    await h.src.stop();
    cleanup();
  }
});

test('a reading of a large file that looks half written is refused only when settling is asked for, and then read as it is', () => {
  const { dir, cleanup } = tempDir();
  try {
    const abs = join(dir, 'f.yaml');
    const full = text(-1, 80);
    writeFileSync(abs, full);
    const reuse = new DocReuse(1, { walkFrom: 0 });
    const first = reuse.read({ abs, rel: 'f.yaml', size: full.length }, defaultLimits);
    assert.ok(first.kind === 'parsed' && first.docs !== undefined);
    const held = first.docs.reading;
    const cut = (bytes: number, what: string, why: string) => {
      writeFileSync(abs, full.slice(0, bytes));
      const refused = reuse.read({ abs, rel: 'f.yaml', size: bytes, held, settle: true }, defaultLimits);
      assert.deepEqual(refused, { kind: 'unsettled', why }, what);
    };
    cut(0, 'emptied', 'emptied');
    cut(full.length - 5, 'cut inside the last line', 'no line feed at the end');
    // cut at a line end inside a document: the documents after it missing, and it cut short
    cut(full.indexOf('\nkind:', full.length >>> 1) + 1, 'cut at a line end', 'documents missing at the end');
    // ... and then, when settling is not asked for (the wait is over), taken as it is.
    const asIs = reuse.read({ abs, rel: 'f.yaml', size: 1, held }, defaultLimits);
    assert.equal(asIs.kind, 'parsed');
  } finally {
    cleanup();
  }
});
