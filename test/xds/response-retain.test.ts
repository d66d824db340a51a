// Shared responses are held for the tables the server serves now, no longer: a table made from
// another by a change keeps the first as its base, so responses held weakly by table would keep
// every first answer of the first build for the server's life.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import type { ResourceTable } from '../../src/xds/resources.ts';
import { ResponseCache } from '../../src/xds/responses.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { delta, node } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const NAMES = Array.from({ length: 40 }, (_, i) => `default/s${i}:80`);
const feed = new SettableFeed();
let server: XdsServer;

const snapshot = (version: number, port: number): Snapshot =>
  splitSnapshot(
    version,
    'hello.example.com',
    NAMES.map((cluster, i) => ({ cluster, port: i === 0 ? port : 100 + i, percent: i === 0 ? 100 - (NAMES.length - 1) : 1 })),
  );

before(async () => {
  const s = snapshot(1, 1);
  feed.publish(s, resultOf(s));
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES });
});
after(() => server.close());

test('a response cache lets go of the responses of tables no longer served', () => {
  const cache = new ResponseCache();
  const [t1, t2]: ResourceTable[] = [new Map(), new Map()];
  const make = () => ({ version_info: 'v', resources: [], type_url: TypeUrl.cluster, control_plane: { identifier: 'sluice' } });
  const r = cache.sotw(t1, TypeUrl.cluster, 'v', make);
  assert.equal(cache.bytesHeld, r.frame.length);
  cache.retain(new Set([t1, t2]));
  assert.equal(cache.bytesHeld, r.frame.length, 'a table served keeps its responses');
  cache.retain(new Set([t2]));
  assert.equal(cache.bytesHeld, 0);
  cache.sotw(t1, TypeUrl.cluster, 'v', make);
  assert.equal(cache.encoded, 2, 'encoded again once let go');
});

test("after an edit the server holds the change's response, not the replaced table's first answer", async () => {
  const c = delta(server.address);
  try {
    c.send({ node: node('retain'), type_url: TypeUrl.endpoint, resource_names_subscribe: NAMES });
    const first = await c.next();
    assert.equal(first.resources.length, NAMES.length);
    c.send({ type_url: TypeUrl.endpoint, response_nonce: first.nonce });
    const held = server.stats().responseBytesHeld;
    const s = snapshot(2, 2);
    feed.publish(s, resultOf(s));
    const change = await c.next();
    assert.equal(change.resources.length, 1);
    // The first answer (40 assignments) is let go; the change's (1) is held.
    assert.ok(server.stats().responseBytesHeld < held / 4, `${server.stats().responseBytesHeld} bytes held after the edit, ${held} before`);
  } finally {
    c.close();
  }
});
