// compileRouter reuses compiled virtual hosts across snapshots, but never stale ones.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRouter } from '../../src/proxy/router.ts';
import type { Cluster, IngressInfo, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';

const cluster = (name: string, port: number): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port }] });
const vhost = (host: string, clusterName: string): VirtualHost => ({
  name: `default/${host}/0`,
  domains: [host],
  ingress: `default/${host}`,
  httpOption: 'Enabled',
  routes: [{ ingress: `default/${host}`, pathPrefix: '/', headers: [], appendHeaders: [], splits: [{ cluster: clusterName, percent: 100, appendHeaders: [] }] }],
});
const info = (host: string, hash = 'h'): IngressInfo => ({ key: `default/${host}`, namespace: 'default', name: host, hash, httpOption: 'Enabled', externalHosts: [host], localHosts: [] });
const snap = (version: number, vhosts: VirtualHost[], clusters: Cluster[], infos: IngressInfo[]): Snapshot => ({
  version,
  hash: String(version),
  listeners: { external: vhosts, local: [] },
  clusters,
  tls: [],
  ingresses: infos,
});

describe('compileRouter', () => {
  it('reuses compiled hosts whose vhost, ingress info and clusters are unchanged', () => {
    const a = vhost('a.example.com', 'ca');
    const b = vhost('b.example.com', 'cb');
    const ca = cluster('ca', 1);
    const ia = info('a.example.com');
    const r1 = compileRouter(snap(1, [a, b], [ca, cluster('cb', 2)], [ia, info('b.example.com')]));
    // b's endpoints change (new cluster object), a is untouched, and b's ingress hash changes too.
    const r2 = compileRouter(snap(2, [a, b], [ca, cluster('cb', 3)], [ia, info('b.example.com', 'h2')]));
    assert.equal(r2.hosts.external.get('a.example.com'), r1.hosts.external.get('a.example.com'), 'a reused');
    const eb = r2.hosts.external.get('b.example.com')!;
    assert.notEqual(eb, r1.hosts.external.get('b.example.com'), 'b recompiled');
    assert.equal(eb.routes[0]!.splits[0]!.cluster.endpoints[0]!.port, 3, 'new endpoints');
    assert.equal(eb.ingress?.hash, 'h2', 'new ingress hash for probes');
  });

  it('recompiles when only the ingress info changed (hash for probes)', () => {
    const a = vhost('a.example.com', 'ca');
    const ca = cluster('ca', 1);
    const r1 = compileRouter(snap(1, [a], [ca], [info('a.example.com', 'old')]));
    const r2 = compileRouter(snap(2, [a], [ca], [info('a.example.com', 'new')]));
    assert.equal(r1.hosts.external.get('a.example.com')!.ingress?.hash, 'old');
    assert.equal(r2.hosts.external.get('a.example.com')!.ingress?.hash, 'new');
  });

  it('recompiles a host whose cluster alone changed (new endpoints, same vhost and ingress info)', () => {
    const a = vhost('a.example.com', 'ca');
    const b = vhost('b.example.com', 'cb');
    const infos = [info('a.example.com'), info('b.example.com')];
    const r1 = compileRouter(snap(1, [a, b], [cluster('ca', 1), cluster('cb', 2)], infos));
    const r2 = compileRouter(snap(2, [a, b], [r1.snapshot.clusters[0]!, cluster('cb', 9)], infos));
    assert.equal(r2.hosts.external.get('a.example.com'), r1.hosts.external.get('a.example.com'), 'a reused');
    assert.equal(r2.hosts.external.get('b.example.com')!.routes[0]!.splits[0]!.cluster.endpoints[0]!.port, 9);
    assert.equal(r1.hosts.external.get('b.example.com')!.routes[0]!.splits[0]!.cluster.endpoints[0]!.port, 2, 'the old router is unchanged');
  });

  it('follows hosts added, removed and moved between snapshots, leaving older routers as they were', () => {
    const cl = [cluster('ca', 1), cluster('cb', 2)];
    const a = vhost('a.example.com', 'ca');
    const b = vhost('b.example.com', 'cb');
    const r1 = compileRouter(snap(1, [a, b], cl, [info('a.example.com'), info('b.example.com')]));
    // b is gone, c is new, and a's vhost now also answers for the domain b had.
    const a2: VirtualHost = { ...a, domains: ['a.example.com', 'b.example.com'] };
    const c = vhost('c.example.com', 'cb');
    const r2 = compileRouter(snap(2, [a2, c], cl, [info('a.example.com'), info('c.example.com')]));
    assert.deepEqual([...r2.hosts.external.keys()].sort(), ['a.example.com', 'b.example.com', 'c.example.com']);
    assert.equal(r2.hosts.external.get('b.example.com')!.vhost, a2);
    assert.equal(r2.hosts.external.get('c.example.com')!.vhost, c);
    assert.equal(r1.hosts.external.get('b.example.com')!.vhost, b, 'the old router still has the old host');
    assert.equal(r1.hosts.external.has('c.example.com'), false);
  });

  it('a snapshot listing one domain twice is compiled in full: the first vhost listed wins', () => {
    const cl = [cluster('ca', 1), cluster('cb', 2)];
    const a = vhost('a.example.com', 'ca');
    compileRouter(snap(1, [a], cl, [info('a.example.com')]));
    const dup: VirtualHost = { ...vhost('b.example.com', 'cb'), domains: ['a.example.com'] };
    const r = compileRouter(snap(2, [a, dup], cl, [info('a.example.com'), info('b.example.com')]));
    assert.equal(r.hosts.external.get('a.example.com')!.vhost, a);
  });
});
