// Golden tests: test/fixtures/xds/<scenario>.in.yaml (a Snapshot, optionally listener addresses)
// -> <scenario>.out.yaml (every resource encoded through the Envoy protos and decoded back).
// UPDATE_GOLDEN=1 rewrites the .out.yaml files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { Snapshot } from '../../src/snapshot/types.ts';
import type { ListenerAddresses } from '../../src/xds/common.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { RESOURCE_KINDS } from '../../src/xds/protos.ts';
import { buildResources, encodeResources } from '../../src/xds/resources.ts';
import { DEFAULT_ADDRESSES } from './helpers.ts';

const dir = path.join(import.meta.dirname, '../fixtures/xds');

function render(snapshot: Snapshot, addresses: ListenerAddresses): string {
  const encoded = encodeResources(buildResources(snapshot, addresses));
  const out: Record<string, unknown> = {};
  // VirtualHost resources are VHDS clients' alone (test/xds/vhds.test.ts), never in these tables.
  for (const kind of RESOURCE_KINDS.filter((k) => k !== 'vhost')) {
    out[kind] = [...encoded[kind].values()].map((r) => ({
      name: r.name,
      wildcard: r.wildcard,
      resource: decodeAny(r.any),
    }));
  }
  return stringify(out, { lineWidth: 0 });
}

for (const file of readdirSync(dir).filter((f) => f.endsWith('.in.yaml')).sort()) {
  const scenario = file.slice(0, -'.in.yaml'.length);
  test(`xds golden: ${scenario}`, () => {
    const input = parse(readFileSync(path.join(dir, file), 'utf8')) as { snapshot: Snapshot; addresses?: ListenerAddresses };
    const actual = render(input.snapshot, input.addresses ?? DEFAULT_ADDRESSES);
    const outFile = path.join(dir, `${scenario}.out.yaml`);
    if (process.env.UPDATE_GOLDEN || !existsSync(outFile)) writeFileSync(outFile, actual);
    assert.equal(actual, readFileSync(outFile, 'utf8'));
  });
}
