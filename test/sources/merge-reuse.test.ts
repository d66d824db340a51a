// A file holding many documents, re-read after one of them changed: only that document's object is
// new, so the store and the translator (which compare by identity) redo the work for it alone,
// whatever the size of the file it sits in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileMerge } from '../../src/sources/merge.ts';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';

function service(i: number, port = 80): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: ns\nspec:\n  ports:\n    - name: http\n      port: ${port}\n`;
}
const file = (ports: ReadonlyMap<number, number> = new Map(), count = 100) =>
  Array.from({ length: count }, (_, i) => service(i, ports.get(i) ?? 80)).join('---\n');

describe('FileMerge re-reading a many-document file', () => {
  it('reports only the changed document and keeps the others as the very same objects', () => {
    const merge = new FileMerge();
    merge.set('apps.yaml', parseConfigText(file(), 'apps.yaml'));
    const before = merge.state().resources;
    merge.set('apps.yaml', parseConfigText(file(new Map([[42, 8080]])), 'apps.yaml'));
    const state = merge.state();
    assert.deepEqual(state.changes?.upserted.map((s) => s.resource.metadata.name), ['svc-42']);
    assert.deepEqual(state.changes?.removed, []);
    const after = state.resources;
    assert.equal(after.length, 100);
    for (let i = 0; i < 100; i++) {
      if (i === 42) assert.notEqual(after[i], before[i]);
      else assert.equal(after[i], before[i], `svc-${i} is a new object`);
    }
  });

  it('keeps an unchanged document that moved (one inserted above it) as the same resource, at its new place', () => {
    const merge = new FileMerge();
    merge.set('apps.yaml', parseConfigText(file(new Map(), 3), 'apps.yaml'));
    const before = merge.state().resources;
    const text = `${service(99)}---\n${file(new Map(), 3)}`;
    merge.set('apps.yaml', parseConfigText(text, 'apps.yaml'));
    const state = merge.state();
    const names = (state.changes?.upserted ?? []).map((s) => s.resource.metadata.name).sort();
    // moved documents are reported (their origin changed) but their resources are the same objects
    assert.ok(names.includes('svc-99'));
    const now = new Map(state.resources.map((s) => [s.resource.metadata.name, s]));
    for (const b of before) {
      const a = now.get(b.resource.metadata.name)!;
      assert.equal(a.resource, b.resource, `${b.resource.metadata.name} was parsed into a new object`);
      assert.equal(a.origin.doc, (b.origin.doc ?? 0) + 1);
    }
  });

  it('sees an edit that only reorders nothing but changes a value deep inside', () => {
    const merge = new FileMerge();
    merge.set('a.yaml', parseConfigText(service(1), 'a.yaml'));
    merge.state();
    merge.set('a.yaml', parseConfigText(service(1, 81), 'a.yaml'));
    assert.deepEqual(merge.state().changes?.upserted.map((s) => s.resource.metadata.name), ['svc-1']);
  });
});
