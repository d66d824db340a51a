// A RouterBuilder reuses compiled virtual hosts across snapshots, but never stale ones. These
// snapshots are made by hand and carry no diffs, so the builder compares the lists itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouterBuilder } from '../../src/proxy/router-builder.ts';
import type { Router } from '../../src/proxy/router.ts';
import type { Cluster, IngressInfo, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';

const cluster = (name: string, port: number): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port }] });
const vhost = (host: string, clusterName: string): VirtualHost => ({
  name: `default/${host}/0`,
  domains: [host],
  ingress: `default/${host}`,
  httpOption: 'Enabled',
  routes: [{ ingress: `default/${host}`, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits: [{ cluster: clusterName, weight: 100, filters: [] }] }],
});
const info = (host: string, hash = 'h'): IngressInfo => ({ key: `default/${host}`, namespace: 'default', name: host, hash, httpOption: 'Enabled', externalHosts: [host], localHosts: [] });
const snap = (version: number, vhosts: VirtualHost[], clusters: Cluster[], infos: IngressInfo[]): Snapshot => ({
  version,
  hash: String(version),
  listeners: { external: vhosts, local: [] },
  ports: [],
  clusters,
  tls: [],
  ingresses: infos,
});

/** A data plane's view: each snapshot after the first is a change from the one before, without diffs. */
function builder(): (snapshot: Snapshot) => Router {
  const b = new RouterBuilder();
  let previous: Snapshot | undefined;
  return (snapshot) => {
    const router = b.next({ snapshot, previous, diffs: undefined });
    previous = snapshot;
    return router;
  };
}

