// The xDS server says which functions Envoy cannot serve as the data plane does: one warning per
// function when the snapshot brings it, not again while nothing about it changes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionBinding } from '../../src/functions/types.ts';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { startXdsServer } from '../../src/xds/server.ts';
import { recordingLog } from './ads-client.ts';
import { DEFAULT_ADDRESSES, irRoute, irSnapshot, resultOf } from './helpers.ts';

const rest: FunctionBinding = { name: 'pets', cluster: 'default/a:80', call: { type: 'rest', function: 'findPets', template: { headers: [], body: { type: 'passthrough' } }, parameters: { headers: [] } } };

function withPets(version: number): Snapshot {
  return { ...irSnapshot([irRoute({ splits: [{ weight: 1, filters: [], function: 'pets' }] })]), version, hash: `h${version}`, functions: [rest] };
}

test('the xDS server warns once about each function Envoy cannot serve', async () => {
  const feed = new SettableFeed();
  const log = recordingLog();
  const server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES, log });
  try {
    feed.publish(withPets(1), resultOf(withPets(1)));
    feed.publish(withPets(2), resultOf(withPets(2)));
    const warnings = log.lines.filter((l) => l.level === 'warn' && (l.fields as { function?: string }).function === 'pets');
    assert.equal(warnings.length, 1, JSON.stringify(log.lines));
    assert.match(warnings[0]!.message, /Envoy/);
    assert.match(String((warnings[0]!.fields as { problem?: string }).problem), /forwarded to the cluster unchanged/);
  } finally {
    await server.close();
  }
});
