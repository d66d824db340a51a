// A delta stream in step with the server's tables keeps no per-resource map of what its client
// holds (it holds what the table it was last sent selects), yet every change, unsubscription and
// reconnection still sends exactly the difference. Real server, real gRPC clients.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { delta, node } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const NAMES = ['default/a:80', 'default/b:80', 'default/c:80'];
const feed = new SettableFeed();
let server: XdsServer;

const snapshot = (version: number, bPort: number): Snapshot =>
  splitSnapshot(version, 'hello.example.com', [
    { cluster: NAMES[0]!, port: 1, percent: 30 },
    { cluster: NAMES[1]!, port: bPort, percent: 30 },
    { cluster: NAMES[2]!, port: 3, percent: 40 },
  ]);

before(async () => {
  const s = snapshot(1, 2);
  feed.publish(s, resultOf(s));
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES });
});
after(() => server.close());

test('delta streams in step keep no resource names, and are still sent only what differs', async () => {
  const clients = Array.from({ length: 4 }, () => delta(server.address));
  const c = clients[0]!;
  const versions = new Map<string, string>();
  try {
    await Promise.all(
      clients.map(async (client, i) => {
        client.send({ node: node(`held-${i}`), type_url: TypeUrl.endpoint, resource_names_subscribe: NAMES });
        const r = await client.next();
        assert.equal(r.resources.length, 3);
        if (i === 0) for (const x of r.resources) versions.set(x.name, x.version);
        client.send({ type_url: TypeUrl.cluster });
        const clusters = await client.next();
        assert.equal(clusters.resources.length, 3);
      }),
    );
    assert.equal(server.stats().namesKept, 0, 'no stream keeps a map of the 6 names it holds');

    const s = snapshot(2, 9);
    feed.publish(s, resultOf(s));
    const changes = await Promise.all(clients.map((client) => client.next()));
    for (const r of changes) assert.deepEqual(r.resources.map((x) => x.name), ['default/b:80']);

    // An unsubscription is answered with the name's removal, nothing else.
    c.send({ type_url: TypeUrl.endpoint, response_nonce: changes[0]!.nonce, resource_names_unsubscribe: ['default/c:80'] });
    const gone = await c.next();
    assert.deepEqual([gone.resources.length, gone.removed_resources], [0, ['default/c:80']]);
    const s3 = snapshot(3, 10);
    feed.publish(s3, resultOf(s3));
    const next = await c.next();
    assert.deepEqual(next.resources.map((x) => x.name), ['default/b:80']);
    assert.equal(server.stats().namesKept, 0);
  } finally {
    for (const client of clients) client.close();
  }

  // A reconnecting client holding the first versions is sent only the one that changed since.
  const again = delta(server.address);
  try {
    again.send({ node: node('held-again'), type_url: TypeUrl.endpoint, resource_names_subscribe: NAMES, initial_resource_versions: Object.fromEntries(versions) });
    const r = await again.next();
    assert.deepEqual(r.resources.map((x) => x.name), ['default/b:80']);
    assert.deepEqual(r.removed_resources, []);
    assert.equal(server.stats().namesKept, 0);
  } finally {
    again.close();
  }
});
