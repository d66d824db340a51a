// State-of-the-world ADS protocol, driven by a raw client over a real gRPC connection:
// versions and nonces, ACK and NACK, subscriptions by name, pushes only on relevant change,
// many clients at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import type { DiscoveryResponse } from '../../src/xds/service.ts';
import { node, recordingLog, sotw } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const HOST = 'hello.example.com';
const QUIET_MS = 300; // how long "nothing is pushed" is watched for

function snap(version: number, ports: { a: number; b: number }, percentA = 80): Snapshot {
  return splitSnapshot(version, HOST, [
    { cluster: 'default/a:80', port: ports.a, percent: percentA },
    { cluster: 'default/b:80', port: ports.b, percent: 100 - percentA },
  ]);
}

const names = (r: DiscoveryResponse) => r.resources.map((a) => String(decodeAny(a).name ?? decodeAny(a).cluster_name));

const feed = new SettableFeed();
const log = recordingLog();
let server: XdsServer;
let version = 1;
const publish = (ports: { a: number; b: number }, percentA = 80) => {
  const s = snap(++version, ports, percentA);
  feed.publish(s, resultOf(s));
};

before(async () => {
  const s = snap(1, { a: 1001, b: 1002 });
  feed.publish(s, resultOf(s));
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES, log });
});
after(() => server.close());

test('a wildcard LDS request gets the Envoy listeners with a version and a nonce, and an ACK gets nothing more', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('envoy-1'), type_url: TypeUrl.listener });
    const r = await c.next();
    assert.equal(r.type_url, TypeUrl.listener);
    assert.deepEqual(names(r), ['external', 'local']); // no TLS certificate, no API listeners
    assert.match(r.version_info, /^[0-9a-f]{16}$/);
    assert.notEqual(r.nonce, '');
    c.send({ type_url: TypeUrl.listener, version_info: r.version_info, response_nonce: r.nonce });
    assert.equal(await c.maybeNext(QUIET_MS), undefined);
  } finally {
    c.close();
  }
});

test('RDS and EDS serve only the names subscribed to, and a new subscription is answered', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('envoy-2'), type_url: TypeUrl.route, resource_names: ['local'] });
    const r1 = await c.next();
    assert.deepEqual(names(r1), ['local']);
    c.send({ type_url: TypeUrl.route, resource_names: ['local', 'external'], version_info: r1.version_info, response_nonce: r1.nonce });
    const r2 = await c.next();
    assert.deepEqual(names(r2), ['external', 'local']);
    assert.notEqual(r2.version_info, r1.version_info);
    assert.notEqual(r2.nonce, r1.nonce);

    c.send({ type_url: TypeUrl.endpoint, resource_names: ['default/a:80'] });
    const e1 = await c.next();
    assert.deepEqual(names(e1), ['default/a:80']);
  } finally {
    c.close();
  }
});

test('a change is pushed only to types and names the client subscribes to', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('envoy-3'), type_url: TypeUrl.endpoint, resource_names: ['default/a:80'] });
    const e1 = await c.next();
    c.send({ type_url: TypeUrl.endpoint, resource_names: ['default/a:80'], version_info: e1.version_info, response_nonce: e1.nonce });
    c.send({ type_url: TypeUrl.listener });
    const l1 = await c.next();
    c.send({ type_url: TypeUrl.listener, version_info: l1.version_info, response_nonce: l1.nonce });

    // b's endpoint moves: this client watches neither b nor anything that changed in listeners.
    publish({ a: 1001, b: 2002 });
    assert.equal(await c.maybeNext(QUIET_MS), undefined);

    // a's endpoint moves: exactly one EDS push with a's new port.
    publish({ a: 2001, b: 2002 });
    const e2 = await c.next();
    assert.equal(e2.type_url, TypeUrl.endpoint);
    assert.notEqual(e2.version_info, e1.version_info);
    const cla = decodeAny(e2.resources[0]!) as { endpoints: Array<{ lb_endpoints: Array<{ endpoint: { address: { socket_address: { port_value: number } } } }> }> };
    assert.equal(cla.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.port_value, 2001);
    assert.equal(await c.maybeNext(QUIET_MS), undefined);
  } finally {
    c.close();
  }
});

