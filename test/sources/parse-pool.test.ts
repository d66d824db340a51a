// The parse worker gives exactly what parsing in this thread gives, large files included (they
// come back in several pieces), and a parser closed mid-parse answers every file it was given.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BySizeParser, InlineParser, KnownHereParser, type FileParser, type ParseJob } from '../../src/sources/file-parser.ts';
import { WorkerParser } from '../../src/sources/parse-pool.ts';
import { DocReuse } from '../../src/sources/doc-reuse.ts';
import { defaultLimits, type FileRead } from '../../src/sources/read-file.ts';
import { service, tempDir, waitFor } from './helpers.ts';

async function collect(parse: (jobs: ParseJob[], each: (job: ParseJob, read: FileRead) => void) => Promise<void>, jobs: ParseJob[]): Promise<Map<string, FileRead>> {
  const out = new Map<string, FileRead>();
  await parse(jobs, (job, read) => {
    assert.ok(!out.has(job.rel), `one answer per file: ${job.rel}`);
    out.set(job.rel, read);
  });
  return out;
}

/** What a consumer uses of a reading (`bytes` is only the worker's own measure). */
function usable(read: FileRead | undefined): unknown {
  if (read?.kind !== 'parsed') return read;
  return { entries: read.parsed.entries, syntaxErrors: read.parsed.syntaxErrors };
}

