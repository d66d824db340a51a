// The node-id allow-list on a real xDS server: a client whose node id is not allowed gets
// PERMISSION_DENIED and nothing else (both ADS variants); an allowed one gets everything,
// secrets included.
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { delta, node, recordingLog, sotw } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const HOST = 'hello.example.com';
const SECRET = 'default/hello-tls';
const QUIET_MS = 300;
const feed = new SettableFeed();
const log = recordingLog();
let server: XdsServer;

before(async () => {
  const s = splitSnapshot(1, HOST, [{ cluster: 'default/a:80', port: 1001, percent: 100 }]);
  const tls = [{ name: SECRET, hosts: [HOST], certChain: 'CERT', privateKey: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n' }];
  feed.publish({ ...s, tls }, resultOf({ ...s, tls }));
  server = await startXdsServer({
    address: '127.0.0.1:0',
    feed,
    listenerAddresses: DEFAULT_ADDRESSES,
    log,
    access: { allowNodes: ['envoy-1', 'edge-*'] },
  });
});
after(() => server.close());

test('a state-of-the-world client with a node id not on the list gets PERMISSION_DENIED and nothing else', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('intruder'), type_url: TypeUrl.listener });
    c.send({ type_url: TypeUrl.secret, resource_names: [SECRET] });
    const status = await c.status();
    assert.equal(status.code, grpc.status.PERMISSION_DENIED);
    assert.match(status.details, /node id "intruder" is not allowed/);
    assert.equal(await c.maybeNext(QUIET_MS), undefined, 'no resource was sent');
    assert.ok(log.lines.some((l) => l.level === 'warn' && /intruder/.test(l.message)), 'the refusal is logged');
    assert.equal(server.clients().some((x) => x.node === 'intruder'), false);
  } finally {
    c.close();
  }
});

test('a delta client with a node id not on the list, or with none, gets PERMISSION_DENIED', async () => {
  for (const first of [{ node: node('envoy-2') }, {}]) {
    const c = delta(server.address);
    try {
      c.send({ ...first, type_url: TypeUrl.secret, resource_names_subscribe: [SECRET] });
      assert.equal((await c.status()).code, grpc.status.PERMISSION_DENIED);
      assert.equal(await c.maybeNext(QUIET_MS), undefined);
    } finally {
      c.close();
    }
  }
});

test('allowed clients (an exact id, a prefix match) get listeners, routes, clusters, endpoints and secrets', async () => {
  for (const id of ['envoy-1', 'edge-eu-7']) {
    const c = sotw(server.address);
    try {
      c.send({ node: node(id), type_url: TypeUrl.listener });
      assert.ok((await c.next()).resources.length >= 2);
      c.send({ type_url: TypeUrl.route, resource_names: ['external'] });
      assert.equal((await c.next()).resources.length, 1);
      c.send({ type_url: TypeUrl.cluster });
      assert.equal((await c.next()).resources.length, 1);
      c.send({ type_url: TypeUrl.endpoint, resource_names: ['default/a:80'] });
      assert.equal((await c.next()).resources.length, 1);
      c.send({ type_url: TypeUrl.secret, resource_names: [SECRET] });
      const secret = await c.next();
      assert.equal(secret.type_url, TypeUrl.secret);
      assert.equal(secret.resources.length, 1);
    } finally {
      c.close();
    }
  }
  const d = delta(server.address);
  try {
    d.send({ node: node('edge-2'), type_url: TypeUrl.secret, resource_names_subscribe: [SECRET] });
    assert.deepEqual((await d.next()).resources.map((r) => r.name), [SECRET]);
  } finally {
    d.close();
  }
});
