// VHDS for delta ADS clients that opt in (node metadata `sluice.vhds: true`): each Envoy listener's
// route configuration names VHDS over ADS instead of holding its virtual hosts, and the virtual
// hosts travel one resource each (`<route configuration>/<first domain>`), so an edit of one app
// sends that app's virtual hosts alone. The raw client below speaks as Envoy does
// (source/common/router/vhds.cc, watch_map.cc): a first VirtualHost request naming nothing, ACKs
// by nonce, removals by resource name, which must equal the VirtualHost's own name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Cluster, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';
import { decodeAny, encodeMessage } from '../../src/xds/encode.ts';
import { withLeadingString } from '../../src/xds/wire.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import type { DeltaDiscoveryResponse } from '../../src/xds/service.ts';
import { delta, node, recordingLog, sotw } from './ads-client.ts';
import type { XdsLog } from '../../src/xds/log.ts';
import { DEFAULT_ADDRESSES, resultOf } from './helpers.ts';

const VIRTUAL_HOST = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';
const ROUTES = ['external', 'external-tls', 'local'];
const QUIET_MS = 300;
const vhdsNode = (id: string) => ({ ...node(id), metadata: { fields: { 'sluice.vhds': { boolValue: true } } } });

/** `apps` Knative-like apps `app-<i>.example.com`, each on the external and local listeners; `port` of app 1 varies. */
function appsSnapshot(version: number, apps: number, { port = 1, without = -1 } = {}): Snapshot {
  const vhosts: VirtualHost[] = [];
  const clusters: Cluster[] = [];
  const ingresses: Snapshot['ingresses'][number][] = [];
  for (let i = 0; i < apps; i++) {
    if (i === without) continue;
    const host = `app-${i}.example.com`;
    const cluster = `default/app-${i}:80`;
    vhosts.push({
      name: `default/${host}/0`,
      domains: [host],
      ingress: `default/app-${i}`,
      httpOption: 'Enabled',
      routes: [{ ingress: `default/app-${i}`, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits: [{ cluster, weight: 100, filters: [] }] }],
    });
    clusters.push({ name: cluster, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: i === 1 ? port : 1 }] });
    ingresses.push({ key: `default/app-${i}`, namespace: 'default', name: `app-${i}`, hash: `hash-${i}-${i === 1 ? port : 1}`, httpOption: 'Enabled', externalHosts: [host], localHosts: [host] });
  }
  return { version, hash: `v${version}`, listeners: { external: vhosts, local: vhosts }, ports: [], clusters, tls: [], ingresses };
}

async function serving(apps: number, run: (server: XdsServer, publish: (s: Snapshot) => void) => Promise<void>, log?: XdsLog): Promise<void> {
  const feed = new SettableFeed();
  const publish = (s: Snapshot) => feed.publish(s, resultOf(s));
  publish(appsSnapshot(1, apps));
  const server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES, log });
  try {
    await run(server, publish);
  } finally {
    await server.close();
  }
}

type DeltaClient = ReturnType<typeof delta>;

/** Subscribes as Envoy does with VHDS over delta ADS, and returns the route configurations and virtual hosts it got. */
async function envoyWithVhds(c: DeltaClient, id: string): Promise<{ routes: DeltaDiscoveryResponse; vhosts: DeltaDiscoveryResponse }> {
  c.send({ node: vhdsNode(id), type_url: TypeUrl.route, resource_names_subscribe: ROUTES });
  const routes = await c.next();
  assert.equal(routes.type_url, TypeUrl.route);
  c.send({ type_url: TypeUrl.route, response_nonce: routes.nonce });
  // Envoy's first VHDS request names nothing (a wildcard): the server sends every virtual host.
  c.send({ type_url: VIRTUAL_HOST });
  const vhosts = await c.next();
  assert.equal(vhosts.type_url, VIRTUAL_HOST);
  c.send({ type_url: VIRTUAL_HOST, response_nonce: vhosts.nonce });
  return { routes, vhosts };
}

const bytesOf = (r: DeltaDiscoveryResponse) => r.resources.reduce((n, x) => n + (x.resource?.value.length ?? 0), 0);

