import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatRejection } from '../../src/api/format.ts';
import { SluiceError } from '../../src/errors.ts';
import { FileSource } from '../../src/sources/file.ts';
import { names, service, startSource, tempDir } from './helpers.ts';
import { assertInvalidFixtureErrors } from '../fixtures/input/invalid-errors.ts';

const fixtures = new URL('../fixtures/input/', import.meta.url).pathname;

test('reads a directory recursively: multi-document YAML, JSON, kind: List; skips dotfiles, backups and other files', async () => {
  const h = await startSource(join(fixtures, 'valid'), { watch: false });
  try {
    assert.equal(h.states.length, 1, 'start pushes the first full state once');
    assert.deepEqual(names(h.latest()), [
      'Service demo/hello-v2@backends/list.yml#0',
      'Endpoints demo/hello-v2@backends/list.yml#0',
      'Secret demo/hello-cert@backends/list.yml#0',
      'EndpointSlice demo/hello-abc@backends/slices.json#0',
      'Ingress demo/hello@ingress.yaml#0',
      'Service demo/hello@ingress.yaml#1',
    ]);
    assert.deepEqual(h.latest().rejections, []);
    assert.deepEqual(h.latest().resources.map((r) => (r.origin as { item?: number }).item), [0, 1, 2, undefined, undefined, undefined]);
    assert.deepEqual(h.parses.sort(), ['backends/list.yml', 'backends/slices.json', 'ingress.yaml']);
  } finally {
    await h.src.stop();
  }
});

test('reports every rejection with file, document and path; the first definition of an object wins', async () => {
  const h = await startSource(join(fixtures, 'invalid'), { watch: false });
  try {
    const state = h.latest();
    assert.deepEqual(names(state), ['Service default/svc@a.yaml#0']);
    const lines = state.rejections.flatMap(formatRejection);
    assertInvalidFixtureErrors(lines);
    assert.equal(lines.length, 6);
    const warnings = h.logs.filter((l) => l.level === 'warn' && l.msg.startsWith('ignoring'));
    assert.deepEqual(warnings.map((w) => [w.msg, w.fields?.file]), [['ignoring v1 Pod: not a kind Sluice reads', 'e.yaml']]);
  } finally {
    await h.src.stop();
  }
});

test('duplicates: files are taken in sorted path order, so a/ beats b.yaml beats b/', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'b', 'x.yaml'), service('s', 3));
    writeFileSync(join(dir, 'b.yaml'), service('s', 2));
    writeFileSync(join(dir, 'a', 'z.yaml'), service('s', 1));
    const h = await startSource(dir, { watch: false });
    await h.src.stop();
    assert.deepEqual(names(h.latest()), ['Service default/s@a/z.yaml#0']);
    assert.deepEqual(h.latest().rejections.map((r) => r.origin.file), ['b.yaml', 'b/x.yaml']);
    assert.deepEqual(h.latest().rejections[0]?.errors, [{ path: 'metadata.name', message: 'duplicate Service default/s: already defined in a/z.yaml#0' }]);
    // The same name in another namespace or of another kind is no duplicate.
    writeFileSync(join(dir, 'b.yaml'), service('s', 2, 'other'));
    writeFileSync(join(dir, 'b', 'x.yaml'), 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: s}\n');
    const h2 = await startSource(dir, { watch: false });
    await h2.src.stop();
    assert.equal(h2.latest().resources.length, 3);
    assert.deepEqual(h2.latest().rejections, []);
  } finally {
    cleanup();
  }
});

test('start fails with SLUICE_ERR_CONFIG_DIR naming the path when the directory is missing or not a directory', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'file.yaml'), service('s'));
    for (const [path, why] of [
      [join(dir, 'missing'), 'does not exist'],
      [join(dir, 'file.yaml'), 'is not a directory'],
    ] as const) {
      const src = new FileSource({ dir: path });
      await assert.rejects(src.start(() => {}), (err: unknown) => {
        assert.ok(err instanceof SluiceError);
        assert.equal(err.code, 'SLUICE_ERR_CONFIG_DIR');
        assert.equal(err.message, `config directory ${path} ${why}`);
        return true;
      });
      await src.stop();
    }
  } finally {
    cleanup();
  }
});

test('an empty directory pushes an empty state (the gateway then knows the first read is done)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const h = await startSource(dir, { watch: false });
    await h.src.stop();
    assert.deepEqual(
      h.states.map((s) => ({ resources: s.resources, rejections: s.rejections, changes: s.changes })),
      [{ resources: [], rejections: [], changes: { since: null, upserted: [], removed: [] } }],
    );
  } finally {
    cleanup();
  }
});

test('a consumer that throws does not break the source', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'a.yaml'), service('a'));
    const errors: string[] = [];
    const src = new FileSource({ dir, watch: false, log: (level, msg) => level === 'error' && errors.push(msg) });
    await src.start(() => {
      throw new Error('boom');
    });
    await src.stop();
    assert.deepEqual(errors, ['config consumer failed']);
  } finally {
    cleanup();
  }
});