test('the worker parses small, large, broken and unreadable files exactly as this thread does', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const worker = new WorkerParser(defaultLimits);
  try {
    const note = 'n'.repeat(200);
    const big = Array.from({ length: 3000 }, (_, i) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: s${i}\n  annotations:\n    note: "${note}"\nspec: {ports: [{port: 80}]}\n`).join('---\n');
    const files: Record<string, string> = {
      'small.yaml': service('a'),
      // about 1 MB: several pieces, several messages
      'big.yaml': big,
      'broken.yaml': `${service('b')}---\nkind: [\n---\n${service('c')}`,
      'list.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'd' }, spec: { ports: [{ port: 80 }] } }] }),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const jobs: ParseJob[] = [...Object.keys(files), 'missing.yaml'].map((rel) => ({ rel, abs: join(dir, rel), size: files[rel]?.length ?? 0 }));
    const inline = new InlineParser(defaultLimits);
    const want = await collect((j, e) => inline.parse(j, e), jobs);
    const got = await collect((j, e) => worker.parse(j, e), jobs);
    assert.equal(got.size, jobs.length);
    for (const { rel } of jobs) assert.deepStrictEqual(usable(got.get(rel)), usable(want.get(rel)), rel);
    const bigRead = got.get('big.yaml');
    assert.ok(bigRead?.kind === 'parsed' && bigRead.parsed.entries.length === 3000 && bigRead.parsed.entries.every((e) => e.outcome.kind === 'resource'));
    const broken = got.get('broken.yaml');
    assert.equal(broken?.kind === 'parsed' ? broken.parsed.syntaxErrors?.length : undefined, 1);
    assert.equal(got.get('missing.yaml')?.kind, 'failed');
  } finally {
    await worker.close();
    cleanup();
  }
});

test('closing the parser mid-parse answers every file as not parsed (to be tried again)', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const worker = new WorkerParser(defaultLimits);
  try {
    const jobs: ParseJob[] = Array.from({ length: 50 }, (_, i) => {
      writeFileSync(join(dir, `f${i}.yaml`), service(`s${i}`));
      return { rel: `f${i}.yaml`, abs: join(dir, `f${i}.yaml`), size: 0 };
    });
    const answers = new Map<string, FileRead>();
    const done = worker.parse(jobs, (job, read) => answers.set(job.rel, read));
    await worker.close();
    await done;
    assert.equal(answers.size, jobs.length);
    for (const read of answers.values()) if (read.kind === 'failed') assert.equal(read.retry, true);
  } finally {
    await worker.close();
    cleanup();
  }
});

test('BySizeParser sends files from the threshold up to the large parser, the rest to the small one', async () => {
  const seen: Record<string, string[]> = { small: [], large: [] };
  const fake = (name: string): FileParser => ({
    parse: async (jobs, each) => {
      for (const j of jobs) {
        seen[name]!.push(j.rel);
        each(j, { kind: 'failed', message: name, retry: false });
      }
    },
    close: async () => {},
  });
  const answers: string[] = [];
  const jobs = [10, 100, 99, 1000].map((size) => ({ rel: `f${size}`, abs: `/x/f${size}`, size }));
  await new BySizeParser(fake('small'), fake('large'), 100).parse(jobs, (j, r) => answers.push(`${j.rel}:${r.kind === 'failed' ? r.message : ''}`));
  assert.deepEqual(seen, { small: ['f10', 'f99'], large: ['f100', 'f1000'] });
  assert.deepEqual(answers.sort(), ['f1000:large', 'f100:large', 'f10:small', 'f99:small']);
});

test('a worker that dies on a file (out of memory) fails only that batch; the next parse gets a new worker', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  // A heap too small for the large file below, large enough to start and parse a small one.
  const worker = new WorkerParser({ ...defaultLimits, maxDocuments: 100_000 }, { resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } });
  try {
    writeFileSync(join(dir, 'small.yaml'), service('a'));
    const small: ParseJob = { rel: 'small.yaml', abs: join(dir, 'small.yaml'), size: 0 };
    // about 16 MB in one document (a List): parsed at once, it is more than the heap
    const items = Array.from({ length: 27_000 }, (_, i) => `- ${bigService(i).replaceAll('\n', '\n  ').trimEnd()}\n`);
    writeFileSync(join(dir, 'huge.yaml'), `apiVersion: v1\nkind: List\nitems:\n${items.join('')}`);
    const huge: ParseJob = { rel: 'huge.yaml', abs: join(dir, 'huge.yaml'), size: 0 };
    assert.equal((await collect((j, e) => worker.parse(j, e), [small])).get('small.yaml')?.kind, 'parsed');
    const read = (await collect((j, e) => worker.parse(j, e), [huge])).get('huge.yaml');
    assert.equal(read?.kind, 'failed');
    assert.ok(read?.kind === 'failed' && read.retry && /parse worker failed/.test(read.message), JSON.stringify(read));
    assert.equal((await collect((j, e) => worker.parse(j, e), [small])).get('small.yaml')?.kind, 'parsed', 'a new worker');
  } finally {
    await worker.close();
    cleanup();
  }
});

const note = 'n'.repeat(100);
const bigService = (i: number): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: s${i}\n  annotations: {a: "${note}${i}", b: "${note}${i}", c: "${note}${i}", d: "${note}${i}"}\nspec: {ports: [{port: 80}]}\n`;

test('a large file of many documents is parsed by a worker whose heap is smaller than their parsed values (sent on as they are parsed)', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const worker = new WorkerParser({ ...defaultLimits, maxDocuments: 100_000 }, { resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } });
  try {
    // about 16 MB of 27,000 documents
    writeFileSync(join(dir, 'huge.yaml'), Array.from({ length: 27_000 }, (_, i) => bigService(i)).join('---\n'));
    const read = (await collect((j, e) => worker.parse(j, e), [{ rel: 'huge.yaml', abs: join(dir, 'huge.yaml'), size: 0 }])).get('huge.yaml');
    assert.ok(read?.kind === 'parsed', JSON.stringify(read?.kind === 'failed' ? read : read?.kind));
    assert.equal(read.parsed.entries.length, 27_000);
    assert.deepEqual(read.parsed.entries.map((e) => e.origin.doc).slice(26_998), [26_998, 26_999]);
    const last = read.parsed.entries[26_999]?.outcome;
    assert.ok(last?.kind === 'resource' && last.resource.metadata.name === 's26999');
  } finally {
    await worker.close();
    cleanup();
  }
});

test('syntax errors in a large file sent in several pieces are the same documents as a parse in this thread finds', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const worker = new WorkerParser(defaultLimits);
  try {
    // about 1 MB: four pieces or more, with broken documents in the first and in a later one
    const docs = Array.from({ length: 3000 }, (_, i) => (i === 10 || i === 2500 ? 'kind: [\n' : bigService(i)));
    writeFileSync(join(dir, 'big.yaml'), docs.join('---\n'));
    const job: ParseJob = { rel: 'big.yaml', abs: join(dir, 'big.yaml'), size: 0 };
    const fromWorker = (await collect((j, e) => worker.parse(j, e), [job])).get('big.yaml');
    const inline = (await collect((j, e) => new InlineParser(defaultLimits, new DocReuse()).parse(j, e), [job])).get('big.yaml');
    assert.ok(fromWorker?.kind === 'parsed' && inline?.kind === 'parsed');
    assert.equal(fromWorker.parsed.syntaxErrors?.length, 2);
    assert.deepStrictEqual(usable(fromWorker), usable(inline));
  } finally {
    await worker.close();
    cleanup();
  }
});

test('a consumer that throws on a worker result rejects that parse (as in this thread), not the process', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const worker = new WorkerParser(defaultLimits);
  try {
    writeFileSync(join(dir, 'a.yaml'), service('a'));
    const job: ParseJob = { rel: 'a.yaml', abs: join(dir, 'a.yaml'), size: 0 };
    await assert.rejects(
      worker.parse([job], () => {
        throw new Error('consumer bug');
      }),
      /consumer bug/,
    );
    assert.equal((await collect((j, e) => worker.parse(j, e), [job])).get('a.yaml')?.kind, 'parsed', 'the parser still works');
  } finally {
    await worker.close();
    cleanup();
  }
});

