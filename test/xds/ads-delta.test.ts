// Incremental (delta) ADS, driven by a raw client: only changed resources are sent, removals
// are named, a reconnecting client is not resent what it holds, NACKs are logged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { delta, node, recordingLog } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot, type Backend } from './helpers.ts';

const QUIET_MS = 300;
const feed = new SettableFeed();
const log = recordingLog();
let server: XdsServer;
let version = 0;
const publish = (backends: Backend[]) => {
  const s = splitSnapshot(++version, 'hello.example.com', backends);
  feed.publish(s, resultOf(s));
};
const A = (port: number): Backend => ({ cluster: 'default/a:80', port, percent: 50 });
const B = (port: number): Backend => ({ cluster: 'default/b:80', port, percent: 50 });

before(async () => {
  publish([A(1), B(2)]);
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES, log });
});
after(() => server.close());

test('delta EDS sends only the changed assignment, and names removed clusters', async () => {
  const c = delta(server.address);
  try {
    c.send({ node: node('delta-1'), type_url: TypeUrl.endpoint, resource_names_subscribe: ['default/a:80', 'default/b:80'] });
    const r1 = await c.next();
    assert.deepEqual(r1.resources.map((r) => r.name).sort(), ['default/a:80', 'default/b:80']);
    c.send({ type_url: TypeUrl.endpoint, response_nonce: r1.nonce });

    publish([A(1), B(3)]);
    const r2 = await c.next();
    assert.deepEqual(r2.resources.map((r) => r.name), ['default/b:80']);
    assert.deepEqual(r2.removed_resources, []);
    c.send({ type_url: TypeUrl.endpoint, response_nonce: r2.nonce });

    publish([{ ...A(1), percent: 100 }]);
    const r3 = await c.next();
    assert.deepEqual(r3.resources, []);
    assert.deepEqual(r3.removed_resources, ['default/b:80']);
    assert.equal(await c.maybeNext(QUIET_MS), undefined);
  } finally {
    c.close();
    publish([A(1), B(2)]);
  }
});

test('a reconnecting delta client is sent only what differs from the versions it holds', async () => {
  const c1 = delta(server.address);
  let held: Record<string, string>;
  try {
    c1.send({ node: node('delta-2'), type_url: TypeUrl.cluster });
    const r = await c1.next();
    assert.deepEqual(r.resources.map((x) => x.name), ['default/a:80', 'default/b:80']);
    held = Object.fromEntries(r.resources.map((x) => [x.name, x.version]));
  } finally {
    c1.close();
  }
  const c2 = delta(server.address);
  try {
    c2.send({ node: node('delta-2'), type_url: TypeUrl.cluster, initial_resource_versions: { ...held, 'default/gone:80': 'x' } });
    const r = await c2.next();
    assert.deepEqual(r.resources, [], 'nothing it holds is resent');
    assert.deepEqual(r.removed_resources, ['default/gone:80']);
  } finally {
    c2.close();
  }
});

test('a delta subscription to a name that does not exist is answered with its removal', async () => {
  const c = delta(server.address);
  try {
    c.send({ node: node('delta-3'), type_url: TypeUrl.route, resource_names_subscribe: ['local', 'nope'] });
    const r = await c.next();
    assert.deepEqual(r.resources.map((x) => x.name), ['local']);
    assert.deepEqual(r.removed_resources, ['nope']);
    c.send({ type_url: TypeUrl.route, response_nonce: r.nonce, error_detail: { code: 3, message: 'route local: no thanks' } });
    assert.equal(await c.maybeNext(QUIET_MS), undefined);
    const warn = log.lines.find((l) => l.level === 'warn' && l.message.includes('no thanks'));
    assert.ok(warn);
    assert.equal((warn.fields as { rejectedVersion: string }).rejectedVersion, r.system_version_info);
    c.send({ type_url: TypeUrl.route, resource_names_unsubscribe: ['local'], resource_names_subscribe: ['external'] });
    const r2 = await c.next();
    assert.deepEqual(r2.resources.map((x) => x.name), ['external']);
    assert.deepEqual(r2.removed_resources, ['local']);
  } finally {
    c.close();
  }
});