test('a delta client that opts in gets route configurations naming VHDS over ADS, and every virtual host under its configuration', async () => {
  await serving(3, async (server) => {
    const c = delta(server.address);
    try {
      const { routes, vhosts } = await envoyWithVhds(c, 'vhds-1');
      assert.deepEqual(routes.resources.map((r) => r.name).sort(), [...ROUTES].sort());
      for (const r of routes.resources) {
        const rc = decodeAny(r.resource) as { vhds?: { config_source?: { ads?: object } }; virtual_hosts?: unknown[] };
        assert.ok(rc.vhds?.config_source?.ads, `${r.name} loads its virtual hosts over ADS`);
        assert.equal(rc.virtual_hosts?.length ?? 0, 0, `${r.name} holds no virtual host itself`);
      }
      const names = vhosts.resources.map((r) => r.name).sort();
      assert.deepEqual(names, ROUTES.flatMap((rc) => [0, 1, 2].map((i) => `${rc}/app-${i}.example.com`)).sort());
      for (const r of vhosts.resources) {
        assert.equal(r.resource.type_url, VIRTUAL_HOST);
        const vh = decodeAny(r.resource) as { name: string; domains: string[] };
        // Envoy keys VHDS virtual hosts by their own name and removes them by resource name.
        assert.equal(vh.name, r.name);
      }
      assert.equal(await c.maybeNext(QUIET_MS), undefined);
    } finally {
      c.close();
    }
  });
});

async function editBytes(apps: number): Promise<{ names: string[]; bytes: number }> {
  let out = { names: [] as string[], bytes: 0 };
  await serving(apps, async (server, publish) => {
    const c = delta(server.address);
    try {
      await envoyWithVhds(c, `vhds-${apps}`);
      publish(appsSnapshot(2, apps, { port: 2 }));
      const r = await c.next();
      assert.equal(r.type_url, VIRTUAL_HOST, 'only virtual hosts are sent: the route configurations did not change');
      assert.deepEqual(r.removed_resources, []);
      c.send({ type_url: VIRTUAL_HOST, response_nonce: r.nonce });
      assert.equal(await c.maybeNext(QUIET_MS), undefined);
      out = { names: r.resources.map((x) => x.name).sort(), bytes: bytesOf(r) };
    } finally {
      c.close();
    }
  });
  return out;
}

test("an edit of one app sends that app's virtual hosts alone, the same bytes whatever the number of apps", async () => {
  const small = await editBytes(3);
  const big = await editBytes(60);
  assert.deepEqual(small.names, ROUTES.map((rc) => `${rc}/app-1.example.com`).sort());
  assert.deepEqual(big.names, small.names);
  assert.equal(big.bytes, small.bytes);
  assert.ok(small.bytes < 3000, `${small.bytes} bytes`);
});

test("a removed app's virtual hosts are named in removed_resources", async () => {
  await serving(3, async (server, publish) => {
    const c = delta(server.address);
    try {
      await envoyWithVhds(c, 'vhds-rm');
      publish(appsSnapshot(2, 3, { without: 2 }));
      let r = await c.next();
      // The cluster and its assignment go too; the client subscribed to neither, so only virtual hosts come.
      while (r.type_url !== VIRTUAL_HOST) r = await c.next();
      assert.deepEqual(r.resources, []);
      assert.deepEqual(r.removed_resources, ROUTES.map((rc) => `${rc}/app-2.example.com`).sort());
    } finally {
      c.close();
    }
  });
});

test("a VirtualHost subscription naming a route configuration gets that configuration's virtual hosts only", async () => {
  await serving(2, async (server) => {
    const c = delta(server.address);
    try {
      c.send({ node: vhdsNode('vhds-ns'), type_url: VIRTUAL_HOST, resource_names_subscribe: ['local'] });
      const r = await c.next();
      assert.deepEqual(r.resources.map((x) => x.name).sort(), ['local/app-0.example.com', 'local/app-1.example.com']);
    } finally {
      c.close();
    }
  });
});

