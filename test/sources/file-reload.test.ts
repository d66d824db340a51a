// Hot reload on a real directory. Every wait is bounded by 1 s, the DESIGN.md promise; the
// periodic rescan is off (rescanIntervalMs: 0) unless a test is about it, so these pass only
// if filesystem events alone are enough.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { names, service, servicePort, sleep, startSource, tempDir, waitFor, type Harness } from './helpers.ts';

async function withSource(fn: (dir: string, h: Harness) => Promise<void>, setup?: (dir: string) => void, options = {}): Promise<void> {
  const { dir, cleanup } = tempDir();
  let h: Harness | undefined;
  try {
    setup?.(dir);
    h = await startSource(dir, options);
    await fn(dir, h);
  } finally {
    await h?.src.stop();
    cleanup();
  }
}

const has = (h: Harness, entry: string) => names(h.latest()).includes(entry);

test('add, edit, delete and rename of files are served within 1 s', () =>
  withSource(async (dir, h) => {
    assert.deepEqual(names(h.latest()), []);
    writeFileSync(join(dir, 'a.yaml'), service('a', 80));
    await waitFor(() => servicePort(h.latest(), 'a') === 80, 'added file');
    writeFileSync(join(dir, 'a.yaml'), service('a', 81));
    await waitFor(() => servicePort(h.latest(), 'a') === 81, 'edited file');
    renameSync(join(dir, 'a.yaml'), join(dir, 'b.yaml'));
    await waitFor(() => has(h, 'Service default/a@b.yaml#0') && h.latest().resources.length === 1, 'renamed file');
    unlinkSync(join(dir, 'b.yaml'));
    await waitFor(() => h.latest().resources.length === 0, 'deleted file');
  }));

test('editor-style atomic replace (write a temp file, rename it over) is seen every time, and so is a plain edit after it', () =>
  withSource(
    async (dir, h) => {
      for (const port of [81, 82]) {
        writeFileSync(join(dir, '.a.yaml.swp'), 'swap file noise');
        writeFileSync(join(dir, '.a.yaml.tmp'), service('a', port));
        renameSync(join(dir, '.a.yaml.tmp'), join(dir, 'a.yaml'));
        await waitFor(() => servicePort(h.latest(), 'a') === port, `atomic replace to ${port}`);
      }
      // Node 20's recursive fs.watch loses this one (it watches the replaced inode).
      writeFileSync(join(dir, 'a.yaml'), service('a', 83));
      await waitFor(() => servicePort(h.latest(), 'a') === 83, 'edit after atomic replace');
      assert.ok(!h.parses.some((f) => f.includes('.swp') || f.includes('.tmp')), 'temp files are never read');
    },
    (dir) => writeFileSync(join(dir, 'a.yaml'), service('a', 80)),
  ));

test('new subdirectories (nested too) are watched; removing one removes its resources', () =>
  withSource(async (dir, h) => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x.yaml'), service('x'));
    await waitFor(() => has(h, 'Service default/x@sub/x.yaml#0'), 'file in new subdirectory');
    mkdirSync(join(dir, 'n1', 'n2'), { recursive: true });
    writeFileSync(join(dir, 'n1', 'n2', 'y.yaml'), service('y', 80));
    await waitFor(() => has(h, 'Service default/y@n1/n2/y.yaml#0'), 'file in new nested subdirectory');
    writeFileSync(join(dir, 'n1', 'n2', 'y.yaml'), service('y', 90));
    await waitFor(() => servicePort(h.latest(), 'y') === 90, 'edit in new nested subdirectory');
    rmSync(join(dir, 'n1'), { recursive: true });
    await waitFor(() => !has(h, 'Service default/y@n1/n2/y.yaml#0'), 'removed subdirectory');
    // The same name again is a new directory and needs a new watcher.
    mkdirSync(join(dir, 'n1'));
    writeFileSync(join(dir, 'n1', 'z.yaml'), service('z', 80));
    await waitFor(() => has(h, 'Service default/z@n1/z.yaml#0'), 'recreated subdirectory');
    writeFileSync(join(dir, 'n1', 'z.yaml'), service('z', 91));
    await waitFor(() => servicePort(h.latest(), 'z') === 91, 'edit in recreated subdirectory');
    // Renaming a directory moves its resources, and the new name is watched.
    renameSync(join(dir, 'n1'), join(dir, 'n3'));
    await waitFor(() => has(h, 'Service default/z@n3/z.yaml#0') && !has(h, 'Service default/z@n1/z.yaml#0'), 'renamed subdirectory');
    writeFileSync(join(dir, 'n3', 'z.yaml'), service('z', 92));
    await waitFor(() => servicePort(h.latest(), 'z') === 92, 'edit in renamed subdirectory');
    // A directory moved in from elsewhere arrives whole.
    const { dir: outside, cleanup } = tempDir();
    try {
      writeFileSync(join(outside, 'm.yaml'), service('m'));
      renameSync(outside, join(dir, 'moved'));
      await waitFor(() => has(h, 'Service default/m@moved/m.yaml#0'), 'directory moved in');
    } finally {
      cleanup();
    }
  }));