describe('RouterBuilder', () => {
  it('reuses compiled hosts whose vhost, ingress info and clusters are unchanged', () => {
    const compileRouter = builder();
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
    assert.equal(eb.routes[0]!.splits[0]!.cluster!.endpoints[0]!.port, 3, 'new endpoints');
    assert.equal(eb.ingress?.hash, 'h2', 'new ingress hash for probes');
  });

  it('recompiles when only the ingress info changed (hash for probes)', () => {
    const compileRouter = builder();
    const a = vhost('a.example.com', 'ca');
    const ca = cluster('ca', 1);
    const r1 = compileRouter(snap(1, [a], [ca], [info('a.example.com', 'old')]));
    const r2 = compileRouter(snap(2, [a], [ca], [info('a.example.com', 'new')]));
    assert.equal(r1.hosts.external.get('a.example.com')!.ingress?.hash, 'old');
    assert.equal(r2.hosts.external.get('a.example.com')!.ingress?.hash, 'new');
  });

  it('recompiles a host whose cluster alone changed (new endpoints, same vhost and ingress info)', () => {
    const compileRouter = builder();
    const a = vhost('a.example.com', 'ca');
    const b = vhost('b.example.com', 'cb');
    const infos = [info('a.example.com'), info('b.example.com')];
    const r1 = compileRouter(snap(1, [a, b], [cluster('ca', 1), cluster('cb', 2)], infos));
    const r2 = compileRouter(snap(2, [a, b], [r1.snapshot.clusters[0]!, cluster('cb', 9)], infos));
    assert.equal(r2.hosts.external.get('a.example.com'), r1.hosts.external.get('a.example.com'), 'a reused');
    assert.equal(r2.hosts.external.get('b.example.com')!.routes[0]!.splits[0]!.cluster!.endpoints[0]!.port, 9);
    assert.equal(r1.hosts.external.get('b.example.com')!.routes[0]!.splits[0]!.cluster!.endpoints[0]!.port, 2, 'the old router is unchanged');
  });

  it('follows hosts added, removed and moved between snapshots, leaving older routers as they were', () => {
    const compileRouter = builder();
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

  it('an edit of one virtual host on a port listener recompiles that host alone (a Gateway API edit among thousands)', () => {
    const compileRouter = builder();
    const cl = [cluster('ca', 1), cluster('cb', 2)];
    const a = vhost('a.example.com', 'ca');
    const b = vhost('b.example.com', 'cb');
    const port = (vhosts: VirtualHost[]) => ({ name: 'gateway/127.0.0.1:80', address: '127.0.0.1', port: 80, listenerPort: 80, protocol: 'HTTP' as const, certificates: [], virtualHosts: vhosts });
    const r1 = compileRouter({ ...snap(1, [], cl, []), ports: [port([a, b])] });
    // b moves to c.example.com; a is the same object, and so is every cluster.
    const c = vhost('c.example.com', 'cb');
    const r2 = compileRouter({ ...snap(2, [], cl, []), ports: [port([a, c])] });
    const before = r1.hosts['gateway/127.0.0.1:80']!;
    const after = r2.hosts['gateway/127.0.0.1:80']!;
    assert.equal(after.get('a.example.com'), before.get('a.example.com'), 'a reused, not recompiled');
    assert.equal(after.get('c.example.com')!.vhost, c);
    assert.equal(after.has('b.example.com'), false);
    assert.equal(before.get('b.example.com')!.vhost, b, 'the old router still has the old host');
    // A cluster of one host changes: that host alone is recompiled.
    const r3 = compileRouter({ ...snap(3, [], [cl[0]!, cluster('cb', 9)], []), ports: [port([a, c])] });
    assert.equal(r3.hosts['gateway/127.0.0.1:80']!.get('a.example.com'), before.get('a.example.com'), 'a still reused');
    assert.equal(r3.hosts['gateway/127.0.0.1:80']!.get('c.example.com')!.routes[0]!.splits[0]!.cluster!.endpoints[0]!.port, 9);
  });

  it('a snapshot listing one domain twice is compiled in full: the first vhost listed wins', () => {
    const compileRouter = builder();
    const cl = [cluster('ca', 1), cluster('cb', 2)];
    const a = vhost('a.example.com', 'ca');
    compileRouter(snap(1, [a], cl, [info('a.example.com')]));
    const dup: VirtualHost = { ...vhost('b.example.com', 'cb'), domains: ['a.example.com'] };
    const r = compileRouter(snap(2, [a, dup], cl, [info('a.example.com'), info('b.example.com')]));
    assert.equal(r.hosts.external.get('a.example.com')!.vhost, a);
  });
});

describe('RouterBuilder with the change diffs', () => {
  const none = { removed: [], added: [] };

  /** A list that counts how many of its items are read, to show what the builder walks. */
  function counted<T>(items: T[]): { list: T[]; reads: () => number } {
    let reads = 0;
    const list = new Proxy(items, {
      get(target, p, receiver) {
        if (typeof p === 'string' && /^[0-9]+$/.test(p)) reads++;
        return Reflect.get(target, p, receiver);
      },
    });
    return { list, reads: () => reads };
  }

  it('follows a change by its diffs alone: no list of the snapshot is walked', () => {
    const n = 2000;
    const names = Array.from({ length: n }, (_, i) => `h${String(i).padStart(4, '0')}.example.com`);
    const vhosts = names.map((h) => vhost(h, 'c'));
    const cl = [cluster('c', 1)];
    const infos = names.map((h) => info(h));
    const s1 = snap(1, vhosts, cl, infos);
    const b = new RouterBuilder();
    const r1 = b.next({ snapshot: s1, previous: undefined, diffs: undefined });
    // h0042 moves to a new vhost object (new route list); everything else is the same object.
    const moved = vhost(names[42]!, 'c');
    const external = counted(vhosts.map((v, i) => (i === 42 ? moved : v)));
    const s2: Snapshot = { ...s1, version: 2, hash: '2', listeners: { external: external.list, local: [] } };
    const r2 = b.next({ snapshot: s2, previous: s1, diffs: { clusters: none, external: { removed: [vhosts[42]!], added: [moved] }, local: none, ports: none, tls: none, ingresses: none } });
    assert.equal(external.reads(), 0, 'the external list was not walked');
    assert.equal(r2.hosts.external.get(names[42]!)!.vhost, moved);
    assert.equal(r2.hosts.external.get(names[7]!), r1.hosts.external.get(names[7]!), 'others reused');
  });

  it('ignores diffs that do not lead from its own last router, and compares the lists instead', () => {
    const cl = [cluster('ca', 1), cluster('cb', 2)];
    const a = vhost('a.example.com', 'ca');
    const b1 = vhost('b.example.com', 'cb');
    const mine = snap(1, [a, b1], cl, [info('a.example.com'), info('b.example.com')]);
    const theirs = snap(1, [a], cl, [info('a.example.com')]);
    const b = new RouterBuilder();
    b.next({ snapshot: mine, previous: undefined, diffs: undefined });
    // A change from another feed: from `theirs` nothing was removed. Followed here, b.example.com
    // would stay routed although the new snapshot does not have it.
    const next = snap(2, [a], cl, [info('a.example.com')]);
    const r = b.next({ snapshot: next, previous: theirs, diffs: { clusters: none, external: none, local: none, ports: none, tls: none, ingresses: none } });
    assert.deepEqual([...r.hosts.external.keys()], ['a.example.com']);
  });
});
