// Fan-out: a snapshot change is encoded into one response per resource type and subscription,
// shared by every client stream that subscribes to the same names, whatever the number of
// clients; delta clients get only the changed resources. Real server, real gRPC clients.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { ResponseCache } from '../../src/xds/responses.ts';
import { adsServiceDefinition } from '../../src/xds/service.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { delta, node, sotw } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const CLIENTS = 12;
const feed = new SettableFeed();
let server: XdsServer;

function snapshot(version: number, bPort: number): Snapshot {
  return splitSnapshot(version, 'hello.example.com', [
    { cluster: 'default/a:80', port: 1, percent: 30 },
    { cluster: 'default/b:80', port: bPort, percent: 30 },
    { cluster: 'default/c:80', port: 3, percent: 40 },
  ]);
}

before(async () => {
  const s = snapshot(1, 2);
  feed.publish(s, resultOf(s));
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES });
});
after(() => server.close());

test('one endpoint change is encoded once for every SotW client and once for every delta client', async () => {
  const names = ['default/a:80', 'default/b:80', 'default/c:80'];
  const sotws = Array.from({ length: CLIENTS }, () => sotw(server.address));
  const deltas = Array.from({ length: CLIENTS }, () => delta(server.address));
  try {
    const nonces = await Promise.all(
      sotws.map(async (c, i) => {
        c.send({ node: node(`sotw-${i}`), type_url: TypeUrl.endpoint, resource_names: names });
        const r = await c.next();
        assert.equal(r.resources.length, 3);
        c.send({ type_url: TypeUrl.endpoint, resource_names: names, version_info: r.version_info, response_nonce: r.nonce });
        return r.version_info;
      }),
    );
    await Promise.all(
      deltas.map(async (c, i) => {
        c.send({ node: node(`delta-${i}`), type_url: TypeUrl.endpoint, resource_names_subscribe: names });
        const r = await c.next();
        assert.equal(r.resources.length, 3);
        c.send({ type_url: TypeUrl.endpoint, response_nonce: r.nonce });
      }),
    );
    const before = server.stats().responsesEncoded;
    const s = snapshot(2, 9);
    feed.publish(s, resultOf(s));
    const sotwAnswers = await Promise.all(sotws.map((c) => c.next()));
    const deltaAnswers = await Promise.all(deltas.map((c) => c.next()));
    for (const r of sotwAnswers) {
      // Endpoint assignments are asked for by name: only the changed one is sent again (sotw.ts).
      assert.equal(r.resources.length, 1);
      assert.notEqual(r.version_info, nonces[0]);
    }
    for (const r of deltaAnswers) assert.deepEqual(r.resources.map((x) => x.name), ['default/b:80']);
    assert.equal(server.stats().responsesEncoded - before, 2, 'one SotW body and one delta body for all clients');
    // The nonce is part of the shared bytes: every client of a kind got the very same message.
    assert.equal(new Set(sotwAnswers.map((r) => r.nonce)).size, 1, 'one SotW nonce');
    assert.equal(new Set(deltaAnswers.map((r) => r.nonce)).size, 1, 'one delta nonce');
    assert.equal(server.stats().responsesCopied, 0, 'no stream copied a shared response');
  } finally {
    for (const c of [...sotws, ...deltas]) c.close();
  }
});

test('delta clients subscribing alike share one encoded first answer, whatever their number', async () => {
  const deltas = Array.from({ length: CLIENTS }, () => delta(server.address));
  try {
    const before = server.stats().responsesEncoded;
    const answers = await Promise.all(
      deltas.map(async (c, i) => {
        c.send({ node: node(`first-${i}`), type_url: TypeUrl.cluster });
        return c.next();
      }),
    );
    for (const r of answers) assert.deepEqual(r.resources.map((x) => x.name).sort(), ['default/a:80', 'default/b:80', 'default/c:80']);
    assert.equal(server.stats().responsesEncoded - before, 1, 'one first answer encoded for every client subscribed alike');
    assert.equal(new Set(answers.map((r) => r.nonce)).size, 1, 'the very same message');
  } finally {
    for (const c of deltas) c.close();
  }
});

test('an encoded response is written as its shared bytes, not copied per client', () => {
  const responses = new ResponseCache();
  const table = new Map();
  const r = responses.delta(table, 'k', () => ({ system_version_info: 'v', resources: [], type_url: TypeUrl.cluster, removed_resources: ['a'] }));
  for (const method of ['DeltaAggregatedResources', 'StreamAggregatedResources']) {
    const out = adsServiceDefinition()[method]!.responseSerialize(r);
    assert.equal(out.buffer, r.body.buffer, `${method}: the same memory`);
    assert.equal(out.byteOffset, r.body.byteOffset);
    assert.equal(out.length, r.body.length);
  }
  assert.equal(responses.delta(table, 'k', () => assert.fail('encoded twice')), r, 'the same response for the same table and key');
});

test('a stream sent the same shared response again gets a fresh nonce for it', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('again'), type_url: TypeUrl.endpoint, resource_names: ['default/a:80'] });
    const r1 = await c.next();
    // A request without a nonce restarts the type: the same content again, under a new nonce.
    c.send({ type_url: TypeUrl.endpoint, resource_names: ['default/a:80'] });
    const r2 = await c.next();
    assert.equal(r2.version_info, r1.version_info);
    assert.notEqual(r2.nonce, r1.nonce);
    c.send({ type_url: TypeUrl.endpoint, resource_names: ['default/a:80'], version_info: r2.version_info, response_nonce: r2.nonce });
    await assert.rejects(c.next(300), /within/, 'the ACK of the fresh nonce is accepted, nothing more sent');
  } finally {
    c.close();
  }
});
