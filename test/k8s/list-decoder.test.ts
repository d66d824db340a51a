// A list response decoded as it arrives: every item handed over parsed as soon as it is complete,
// wherever the chunks are cut (inside strings, escapes, multi-byte characters), and the rest of the
// document (metadata with resourceVersion and continue, before or after the items) read at the end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListDecoder } from '../../src/k8s/list-decoder.ts';

const items = [
  { metadata: { name: 'a', annotations: { note: 'brace } bracket ] quote " backslash \\ and \\" done' } }, spec: { rules: [[1, 2], { x: [] }] } },
  { metadata: { name: 'é-ünïcödé-日本' }, data: { 'items': '[{"not":"an item"}]' } },
  { metadata: { name: 'c' }, empty: {} },
];

function decode(text: string, cut: (buf: Buffer) => Buffer[]): { got: unknown[]; rest: unknown } {
  const got: unknown[] = [];
  const d = new ListDecoder((item) => got.push(item));
  for (const c of cut(Buffer.from(text))) d.push(c);
  return { got, rest: d.end() };
}

describe('list decoder', () => {
  const doc = { kind: 'IngressList', apiVersion: 'v1', metadata: { resourceVersion: '42', continue: 'tok"en' }, items };

  it('hands over each item and keeps the rest, cut into chunks at every byte', () => {
    const text = JSON.stringify(doc, null, 1);
    for (let at = 1; at < Buffer.byteLength(text); at += 1) {
      const { got, rest } = decode(text, (b) => [b.subarray(0, at), b.subarray(at)]);
      assert.deepEqual(got, items, `cut at ${at}`);
      assert.deepEqual(rest, { ...doc, items: [] }, `cut at ${at}`);
    }
    const { got } = decode(text, (b) => [...b].map((x) => Buffer.from([x])));
    assert.deepEqual(got, items, 'one byte at a time');
  });

  it('metadata after the items, and no items', () => {
    const after = `{"items":${JSON.stringify(items)},"metadata":{"resourceVersion":"7"}}`;
    assert.deepEqual(decode(after, (b) => [b]), { got: items, rest: { items: [], metadata: { resourceVersion: '7' } } });
    assert.deepEqual(decode('{"metadata":{"resourceVersion":"8"},"items":[]}', (b) => [b]), { got: [], rest: { metadata: { resourceVersion: '8' }, items: [] } });
    assert.deepEqual(decode('{"metadata":{"resourceVersion":"9"},"items":null}', (b) => [b]), { got: [], rest: { metadata: { resourceVersion: '9' }, items: null } });
  });

  it('an unfinished or broken document ends as undefined; an item that is not an object throws', () => {
    assert.equal(decode('{"items":[{"a":1}', (b) => [b]).rest, undefined);
    assert.equal(decode('not json', (b) => [b]).rest, undefined);
    assert.throws(() => decode('{"items":[1]}', (b) => [b]), /not an object/);
    assert.throws(() => decode('{"items":[{"a":tru}]}', (b) => [b]));
  });
});