test('an invalid edit is reported: the object leaves resources and is named in rejections', () =>
  withSource(
    async (dir, h) => {
      assert.ok(has(h, 'Service default/a@a.yaml#0'));
      writeFileSync(join(dir, 'a.yaml'), service('a', 0));
      await waitFor(() => h.latest().rejections.length === 1, 'rejection');
      const state = h.latest();
      assert.ok(!has(h, 'Service default/a@a.yaml#0'), 'the source reports only; the store keeps the last good version');
      assert.deepEqual(state.rejections[0], {
        kind: 'Service',
        namespace: 'default',
        name: 'a',
        origin: { file: 'a.yaml', doc: 0 },
        errors: [{ path: 'spec.ports[0].port', message: 'must be 1..65535', line: 4 }],
        line: 4,
      });
      assert.equal(h.logs.filter((l) => l.msg.startsWith('config rejected: a.yaml:4:')).length, 1, 'logged once');
      writeFileSync(join(dir, 'a.yaml'), 'kind: [\n');
      await waitFor(() => /YAML syntax error/.test(h.latest().rejections[0]?.errors[0]?.message ?? ''), 'syntax error');
      writeFileSync(join(dir, 'a.yaml'), service('a', 85));
      await waitFor(() => servicePort(h.latest(), 'a') === 85 && h.latest().rejections.length === 0, 'fixed');
    },
    (dir) => writeFileSync(join(dir, 'a.yaml'), service('a', 80)),
  ));

test('unknown kinds: one warning per (file, kind) when the file changes, not on every reload', () =>
  withSource(async (dir, h) => {
    const warnings = () => h.logs.filter((l) => l.msg === 'ignoring v1 Pod: not a kind Sluice reads');
    const cm = (n: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${n}}\n`;
    writeFileSync(join(dir, 'cm.yaml'), `${cm('a')}---\n${cm('b')}`);
    await waitFor(() => warnings().length === 1, 'first warning');
    writeFileSync(join(dir, 'other.yaml'), service('o'));
    await waitFor(() => h.latest().resources.length === 1, 'unrelated change');
    await sleep(100);
    assert.equal(warnings().length, 1, 'an unrelated reload does not repeat it');
    writeFileSync(join(dir, 'cm.yaml'), cm('c'));
    await waitFor(() => warnings().length === 2, 'warning after the file changed');
  }));

test('Kubernetes ConfigMap volumes: the ..data symlink swap is seen', () =>
  withSource(
    async (dir, h) => {
      mkdirSync(join(dir, '..v2'));
      writeFileSync(join(dir, '..v2', 'a.yaml'), service('a', 82));
      symlinkSync('..v2', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      await waitFor(() => servicePort(h.latest(), 'a') === 82, 'new ConfigMap content');
    },
    (dir) => {
      mkdirSync(join(dir, '..v1'));
      writeFileSync(join(dir, '..v1', 'a.yaml'), service('a', 81));
      symlinkSync('..v1', join(dir, '..data'));
      symlinkSync(join('..data', 'a.yaml'), join(dir, 'a.yaml'));
    },
  ));

test('the directory vanishing keeps the last state; when it comes back it is read again', () =>
  withSource(
    async (dir, h) => {
      const pushes = h.states.length;
      rmSync(dir, { recursive: true });
      await waitFor(() => h.logs.some((l) => l.msg.startsWith('config directory is gone')), 'vanish noticed');
      assert.equal(h.states.length, pushes, 'no empty state was pushed');
      mkdirSync(dir);
      await waitFor(() => h.states.length === pushes + 1, 'reappeared empty');
      assert.deepEqual(h.latest().resources, []);
      writeFileSync(join(dir, 'b.yaml'), service('b'));
      await waitFor(() => has(h, 'Service default/b@b.yaml#0'), 'watching again after it came back');
    },
    (dir) => writeFileSync(join(dir, 'a.yaml'), service('a')),
    { rescanIntervalMs: 100 },
  ));

test('the periodic rescan catches what no event reported, without re-reading unchanged files', () =>
  withSource(
    async (dir, h) => {
      const parses = h.parses.length;
      writeFileSync(join(dir, 'b.yaml'), service('b'));
      await waitFor(() => h.latest().resources.length === 2, 'rescan found the new file', 2000);
      await sleep(300);
      assert.deepEqual(h.parses.slice(parses), ['b.yaml']);
    },
    (dir) => writeFileSync(join(dir, 'a.yaml'), service('a')),
    { rescanIntervalMs: 100, watch: true, debounceMs: 10_000, quietMs: 10_000 },
  ));

test('a lone event (an atomic replace) is taken in once the directory is quiet, not after the whole gathering window', () =>
  withSource(
    async (dir, h) => {
      writeFileSync(join(dir, '.a.yaml.tmp'), service('a', 81));
      renameSync(join(dir, '.a.yaml.tmp'), join(dir, 'a.yaml'));
      // The window is 10 s; the quiet period (10 ms by default) ends it.
      await waitFor(() => servicePort(h.latest(), 'a') === 81, 'atomic replace after a quiet period');
    },
    (dir) => writeFileSync(join(dir, 'a.yaml'), service('a', 80)),
    { debounceMs: 10_000 },
  ));

test('events that keep coming are gathered until the window ends, so a long burst cannot postpone a reload', () =>
  withSource(
    async (dir, h) => {
      const pushes = h.states.length;
      let port = 81;
      const started = Date.now();
      // An event every 5 ms: never quiet for 100 ms, so only the 150 ms window ends the gathering.
      while (h.states.length === pushes) {
        if (Date.now() - started > 1000) throw new Error('not reloaded within 1 s during a burst');
        writeFileSync(join(dir, 'a.yaml'), service('a', port++));
        await sleep(5);
      }
      assert.ok(port - 81 >= 3, `several writes were gathered into the first reload (${port - 81})`);
    },
    (dir) => writeFileSync(join(dir, 'a.yaml'), service('a', 80)),
    { debounceMs: 150, quietMs: 100 },
  ));

test('after stop() nothing more is pushed', () =>
  withSource(async (dir, h) => {
    await h.src.stop();
    const pushes = h.states.length;
    writeFileSync(join(dir, 'a.yaml'), service('a'));
    await sleep(300);
    assert.equal(h.states.length, pushes);
  }));
