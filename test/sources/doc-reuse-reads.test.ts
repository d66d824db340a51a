// What reading a file document by document allocates for its bytes: files not remembered by their
// bytes are read into one buffer reused from file to file (scratch-read.ts ScratchRead), not a buffer
// per file whose malloc and free fragment glibc's arena. Counted by the buffers fs.readSync fills.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { DocReuse } from '../../src/sources/doc-reuse.ts';
import { InlineParser } from '../../src/sources/file-parser.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { defaultLimits } from '../../src/sources/read-file.ts';
import { tempDir } from './helpers.ts';

const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

function service(file: number, i: number): string {
  return `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${file}-${i}\n  namespace: default\nspec:\n  ports:\n  - port: ${80 + (i % 7)}\n`;
}

/** The ArrayBuffers fs.readSync read into while `run` ran, with the bytes read into each. */
async function buffersReadInto(run: () => void | Promise<void>): Promise<Map<ArrayBufferLike, number>> {
  const into = new Map<ArrayBufferLike, number>();
  const original = fs.readSync;
  fs.readSync = ((fd: number, buffer: NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    const n = (original as (...a: unknown[]) => number)(fd, buffer, ...rest);
    into.set(buffer.buffer, (into.get(buffer.buffer) ?? 0) + n);
    return n;
  }) as typeof fs.readSync;
  syncBuiltinESMExports();
  try {
    await run();
  } finally {
    fs.readSync = original;
    syncBuiltinESMExports();
  }
  return into;
}

function writeFiles(dir: string, count: number): Array<{ abs: string; rel: string; size: number; text: string }> {
  return Array.from({ length: count }, (_, f) => {
    const text = Array.from({ length: 600 + f * 10 }, (_, i) => service(f, i)).join('');
    const abs = join(dir, `f${f}.yaml`);
    writeFileSync(abs, text);
    return { abs, rel: `f${f}.yaml`, size: Buffer.byteLength(text), text };
  });
}

test('files read document by document (not remembered by their bytes) are read into one reused buffer, not one per file', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const files = writeFiles(dir, 12);
    const reuse = new DocReuse();
    const reads: ReturnType<DocReuse['read']>[] = [];
    const into = await buffersReadInto(() => {
      for (const job of files) reads.push(reuse.read(job, defaultLimits));
    });
    const fileSized = [...into].filter(([ab]) => ab.byteLength >= (files[0]?.size ?? 0));
    // (the scratch buffer grows once here, doubling, as the files grow)
    assert.ok(fileSized.length <= 2, `${fileSized.length} file-sized buffers read into for ${files.length} files`);
    // Each reading is its own file's, whatever the buffer held before.
    reads.forEach((read, f) => {
      assert.equal(read.kind, 'parsed');
      if (read.kind === 'parsed') assert.deepStrictEqual(read.parsed, parseConfigText(files[f]!.text, files[f]!.rel));
    });
  } finally {
    cleanup();
  }
});

test('a file that grew past the size read again by a walk after it was found: its edit parses only what changed', () => {
  const { dir, cleanup } = tempDir();
  try {
    const text = Array.from({ length: 400 }, (_, i) => service(0, i)).join('');
    const abs = join(dir, 'grown.yaml');
    writeFileSync(abs, text);
    const reuse = new DocReuse(1, { walkFrom: Buffer.byteLength(text) });
    // found when smaller than the threshold: read through the scratch buffer
    const first = reuse.read({ abs, rel: 'grown.yaml', size: 10 }, defaultLimits);
    assert.ok(first.kind === 'parsed' && first.docs !== undefined);
    // another file read through the scratch buffer in between
    const other = join(dir, 'other.yaml');
    writeFileSync(other, 'x'.repeat(64) + '\n' + text.slice(0, 2000).replaceAll('svc-0-', 'zzz-0-'));
    reuse.read({ abs: other, rel: 'other.yaml', size: 10 }, defaultLimits);
    writeFileSync(abs, text.replace('name: svc-0-200\n', 'name: svc-0-200x\n'));
    const edit = reuse.read({ abs, rel: 'grown.yaml', size: Buffer.byteLength(text) + 1, held: first.docs.reading }, defaultLimits);
    assert.ok(edit.kind === 'parsed' && edit.docs !== undefined);
    assert.equal(edit.docs.count - edit.docs.reused.filter((_, k) => k % 3 === 2).reduce((a, b) => a + b, 0), 1, JSON.stringify(edit.docs));
    assert.equal(edit.parsed.entries.length, 1);
  } finally {
    cleanup();
  }
});