test('a NACK is logged with the client error, not answered, and the next change is pushed', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('envoy-nack'), type_url: TypeUrl.cluster });
    const r1 = await c.next();
    c.send({ type_url: TypeUrl.cluster, version_info: r1.version_info, response_nonce: r1.nonce });
    publish({ a: 3001, b: 3002 }, 50);
    // Clusters did not change (only endpoints and routes did): nothing on CDS.
    assert.equal(await c.maybeNext(QUIET_MS), undefined);

    publish({ a: 3001, b: 3002 }, 100); // b has 0 percent now but its cluster stays
    assert.equal(await c.maybeNext(QUIET_MS), undefined);

    // Force a cluster change by renaming: publish a snapshot with a new cluster set.
    const s = splitSnapshot(++version, HOST, [{ cluster: 'default/c:80', port: 3003, percent: 100 }]);
    feed.publish(s, resultOf(s));
    const r2 = await c.next();
    assert.deepEqual(names(r2), ['default/c:80']);
    c.send({
      type_url: TypeUrl.cluster,
      version_info: r1.version_info, // the client keeps its last good version
      response_nonce: r2.nonce,
      error_detail: { code: 3, message: 'cluster default/c:80: bad thing' },
    });
    assert.equal(await c.maybeNext(QUIET_MS), undefined, 'a NACKed version is not resent');
    const warn = log.lines.find((l) => l.level === 'warn' && l.message.includes('bad thing'));
    assert.ok(warn, 'the NACK is logged');
    assert.match(warn.message, /envoy-nack/);
    assert.equal((warn.fields as { rejectedVersion: string }).rejectedVersion, r2.version_info);
    assert.equal((warn.fields as { keptVersion: string }).keptVersion, r1.version_info);
    const status = server.clients().find((x) => x.node === 'envoy-nack');
    assert.deepEqual(status?.types.cluster, { subscribed: ['*'], sent: r2.version_info, acked: r1.version_info, nacked: r2.version_info });
    assert.equal(status?.protocol, 'sotw');

    publish({ a: 3001, b: 3002 });
    const r3 = await c.next();
    assert.deepEqual(names(r3), ['default/a:80', 'default/b:80']);
    c.send({ type_url: TypeUrl.cluster, version_info: r3.version_info, response_nonce: r3.nonce });
    assert.equal(await c.maybeNext(QUIET_MS), undefined);
  } finally {
    c.close();
  }
});

test('a request quoting an old nonce is stale and ignored', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('envoy-stale'), type_url: TypeUrl.route, resource_names: ['local'] });
    const r1 = await c.next();
    c.send({ type_url: TypeUrl.route, resource_names: ['local', 'external'], version_info: r1.version_info, response_nonce: r1.nonce });
    const r2 = await c.next();
    c.send({ type_url: TypeUrl.route, resource_names: ['external-tls'], version_info: r1.version_info, response_nonce: r1.nonce });
    assert.equal(await c.maybeNext(QUIET_MS), undefined);
    c.send({ type_url: TypeUrl.route, resource_names: ['external-tls'], version_info: r2.version_info, response_nonce: r2.nonce });
    assert.deepEqual(names(await c.next()), ['external-tls']);
  } finally {
    c.close();
  }
});

test('a proxyless gRPC client asking for the listener named after a host gets the API listener', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('grpc-1'), type_url: TypeUrl.listener, resource_names: [HOST] });
    const r = await c.next();
    const listener = decodeAny(r.resources[0]!) as { name: string; api_listener?: { api_listener: { rds: { route_config_name: string } } } };
    assert.equal(r.resources.length, 1);
    assert.equal(listener.name, HOST);
    assert.equal(listener.api_listener?.api_listener.rds.route_config_name, HOST);
    c.send({ type_url: TypeUrl.route, resource_names: [HOST] });
    assert.deepEqual(names(await c.next()), [HOST]);
  } finally {
    c.close();
  }
});

