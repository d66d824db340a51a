// The xDS server's resource cache: a snapshot with one changed route re-translates and re-encodes
// only what that route touches, versions move only for resources whose bytes change, and the
// resources of removed objects leave the cache. Counted, never timed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { Cluster, IngressInfo, Snapshot, TlsCertificate, VirtualHost } from '../../src/snapshot/types.ts';
import type { ListenerAddresses } from '../../src/xds/common.ts';
import { RESOURCE_KINDS } from '../../src/xds/protos.ts';
import { XdsResourceCache } from '../../src/xds/resource-cache.ts';
import { buildResources, encodeResources, type EncodedResources } from '../../src/xds/resources.ts';
import { DEFAULT_ADDRESSES } from './helpers.ts';

const N = 2000;

function ingress(i: number, prefix = '/'): { vhost: VirtualHost; cluster: Cluster; info: IngressInfo; cert: TlsCertificate } {
  const key = `ns/app-${i}`;
  const host = `app-${i}.example.com`;
  const cluster: Cluster = { name: `ns/app-${i}:80`, protocol: 'http1', type: 'static', endpoints: [{ address: `10.0.${i >> 8}.${i & 255}`, port: 8080 }] };
  const vhost: VirtualHost = {
    name: `${key}/0`,
    domains: [host],
    ingress: key,
    httpOption: 'Enabled',
    routes: [{ ingress: key, path: { type: 'prefix', value: prefix }, headers: [], query: [], filters: [], splits: [{ cluster: cluster.name, weight: 100, filters: [] }] }],
  };
  const info: IngressInfo = { key, namespace: 'ns', name: `app-${i}`, hash: `h${i}`, httpOption: 'Enabled', externalHosts: [host], localHosts: [] };
  const cert: TlsCertificate = { name: `ns/tls-${i}`, hosts: [host], certChain: 'CHAIN', privateKey: 'KEY' };
  return { vhost, cluster, info, cert };
}

function snapshotOf(version: number, parts: ReturnType<typeof ingress>[]): Snapshot {
  const byName = <T extends { name: string }>(xs: T[]) => xs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    version,
    hash: `v${version}`,
    listeners: { external: byName(parts.map((p) => p.vhost)), local: [] },
    ports: [],
    clusters: byName(parts.map((p) => p.cluster)),
    tls: byName(parts.filter((_, i) => i % 10 === 0).map((p) => p.cert)),
    ingresses: parts.map((p) => p.info).sort((a, b) => (a.key < b.key ? -1 : 1)),
  };
}

function versions(r: EncodedResources): Map<string, string> {
  const out = new Map<string, string>();
  for (const kind of RESOURCE_KINDS) for (const [name, e] of r[kind]) out.set(`${kind} ${name}`, e.hash);
  return out;
}

test('a one-route edit at 2,000 routes re-translates and re-encodes only the virtual hosts that route is in', () => {
  const parts = Array.from({ length: N }, (_, i) => ingress(i));
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  const first = cache.build(snapshotOf(1, parts));
  const before = { ...cache.stats };
  assert.ok(before.translated >= N, `the first build translates everything (${before.translated})`);

  // Ingress 7's route changes its path: a new IR virtual host; every other object is shared.
  const edited = [...parts];
  edited[7] = { ...parts[7]!, vhost: ingress(7, '/v2').vhost };
  const second = cache.build(snapshotOf(2, edited));
  const translated = cache.stats.translated - before.translated;
  const encoded = cache.stats.encoded - before.encoded;
  // external and external-tls each hold the virtual host; the proxyless client's per-host route configuration too.
  assert.ok(translated <= 3, `re-translated ${translated} units`);
  assert.ok(encoded <= 3 + 3 * 2 + 6, `re-encoded ${encoded} messages`);

  const [a, b] = [versions(first), versions(second)];
  const moved = [...b].filter(([k, h]) => a.get(k) !== h).map(([k]) => k).sort();
  assert.deepEqual(moved, ['route app-7.example.com', 'route external', 'route external-tls']);
  // Kinds with nothing changed keep their very table, so per-table answers stay cached.
  assert.equal(second.cluster, first.cluster);
  assert.equal(second.endpoint, first.endpoint);
  assert.equal(second.secret, first.secret);
  assert.equal(second.route.get('app-8.example.com'), first.route.get('app-8.example.com'));
});

test('new IR objects with the same content keep every resource version and table', () => {
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  const parts = Array.from({ length: 50 }, (_, i) => ingress(i));
  const first = cache.build(snapshotOf(1, parts));
  const second = cache.build(snapshotOf(2, Array.from({ length: 50 }, (_, i) => ingress(i))));
  for (const kind of RESOURCE_KINDS) assert.equal(second[kind], first[kind], `${kind} table`);
});

test('a removed ingress leaves the cache with its virtual host, cluster and secret', () => {
  const parts = Array.from({ length: 30 }, (_, i) => ingress(i));
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  cache.build(snapshotOf(1, parts));
  const gone = parts[10]!;
  assert.ok(cache.holds(gone.vhost) && cache.holds(gone.cluster) && cache.holds(gone.cert));
  const size = cache.size();
  const out = cache.build(snapshotOf(2, parts.filter((p) => p !== gone)));
  assert.ok(!cache.holds(gone.vhost), 'virtual host');
  assert.ok(!cache.holds(gone.cluster), 'cluster');
  assert.ok(!cache.holds(gone.cert), 'secret');
  assert.ok(cache.size() < size, `${cache.size()} < ${size}`);
  assert.ok(!out.cluster.has(gone.cluster.name) && !out.route.has('app-10.example.com') && !out.listener.has('app-10.example.com'));
});

test('a snapshot that cannot be encoded leaves the cache serving the last good one', () => {
  const parts = Array.from({ length: 5 }, (_, i) => ingress(i));
  const cache = new XdsResourceCache(DEFAULT_ADDRESSES);
  const good = cache.build(snapshotOf(1, parts));
  const bad = [...parts];
  bad[2] = { ...parts[2]!, cluster: { ...parts[2]!.cluster, endpoints: [{ address: '10.0.0.1', port: 99999999 }] } };
  assert.throws(() => cache.build(snapshotOf(2, bad)), /SLUICE_ERR_XDS|port_value/);
  const again = cache.build(snapshotOf(3, parts));
  for (const kind of RESOURCE_KINDS) assert.equal(again[kind], good[kind], `${kind} table`);
});

const fixtures = path.join(import.meta.dirname, '../fixtures/xds');
test('the cache encodes every golden scenario byte for byte as a full encode does', () => {
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.in.yaml')).sort()) {
    const input = parse(readFileSync(path.join(fixtures, file), 'utf8')) as { snapshot: Snapshot; addresses?: ListenerAddresses };
    const addresses = input.addresses ?? DEFAULT_ADDRESSES;
    const full = encodeResources(buildResources(input.snapshot, addresses));
    const cached = new XdsResourceCache(addresses).build(input.snapshot);
    for (const kind of RESOURCE_KINDS) {
      assert.deepEqual([...cached[kind].keys()].sort(), [...full[kind].keys()].sort(), `${file} ${kind} names`);
      for (const [name, r] of full[kind]) {
        const c = cached[kind].get(name)!;
        assert.ok(Buffer.from(c.any.value).equals(Buffer.from(r.any.value)), `${file} ${kind} ${name} bytes`);
        assert.equal(c.any.type_url, r.any.type_url);
        assert.equal(c.wildcard, r.wildcard, `${file} ${kind} ${name} wildcard`);
      }
    }
  }
});