test('a file the worker read first is handed back: this thread reads its next version, parsing only the edited documents', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const here = new DocReuse(1);
  const worker = new WorkerParser(defaultLimits, { onRemembered: (rel, file) => here.adopt(rel, file) });
  try {
    const doc = (i: number, port: number) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: s${i}\nspec:\n  ports:\n  - port: ${port}\n`;
    const docs = Array.from({ length: 2000 }, (_, i) => doc(i, 80));
    writeFileSync(join(dir, 'big.yaml'), docs.join('---\n'));
    const job = { rel: 'big.yaml', abs: join(dir, 'big.yaml'), size: 0 };
    const first = (await collect((j, each) => worker.parse(j, each), [job])).get('big.yaml');
    assert.ok(first?.kind === 'parsed' && first.docs !== undefined);
    assert.deepEqual(here.files(), ['big.yaml'], 'what the worker remembered of the file came back with its reading');
    docs[1500] = doc(1500, 8080);
    writeFileSync(join(dir, 'big.yaml'), docs.join('---\n'));
    const read = here.read({ ...job, held: first.docs.reading }, defaultLimits);
    assert.ok(read.kind === 'parsed' && read.docs !== undefined);
    assert.equal(read.docs.count, 2000);
    assert.deepEqual(read.parsed.entries.map((e) => e.origin.doc), [1500]);
    assert.deepEqual(read.docs.reused, [0, 0, 1500, 1501, 1501, 499]);
  } finally {
    await worker.close();
    cleanup();
  }
});

test('the worker ends once idle (its memory given back) and the next parse starts a new one', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const worker = new WorkerParser(defaultLimits, { idleMs: 20 });
  try {
    writeFileSync(join(dir, 'a.yaml'), service('a'));
    const job: ParseJob = { rel: 'a.yaml', abs: join(dir, 'a.yaml'), size: 0 };
    assert.equal((await collect((j, e) => worker.parse(j, e), [job])).get('a.yaml')?.kind, 'parsed');
    assert.equal(worker.starts, 1);
    await waitFor(() => !worker.running, 'the idle worker ended', 10_000);
    assert.equal((await collect((j, e) => worker.parse(j, e), [job])).get('a.yaml')?.kind, 'parsed', 'parsed by a new worker');
    assert.equal(worker.starts, 2);
  } finally {
    await worker.close();
    cleanup();
  }
});

test('KnownHereParser reads the files this thread remembers here (an edit parses its changed documents, no worker) and sends the others on', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const reuse = new DocReuse(1);
    const here = new InlineParser(defaultLimits, reuse);
    const sent: string[] = [];
    const other: FileParser = {
      parse: async (jobs, each) => {
        for (const j of jobs) {
          sent.push(j.rel);
          each(j, { kind: 'failed', message: 'elsewhere', retry: true });
        }
      },
      close: async () => {},
    };
    const docs = Array.from({ length: 100 }, (_, i) => service(`s${i}`));
    writeFileSync(join(dir, 'known.yaml'), docs.join('---\n'));
    writeFileSync(join(dir, 'new.yaml'), service('n'));
    const known = { rel: 'known.yaml', abs: join(dir, 'known.yaml'), size: 0 };
    const first = await collect((j, e) => here.parse(j, e), [known]);
    const reading = first.get('known.yaml');
    assert.ok(reading?.kind === 'parsed' && reading.docs !== undefined);
    docs[7] = service('s7', 8080);
    writeFileSync(join(dir, 'known.yaml'), docs.join('---\n'));
    const parser = new KnownHereParser(reuse, here, other);
    const got = await collect((j, e) => parser.parse(j, e), [{ ...known, held: reading.docs.reading }, { rel: 'new.yaml', abs: join(dir, 'new.yaml'), size: 0 }]);
    assert.deepEqual(sent, ['new.yaml']);
    const edit = got.get('known.yaml');
    assert.ok(edit?.kind === 'parsed' && edit.docs !== undefined);
    assert.deepEqual(edit.parsed.entries.map((e) => e.origin.doc), [7], 'one document parsed');
  } finally {
    cleanup();
  }
});
