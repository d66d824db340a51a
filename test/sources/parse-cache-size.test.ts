// What the per-document parse cache costs beyond the parsed entries themselves, counted in bytes of
// heap (and of array buffers) per document: the consumer's half (doc-cache.ts) keeps no object per
// document, and the reader's half (doc-reuse.ts) no string or object per document.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DocCache } from '../../src/sources/doc-cache.ts';
import { DocReuse } from '../../src/sources/doc-reuse.ts';
import { defaultLimits, type FileRead } from '../../src/sources/read-file.ts';
import { collectAll, heldBy } from '../support/heap-held.ts';
import { tempDir } from './helpers.ts';

const DOCS = 5000;
const limits = { ...defaultLimits, maxDocuments: DOCS };

function service(i: number): string {
  return `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: default\nspec:\n  ports:\n  - port: 80\n`;
}

function withFile(run: (job: { abs: string; rel: string; size: number }) => void): void {
  const { dir, cleanup } = tempDir();
  try {
    const text = Array.from({ length: DOCS }, (_, i) => service(i)).join('');
    const abs = join(dir, 'all.yaml');
    writeFileSync(abs, text);
    run({ abs, rel: 'all.yaml', size: Buffer.byteLength(text) });
  } finally {
    cleanup();
  }
}

test('the consumer half holds a file by its reading’s own entries array and typed arrays: a few bytes per document', () => {
  withFile((job) => {
    const read = new DocReuse().read(job, limits);
    assert.equal(read.kind, 'parsed');
    const kept: FileRead[] = [];
    new DocCache().take(job.rel, read); // compiled before the count
    // What the cache and its answer hold, the entries (made before) aside: the answer's entries
    // array (8 bytes a document) is the one the cache keeps.
    const bytes = heldBy(() => {
      const cache = new DocCache();
      kept.push(cache.take(job.rel, read));
      return cache;
    });
    assert.ok(bytes / DOCS < 16, `${(bytes / DOCS).toFixed(1)} bytes per document`);
    assert.equal(kept[0]?.kind === 'parsed' && kept[0].parsed.entries.length, DOCS);
  });
});

test('the reader half remembers a file of hashed documents by packed hashes and spans: no string or object per document', () => {
  withFile((job) => {
    const read = new DocReuse().read(job, limits); // the entries, made outside the count
    assert.equal(read.kind, 'parsed');
    let reuse: DocReuse | undefined;
    new DocReuse().read(job, limits); // compiled before the count
    collectAll();
    const buffersBefore = process.memoryUsage().arrayBuffers;
    const heap = heldBy(() => {
      reuse = new DocReuse();
      // what a reading leaves remembered, its answer dropped
      reuse.read(job, limits);
      return reuse;
    });
    const buffers = process.memoryUsage().arrayBuffers - buffersBefore;
    // A SHA-1 (20 bytes), two offsets (16), an entry count (4) and a held flag (1) per document
    // (a hash string, a span object and an array slot each cost over 100 bytes).
    const perDoc = (heap + Math.max(0, buffers)) / DOCS;
    assert.ok(perDoc < 64, `${perDoc.toFixed(1)} bytes per document (heap ${heap}, buffers ${buffers})`);
    assert.deepEqual(reuse?.files(), [job.rel]);
  });
});
