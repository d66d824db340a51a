// The Kubernetes source's `namespace/name` keys are flat strings (keys.ts): kept by the thousands in
// the watch caches, the last push and the references, a template literal's cons string over a new
// `namespace/` string cost about twice the key. Counted as heap bytes held, never timed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heldBy } from '../support/heap-held.ts';
import { kindKey, objectKey } from '../../src/k8s/keys.ts';

const N = 20_000;
const name = (i: number): string => `app-${String(i).padStart(5, '0')}`;

describe('flat keys', () => {
  it('a key over names already held costs one flat string', () => {
    const names = Array.from({ length: N }, (_, i) => `${name(i)}-a-x7k2p`);
    // A flat one-byte string is a 16-byte header and its characters, in 8-byte steps; a cons string
    // (32 bytes) over a new `bench/` (24) was 56 for this 23-character key. 8 bytes a key: the array.
    // What else the heap did meanwhile is within a few bytes a key.
    const flat = (chars: number): number => Math.ceil((16 + chars) / 8) * 8;
    const perKey = heldBy(() => names.map((n) => objectKey('bench', n))) / N - 8;
    assert.ok(perKey <= flat(23) + 6, `${perKey.toFixed(1)} bytes a key`);
    const perKindKey = heldBy(() => names.map((n) => kindKey('EndpointSlice', n))) / N - 8;
    assert.ok(perKindKey <= flat(31) + 6, `${perKindKey.toFixed(1)} bytes a kind key`);
  });
});
