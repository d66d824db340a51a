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

test('a file over 8 MiB (read again by a walk) is remembered by its documents’ fingerprints, not its bytes, before and after an edit', () => {
  const { dir, cleanup } = tempDir();
  try {
    // padded documents: few of them (a quick parse), many bytes
    const pad = `# ${'-'.repeat(2000)}\n`;
    const docs = Array.from({ length: 4500 }, (_, i) => pad + service(i));
    const text = docs.join('');
    const abs = join(dir, 'big.yaml');
    writeFileSync(abs, text);
    const job = { abs, rel: 'big.yaml', size: Buffer.byteLength(text) };
    assert.ok(job.size > 8 * 1024 * 1024);
    const reuse = new DocReuse();
    collectAll();
    const before = process.memoryUsage().arrayBuffers;
    const first = reuse.read(job, { ...limits, maxFileBytes: 1 << 30 });
    assert.ok(first.kind === 'parsed' && first.docs !== undefined);
    collectAll();
    const afterRead = process.memoryUsage().arrayBuffers - before;
    docs[2000] = pad + service(99_999);
    const edited = docs.join('');
    writeFileSync(abs, edited);
    const edit = reuse.read({ ...job, size: Buffer.byteLength(edited), held: first.docs.reading }, { ...limits, maxFileBytes: 1 << 30 });
    assert.ok(edit.kind === 'parsed' && edit.docs !== undefined && edit.docs.parsedBytes < 3000);
    collectAll();
    const afterEdit = process.memoryUsage().arrayBuffers - before;
    // (fingerprints, spans and counts: under 200 KB here, and the walk's reused 1 MiB chunk; the file is 9 MB)
    assert.ok(afterRead < 2 << 20 && afterEdit < 2 << 20, `array buffers held: ${afterRead} after the read, ${afterEdit} after the edit (the file is ${job.size} bytes)`);
    assert.deepEqual(reuse.files(), ['big.yaml']);
  } finally {
    cleanup();
  }
});