test('batches sent to one InlineParser side by side are parsed one after the other, through one reused buffer', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const files = writeFiles(dir, 8);
    const parser = new InlineParser(defaultLimits, new DocReuse());
    const order: string[] = [];
    const into = await buffersReadInto(async () => {
      // as ConfigDir sends batches while its walk goes on
      await Promise.all([0, 2, 4, 6].map((f) => parser.parse(files.slice(f, f + 2), (job, read) => {
        assert.equal(read.kind, 'parsed');
        order.push(job.rel);
      })));
    });
    assert.deepEqual(order, files.map((f) => f.rel));
    const fileSized = [...into].filter(([ab]) => ab.byteLength >= (files[0]?.size ?? 0));
    assert.ok(fileSized.length <= 2, `${fileSized.length} file-sized buffers read into for ${files.length} files`);
  } finally {
    cleanup();
  }
});

/** How many times fs.readSync was called while `run` ran, and the bytes it returned in all. */
function readsDuring(run: () => void): { calls: number; bytes: number } {
  const counted = { calls: 0, bytes: 0 };
  const original = fs.readSync;
  fs.readSync = ((...a: unknown[]) => {
    const n = (original as (...b: unknown[]) => number)(...a);
    counted.calls++;
    counted.bytes += n;
    return n;
  }) as typeof fs.readSync;
  syncBuiltinESMExports();
  try {
    run();
  } finally {
    fs.readSync = original;
    syncBuiltinESMExports();
  }
  return counted;
}

test('an edit of a walked file that fits the walk window is one read of the file: the changed text is copied out of it, not read again', () => {
  const { dir, cleanup } = tempDir();
  try {
    const text = Array.from({ length: 2000 }, (_, i) => service(0, i)).join('');
    const abs = join(dir, 'walked.yaml');
    writeFileSync(abs, text);
    const size = Buffer.byteLength(text);
    assert.ok(size < 1 << 20, `${size} bytes: the test wants a file within the walk's 1 MiB window`);
    const reuse = new DocReuse(1, { walkFrom: 0 });
    let held = 0;
    for (const [from, to] of [['name: svc-0-1000\n', 'name: svc-0-1000x\n'], ['name: svc-0-1000x\n', 'name: svc-0-1000\n'], ['name: svc-0-5\n', 'name: svc-0-5y\n']] as const) {
      const before = reuse.read({ abs, rel: 'walked.yaml', size, held: held || undefined, settle: true }, defaultLimits);
      assert.ok(before.kind === 'parsed' && before.docs !== undefined);
      held = before.docs.reading;
      const edited = readFileSync(abs, 'utf8').replace(from, to);
      writeFileSync(abs, edited);
      let read: ReturnType<DocReuse['read']> | undefined;
      const counted = readsDuring(() => {
        read = reuse.read({ abs, rel: 'walked.yaml', size: Buffer.byteLength(edited), held, settle: true }, defaultLimits);
      });
      assert.ok(read?.kind === 'parsed' && read.docs !== undefined, JSON.stringify(read));
      assert.equal(read.parsed.entries.length, 1, 'only the edited document parsed');
      assert.deepEqual(counted, { calls: 1, bytes: Buffer.byteLength(edited) });
      held = read.docs.reading;
    }
  } finally {
    cleanup();
  }
});
