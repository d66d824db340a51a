// State of the world, route configurations and endpoint assignments: an edit re-sends the resources
// it changed, not every one the client subscribes to (the xDS protocol asks for the whole set only
// for listeners and clusters). A (re)start and a new subscription still get the whole set. Real
// server, real gRPC client on 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Cluster, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { node, sotw } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf } from './helpers.ts';

const feed = new SettableFeed();
let server: XdsServer;

/** `a.example.com` on the external listener only, `b.example.com` on the local one only, each split `a`/`b` percent to one cluster. */
function snapshot(version: number, a: number, b: number): Snapshot {
  const vhost = (host: string, percent: number): VirtualHost => ({
    name: `default/${host}/0`,
    domains: [host],
    ingress: `default/${host}`,
    httpOption: 'Enabled',
    routes: [
      {
        ingress: `default/${host}`,
        path: { type: 'prefix', value: '/' },
        headers: [],
        query: [],
        filters: [],
        splits: [
          { cluster: 'default/x:80', weight: percent, filters: [] },
          { cluster: 'default/y:80', weight: 100 - percent, filters: [] },
        ],
      },
    ],
  });
  const cluster = (name: string): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: 80 }] });
  return {
    version,
    hash: `v${version}`,
    listeners: { external: [vhost('a.example.com', a)], local: [vhost('b.example.com', b)] },
    ports: [],
    clusters: [cluster('default/x:80'), cluster('default/y:80')],
    tls: [],
    ingresses: [],
  };
}

const publish = (version: number, a: number, b: number) => {
  const s = snapshot(version, a, b);
  feed.publish(s, resultOf(s));
};

before(async () => {
  publish(1, 90, 90);
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES });
});
after(() => server.close());

/** Names of the resources a SotW route response carried (field 1 of a RouteConfiguration: its name). */
const names = (r: { resources: readonly { value: Uint8Array | Buffer }[] }) =>
  r.resources.map((any) => {
    const b = any.value;
    return Buffer.from(b.subarray(2, 2 + b[1]!)).toString();
  });

test('an edit of one route configuration re-sends that one alone; a new subscription gets every one', async () => {
  const c = sotw(server.address);
  const ROUTES = ['external', 'local'];
  try {
    c.send({ node: node('partial'), type_url: TypeUrl.route, resource_names: ROUTES });
    let r = await c.next();
    assert.deepEqual(names(r).sort(), ROUTES, 'the first answer holds both');
    const ack = (resource_names: string[]) => c.send({ type_url: TypeUrl.route, resource_names, version_info: r.version_info, response_nonce: r.nonce });
    ack(ROUTES);

    publish(2, 80, 90);
    r = await c.next();
    assert.deepEqual(names(r), ['external'], 'only the route configuration the edit touched');
    ack(ROUTES);

    // Two snapshots before the stream's turn (one push, with the newest): what differs from what it was sent.
    publish(3, 70, 90);
    publish(4, 70, 80);
    r = await c.next();
    assert.deepEqual(names(r).sort(), ROUTES, 'both changed since the last response');
    ack(ROUTES);
    publish(5, 60, 80);
    r = await c.next();
    assert.deepEqual(names(r), ['external']);

    // A new subscription: the whole set it names.
    ack(['local']);
    r = await c.next();
    assert.deepEqual(names(r), ['local']);
    ack(['local']);
    publish(6, 60, 70);
    r = await c.next();
    assert.deepEqual(names(r), ['local']);
    ack(ROUTES);
    r = await c.next();
    assert.deepEqual(names(r).sort(), ROUTES, 'a subscription changed: every route configuration it names');
    // A restart of the type (no nonce): the whole set again.
    c.send({ type_url: TypeUrl.route, resource_names: ROUTES });
    r = await c.next();
    assert.deepEqual(names(r).sort(), ROUTES);
  } finally {
    c.close();
  }
});
