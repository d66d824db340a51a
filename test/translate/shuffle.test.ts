// Property: the translation does not depend on input order. Every golden scenario's first state is
// merged into one large input (so it also has host conflicts and duplicate objects), then shuffled
// many times with a seeded generator: resource order, rejection order, endpoint order inside
// slices, and key order of header maps. The snapshot hash and the whole result must not change.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Resource, Sourced } from '../../src/api/types.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { loadScenario } from './scenario.ts';
import { mulberry32 } from '../support/prng.ts';

const DIR = join(import.meta.dirname, '../fixtures/translate');


function shuffled<T>(items: readonly T[], rnd: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Rebuilds plain objects with shuffled key order and shuffles arrays where order carries no meaning. */
function scramble(value: unknown, rnd: () => number, unordered: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => scramble(v, rnd, false));
    return unordered ? shuffled(items, rnd) : items;
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  // Arrays whose order means nothing to Kubernetes: slice endpoints and their addresses,
  // Endpoints subsets and addresses. Paths, splits and rules are ordered and stay as they are.
  const UNORDERED = new Set(['endpoints', 'addresses', 'subsets', 'ports']);
  return Object.fromEntries(shuffled(entries, rnd).map(([k, v]) => [k, scramble(v, rnd, UNORDERED.has(k))]));
}

function mergedInput(): SourceState {
  const states = readdirSync(DIR)
    .filter((f) => f.endsWith('.in.yaml'))
    .sort()
    .map((f) => loadScenario(join(DIR, f)).steps[0]);
  return { resources: states.flatMap((s) => s.resources), rejections: states.flatMap((s) => s.rejections) };
}

function shuffledState(state: SourceState, seed: number): SourceState {
  const rnd = mulberry32(seed);
  const resources = shuffled(state.resources, rnd).map((s): Sourced => ({ ...s, resource: scramble(s.resource, rnd, false) as Resource }));
  return { resources, rejections: shuffled(state.rejections, rnd) };
}

test('shuffling the input never changes the translation', () => {
  const base = mergedInput();
  assert.ok(base.resources.length > 40, 'the merged input should be large');
  const expected = translate(new Store().update(base), defaultTranslateOptions);
  assert.ok(expected.snapshot.clusters.length > 10);
  assert.ok(expected.statuses.some((s) => s.conditions.some((c) => c.reason === 'HostConflict')), 'the merged input has host conflicts');
  for (let seed = 1; seed <= 25; seed++) {
    const got = translate(new Store().update(shuffledState(base, seed)), defaultTranslateOptions);
    assert.equal(got.snapshot.hash, expected.snapshot.hash, `seed ${seed}`);
    assert.deepEqual(got, expected, `seed ${seed}`);
  }
});

test('the snapshot hash does change when the content changes', () => {
  const base = mergedInput();
  const before = translate(new Store().update(base), defaultTranslateOptions).snapshot.hash;
  const resources = base.resources.map((s) =>
    s.resource.kind === 'Endpoints' && s.resource.metadata.name === 'web' && s.resource.subsets?.[0]?.addresses?.[0]
      ? { ...s, resource: { ...s.resource, subsets: [{ ...s.resource.subsets[0], addresses: [{ ip: '192.0.2.1' }] }] } }
      : s,
  );
  const after = translate(new Store().update({ ...base, resources }), defaultTranslateOptions).snapshot.hash;
  assert.notEqual(after, before);
});
