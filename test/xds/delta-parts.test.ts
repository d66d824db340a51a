// A delta answer bigger than a part goes out in several responses, each encoded once for every
// client that is sent it; the client ends up holding everything, and ACKs each part.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { delta, node } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const CLIENTS = 5;
const feed = new SettableFeed();
let server: XdsServer;
const backends = (bPort: number) => [
  { cluster: 'default/a:80', port: 1, percent: 30 },
  { cluster: 'default/b:80', port: bPort, percent: 30 },
  { cluster: 'default/c:80', port: 3, percent: 40 },
];

before(async () => {
  feed.publish(splitSnapshot(1, 'hello.example.com', backends(2)), resultOf(splitSnapshot(1, 'hello.example.com', backends(2))));
  // One byte: every cluster is a part of its own.
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES, deltaPartBytes: 1 });
});
after(() => server.close());

test('a first answer bigger than a part is sent in parts, each encoded once for every client', async () => {
  const clients = Array.from({ length: CLIENTS }, () => delta(server.address));
  try {
    const encoded = server.stats().responsesEncoded;
    const answers = await Promise.all(
      clients.map(async (c, i) => {
        c.send({ node: node(`parts-${i}`), type_url: TypeUrl.cluster });
        const parts = [await c.next(), await c.next(), await c.next()];
        for (const p of parts) c.send({ type_url: TypeUrl.cluster, response_nonce: p.nonce });
        assert.equal(await c.maybeNext(200), undefined, 'nothing after the last part');
        return parts;
      }),
    );
    for (const parts of answers) {
      assert.deepEqual(parts.map((p) => p.resources.length), [1, 1, 1]);
      assert.deepEqual(parts.flatMap((p) => p.resources.map((r) => r.name)).sort(), ['default/a:80', 'default/b:80', 'default/c:80']);
    }
    assert.equal(server.stats().responsesEncoded - encoded, 3, 'three parts, each encoded once for the five clients');
  } finally {
    for (const c of clients) c.close();
  }
});