test('many clients at once each get the initial config and every push', async () => {
  const clients = Array.from({ length: 20 }, () => sotw(server.address));
  try {
    const first = await Promise.all(
      clients.map((c, i) => {
        c.send({ node: node(`envoy-many-${i}`), type_url: TypeUrl.endpoint, resource_names: ['default/a:80'] });
        return c.next();
      }),
    );
    clients.forEach((c, i) => c.send({ type_url: TypeUrl.endpoint, resource_names: ['default/a:80'], version_info: first[i]!.version_info, response_nonce: first[i]!.nonce }));
    publish({ a: 4001, b: 4002 });
    const pushed = await Promise.all(clients.map((c) => c.next()));
    assert.equal(new Set(pushed.map((r) => r.version_info)).size, 1, 'the same content has the same version everywhere');
    assert.equal(new Set(pushed.map((r) => r.nonce)).size >= 1, true);
    for (const r of pushed) assert.notEqual(r.version_info, first[0]!.version_info);
  } finally {
    for (const c of clients) c.close();
  }
});

test('a snapshot whose resources fail to encode is logged and not served; clients keep the last good one', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('envoy-bad'), type_url: TypeUrl.endpoint, resource_names: ['default/a:80'] });
    const r1 = await c.next();
    c.send({ type_url: TypeUrl.endpoint, resource_names: ['default/a:80'], version_info: r1.version_info, response_nonce: r1.nonce });
    publish({ a: 70000, b: 4002 }); // not a port: fails the proto's validate rule
    assert.equal(await c.maybeNext(QUIET_MS), undefined);
    assert.ok(log.lines.some((l) => l.level === 'error' && /not served/.test(l.message)));
    const err = log.lines.find((l) => l.level === 'error')!.fields as { err: Error };
    assert.match(err.err.message, /port_value: must be <= 65535/);
  } finally {
    c.close();
  }
});

test('a client that connects before the first snapshot is answered when it arrives', async () => {
  const empty = new SettableFeed();
  const s = await startXdsServer({ address: '127.0.0.1:0', feed: empty, listenerAddresses: DEFAULT_ADDRESSES });
  const c = sotw(s.address);
  try {
    c.send({ node: node('early'), type_url: TypeUrl.cluster });
    assert.equal(await c.maybeNext(QUIET_MS), undefined);
    const snapshot = snap(1, { a: 1, b: 2 });
    empty.publish(snapshot, resultOf(snapshot));
    assert.deepEqual(names(await c.next()), ['default/a:80', 'default/b:80']);
  } finally {
    c.close();
    await s.close();
  }
});

test('unusable addresses are refused with a clear error', async () => {
  await assert.rejects(
    startXdsServer({ address: 'nonsense', feed, listenerAddresses: DEFAULT_ADDRESSES }),
    { code: 'SLUICE_ERR_BAD_FLAG', message: /--xds: "nonsense" is not host:port/ },
  );
  await assert.rejects(
    startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: { ...DEFAULT_ADDRESSES, localAddress: '8081' } }),
    { code: 'SLUICE_ERR_BAD_FLAG', message: /localAddress/ },
  );
  await assert.rejects(
    startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: { ...DEFAULT_ADDRESSES, localAddress: '127.0.0.1:8080' } }),
    { code: 'SLUICE_ERR_BAD_FLAG', message: 'externalAddress and localAddress both use port 8080' },
  );
  const taken = server.address;
  await assert.rejects(startXdsServer({ address: taken, feed, listenerAddresses: DEFAULT_ADDRESSES }), {
    code: 'SLUICE_ERR_LISTEN',
  });
});

test('closing the server ends every client stream', async () => {
  const own = new SettableFeed();
  const first = snap(1, { a: 1, b: 2 });
  own.publish(first, resultOf(first));
  const s = await startXdsServer({ address: '127.0.0.1:0', feed: own, listenerAddresses: DEFAULT_ADDRESSES });
  const clients = [sotw(s.address), sotw(s.address)];
  try {
    for (const c of clients) c.send({ node: node('closing'), type_url: TypeUrl.cluster });
    await Promise.all(clients.map((c) => c.next()));
    assert.equal(s.clients().length, 2);
    await s.close();
    const deadline = Date.now() + 5000;
    while (!clients.every((c) => c.ended) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(clients.every((c) => c.ended));
    assert.equal(s.clients().length, 0);
  } finally {
    for (const c of clients) c.close();
    await s.close();
  }
});