test('an on-demand request for a host no virtual host serves is answered with the name as an alias and no resource', async () => {
  await serving(2, async (server) => {
    const c = delta(server.address);
    try {
      await envoyWithVhds(c, 'vhds-od');
      c.send({ type_url: VIRTUAL_HOST, resource_names_subscribe: ['external/nope.example.com:8080'] });
      const r = await c.next();
      assert.equal(r.resources.length, 1);
      const [x] = r.resources as readonly { name: string; aliases?: readonly string[]; resource: unknown }[];
      assert.equal(x!.name, 'external/nope.example.com:8080');
      assert.deepEqual(x!.aliases, ['external/nope.example.com:8080']);
      assert.equal(x!.resource, null);
    } finally {
      c.close();
    }
  });
});

test('clients that did not opt in, or speak state of the world, get whole route configurations as before', async () => {
  await serving(2, async (server) => {
    const d = delta(server.address);
    const s = sotw(server.address);
    try {
      d.send({ node: node('plain-delta'), type_url: TypeUrl.route, resource_names_subscribe: ['external'] });
      const dr = await d.next();
      s.send({ node: vhdsNode('vhds-sotw'), type_url: TypeUrl.route, resource_names: ['external'] });
      const sr = await s.next();
      for (const any of [dr.resources[0]!.resource, sr.resources[0]!]) {
        const rc = decodeAny(any) as { vhds?: unknown; virtual_hosts?: unknown[] };
        assert.equal(rc.vhds ?? undefined, undefined);
        assert.equal(rc.virtual_hosts?.length, 2);
      }
    } finally {
      d.close();
      s.close();
    }
  });
});

test("a NACKed virtual host is logged with the client's reason and not sent again until it changes", async () => {
  const log = recordingLog();
  await serving(
    2,
    async (server, publish) => {
      const c = delta(server.address);
      try {
        await envoyWithVhds(c, 'vhds-nack');
        publish(appsSnapshot(2, 2, { port: 2 }));
        const r = await c.next();
        assert.equal(r.type_url, VIRTUAL_HOST);
        c.send({ type_url: VIRTUAL_HOST, response_nonce: r.nonce, error_detail: { code: 13, message: 'vhds: no thanks' } });
        assert.equal(await c.maybeNext(QUIET_MS), undefined, 'the rejected content is not resent');
        assert.ok(log.lines.some((l) => l.level === 'warn' && l.message.includes('vhds: no thanks')));
        publish(appsSnapshot(3, 2, { port: 3 }));
        const again = await c.next();
        assert.deepEqual(again.resources.map((x) => x.name).sort(), ROUTES.map((rc) => `${rc}/app-1.example.com`).sort());
      } finally {
        c.close();
      }
    },
    log,
  );
});

test('an on-demand request for a virtual host the client holds is answered again, with the name as an alias', async () => {
  await serving(2, async (server) => {
    const c = delta(server.address);
    try {
      await envoyWithVhds(c, 'vhds-od-held');
      c.send({ type_url: VIRTUAL_HOST, resource_names_subscribe: ['external/app-0.example.com'] });
      const r = await c.next();
      const [x] = r.resources;
      assert.equal(r.resources.length, 1);
      assert.equal(x!.name, 'external/app-0.example.com');
      assert.deepEqual(x!.aliases, ['external/app-0.example.com']);
      assert.equal((decodeAny(x!.resource) as { name: string }).name, 'external/app-0.example.com');
    } finally {
      c.close();
    }
  });
});

test('a virtual host renamed on the wire has the bytes of one encoded with the new name', () => {
  const vhost = { domains: ['a.example.com'], routes: [{ match: { prefix: '/' }, direct_response: { status: 200 } }] };
  const type = 'envoy.config.route.v3.VirtualHost';
  const long = 'external/' + 'a'.repeat(200) + '.example.com';
  for (const [from, to] of [['default/a/0', 'external/a.example.com'], ['x', long], [long, 'y']]) {
    const renamed = withLeadingString(encodeMessage(type, { name: from, ...vhost }), 1, to!);
    assert.deepEqual(renamed, Buffer.from(encodeMessage(type, { name: to!, ...vhost })));
  }
});
