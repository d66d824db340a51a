// Equal strings of different files (apiVersions, kinds, namespaces, addresses) are held once by the
// whole process, not once per file: at 10,000 files the copies were 8.5 MiB of the heap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseConfigText } from '../../src/sources/yaml-docs.ts';
import { parseYAMLFull } from '../../src/sources/yaml-full.ts';
import { interned } from '../../src/sources/yaml-detached.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const FILES = 20_000;
// 200 characters: long enough for its copies to dominate what the test measures
const shared = `shared-${'v'.repeat(186)}-value`;

/** Heap held by FILES parsed files whose `note` is `note(i)`, each file parsed on its own. */
function heldBy(note: (i: number) => string, parse: (text: string) => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: unknown[] = [];
  for (let i = 0; i < FILES; i++) kept.push(parse(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  note: "${note(i)}"\n`));
  gc();
  const held = process.memoryUsage().heapUsed - before;
  assert.equal(kept.length, FILES);
  return held;
}

for (const [reader, parse] of [
  ['the block-style reader', (text: string) => parseConfigText(text, 'f.yaml')],
  ['the full YAML reader', (text: string) => parseYAMLFull(text, 0, interned())],
] as const) {
  test(`${reader}: a string repeated in many files is held once`, () => {
    const unique = heldBy((i) => `${String(i).padStart(7, '0')}${shared.slice(7)}`, parse);
    const same = heldBy(() => shared, parse);
    // FILES copies of a 200-character string are about 4.3 MB
    assert.ok(unique - same > 2.5e6, `held with the string unique per file ${unique}, shared ${same}`);
  });
}
