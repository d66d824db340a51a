// Envoy must route the paths Sluice's own data plane routes: both normalise them the same way
// (dot-segments removed, slashes merged) unless --no-normalize-path says otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { buildResources } from '../../src/xds/resources.ts';
import { DEFAULT_ADDRESSES } from './helpers.ts';

const snapshot = { version: 1, hash: 'x', listeners: { external: [], local: [] }, ports: [], clusters: [], ingresses: [], tls: [] } as unknown as Snapshot;

function hcmConfigs(normalizePath?: boolean): Array<Record<string, unknown>> {
  const res = buildResources(snapshot, normalizePath === undefined ? DEFAULT_ADDRESSES : { ...DEFAULT_ADDRESSES, normalizePath });
  const out: Array<Record<string, unknown>> = [];
  for (const l of res.listener) {
    const chains = ((l.resource as { filter_chains?: Array<{ filters: Array<{ typed_config: Record<string, unknown> }> }> }).filter_chains ?? []);
    for (const c of chains) for (const f of c.filters) out.push(f.typed_config);
  }
  return out;
}

test('Envoy listeners normalise paths and merge slashes, as the data plane does by default', () => {
  const hcms = hcmConfigs();
  assert.ok(hcms.length >= 2);
  for (const h of hcms) {
    assert.deepEqual(h.normalize_path, { value: true });
    assert.equal(h.merge_slashes, true);
  }
});

test('--no-normalize-path reaches Envoy too', () => {
  for (const h of hcmConfigs(false)) {
    assert.deepEqual(h.normalize_path, { value: false });
    assert.equal(h.merge_slashes, false);
  }
});
