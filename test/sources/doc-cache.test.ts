// The per-document parse cache: an edit of one document in a large multi-document file parses that
// document alone (counted through the onParse hook's document count, which the worker reports),
// and unchanged documents keep their objects, while errors still name the right file and line.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SourceState } from '../../src/sources/types.ts';
import { FileSource } from '../../src/sources/file.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { servicePort, tempDir, waitFor } from './helpers.ts';

const DOCS = 1000;

function service(i: number, port = 80): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: default\nspec:\n  ports:\n  - port: ${port}\n`;
}

const fileOf = (docs: readonly string[]): string => docs.map((d) => `---\n${d}`).join('');

async function withSource(docs: readonly string[], run: (h: { write(docs: readonly string[]): void; latest(): SourceState; parsedDocs: number[] }) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  const file = join(dir, 'all.yaml');
  writeFileSync(file, fileOf(docs));
  const states: SourceState[] = [];
  const parsedDocs: number[] = [];
  const src = new FileSource({ dir, rescanIntervalMs: 0, debounceMs: 20, onParse: (_f, n) => parsedDocs.push(n ?? -1) });
  try {
    await src.start((s) => states.push(s));
    await run({ write: (d) => writeFileSync(file, fileOf(d)), latest: () => states[states.length - 1] as SourceState, parsedDocs });
  } finally {
    await src.stop();
    cleanup();
  }
}

const initial = Array.from({ length: DOCS }, (_, i) => service(i));

test('an edit of one document in a 1,000-document file parses that document alone and serves it', async () => {
  await withSource(initial, async (h) => {
    assert.deepEqual(h.parsedDocs, [DOCS]);
    const before = h.latest();
    const docs = [...initial];
    docs[500] = service(500, 8080);
    h.write(docs);
    await waitFor(() => servicePort(h.latest(), 'svc-500') === 8080, 'the edited document served', 5000);
    assert.deepEqual(h.parsedDocs, [DOCS, 1]);
    const changes = h.latest().changes;
    assert.equal(changes?.since?.deref(), before);
    assert.deepEqual(changes?.upserted.map((s) => s.resource.metadata.name), ['svc-500']);
    assert.deepEqual(changes?.removed, []);
    // Unchanged documents are the very same objects.
    const was = new Map(before.resources.map((s) => [s.resource.metadata.name, s]));
    for (const s of h.latest().resources) if (s.resource.metadata.name !== 'svc-500') assert.equal(s, was.get(s.resource.metadata.name));
  });
});

test('a YAML error in the edited document names its file and line while the others keep serving', async () => {
  await withSource(initial, async (h) => {
    const docs = [...initial];
    docs[0] = `${service(0)}# grown\n  bad: : :\n`; // longer, and broken
    docs[700] = service(700, 9000).replace('  ports:\n', '  ports:\n  bogus: : :\n');
    h.write(docs);
    await waitFor(() => h.latest().rejections.length > 0, 'the syntax errors reported', 5000);
    // The same lines and messages as a parse of the whole file gives.
    const whole = parseConfigText(fileOf(docs), 'all.yaml').syntaxErrors ?? [];
    assert.equal(whole.length, 2);
    const got = h.latest().rejections.filter((r) => /syntax error/.test(r.errors[0]?.message ?? ''));
    assert.deepEqual(got.map((r) => [r.origin.doc, r.line, r.errors[0]?.message]), whole.map((r) => [r.origin.doc, r.line, r.errors[0]?.message]));
    assert.ok(got.some((r) => (r.line ?? 0) > 700 * 9), 'the second error is in document 700');
    assert.ok(h.latest().rejections.every((r) => r.origin.file === 'all.yaml'));
    // The file as a whole fails: every object it held before stays.
    assert.equal(h.latest().resources.length, DOCS);
    assert.equal(servicePort(h.latest(), 'svc-700'), 80);
    // Fixed again: two documents parsed, and the edit is served.
    docs[0] = service(0);
    docs[700] = service(700, 9000);
    h.write(docs);
    await waitFor(() => servicePort(h.latest(), 'svc-700') === 9000, 'the fixed document served', 5000);
    assert.equal(h.latest().rejections.length, 0);
    assert.equal(h.parsedDocs.at(-1), 2);
  });
});

test('a validation error names its new line after documents above it grew', async () => {
  await withSource(initial, async (h) => {
    const docs = [...initial];
    docs[900] = service(900, 70000);
    h.write(docs);
    await waitFor(() => h.latest().rejections.length === 1, 'the rejection', 5000);
    assert.equal(h.latest().rejections[0]?.line, 900 * 9 + 9);
    // Two lines more above it: the unchanged rejected document reports its new line.
    docs[3] = `${service(3)}# one\n# two\n`;
    h.write(docs);
    await waitFor(() => h.latest().rejections[0]?.line === 900 * 9 + 9 + 2, 'the moved line', 5000);
    assert.equal(h.latest().rejections[0]?.origin.file, 'all.yaml');
  });
});

test('documents reordered, inserted and removed are served as written', async () => {
  await withSource(initial, async (h) => {
    const docs = [...initial].reverse();
    docs.splice(10, 0, service(5000, 81));
    const removed = docs.splice(500, 2).map((d) => /name: (\S+)/.exec(d)?.[1]);
    h.write(docs);
    await waitFor(() => servicePort(h.latest(), 'svc-5000') === 81, 'the inserted document', 5000);
    const names = new Set(h.latest().resources.map((s) => s.resource.metadata.name));
    assert.equal(names.size, DOCS - 1);
    assert.deepEqual(removed, ['svc-500', 'svc-499']);
    assert.ok(!names.has('svc-500') && !names.has('svc-499'));
    assert.equal(h.parsedDocs.at(-1), 1);
    // Each document's origin is its new place in the file.
    const at = new Map(docs.map((d, i) => [/name: (\S+)/.exec(d)?.[1], i]));
    for (const s of h.latest().resources) assert.equal(s.origin.doc, at.get(s.resource.metadata.name), s.resource.metadata.name);
  });
});

test('an edit of one document warns only about the unknown kinds of the documents it parsed', async () => {
  const { dir, cleanup } = tempDir();
  const file = join(dir, 'all.yaml');
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n';
  const docs = [pod, ...initial];
  writeFileSync(file, fileOf(docs));
  const states: SourceState[] = [];
  const warnings: string[] = [];
  const log = (level: string, msg: string): void => void (level === 'warn' && msg.startsWith('ignoring') && warnings.push(msg));
  const src = new FileSource({ dir, rescanIntervalMs: 0, debounceMs: 20, log });
  try {
    await src.start((s) => states.push(s));
    assert.deepEqual(warnings, ['ignoring v1 Pod: not a kind Sluice reads']);
    docs[500] = service(499, 8080);
    writeFileSync(file, fileOf(docs));
    await waitFor(() => servicePort(states[states.length - 1] as SourceState, 'svc-499') === 8080, 'the edited document served', 5000);
    // the Pod's document was not read again: no second warning (an edit of it would warn)
    assert.deepEqual(warnings, ['ignoring v1 Pod: not a kind Sluice reads']);
    docs[0] = pod.replace('name: p', 'name: q');
    writeFileSync(file, fileOf(docs));
    await waitFor(() => warnings.length === 2, 'the warning for the edited Pod', 5000);
  } finally {
    await src.stop();
    cleanup();
  }
});
