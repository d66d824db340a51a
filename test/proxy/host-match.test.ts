// Virtual host selection: exact names, then the longest `*.suffix` wildcard, then `*`; and one host
// table per port listener, rebuilt when the port list or what it resolved changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouterBuilder } from '../../src/proxy/router-builder.ts';
import type { Router } from '../../src/proxy/router.ts';
import type { PortListener, Snapshot } from '../../src/snapshot/types.ts';
import { ask, cluster, route, snapshotOf, split, target, vhost } from './ir-helpers.ts';

const port = (name: string, vhosts: PortListener['virtualHosts']): PortListener => ({ name, address: '127.0.0.1', port: 8080, protocol: 'HTTP', certificates: [], virtualHosts: vhosts });

describe('host matching', () => {
  const snapshot = snapshotOf([
    vhost(['*'], [route({ splits: [split('m')] })]),
    vhost(['*.example.com'], [route({ splits: [split('a')] })]),
    vhost(['*.b.example.com'], [route({ splits: [split('b')] })]),
    vhost(['exact.b.example.com'], [route({ splits: [split('c')] })]),
  ]);
  const r = new RouterBuilder().next({ snapshot, previous: undefined, diffs: undefined });
  const at = (authority: string) => target(ask(r, { url: '/', authority }));

  it('an exact name wins over every wildcard', () => assert.equal(at('exact.b.example.com'), 'c'));

  it('the longest wildcard suffix wins; a wildcard covers one or more labels', () => {
    assert.equal(at('x.b.example.com'), 'b');
    assert.equal(at('x.y.b.example.com'), 'b');
    assert.equal(at('x.example.com'), 'a');
    assert.equal(at('x.y.example.com'), 'a');
    assert.equal(at('X.Example.COM:8080'), 'a', 'lower-cased, without port');
  });

  it('a wildcard does not match its own suffix; `*` takes what nothing else does', () => {
    assert.equal(at('example.com'), 'm');
    assert.equal(at('b.example.com'), 'a');
    assert.equal(at('other.test'), 'm');
    assert.equal(at(''), 'm');
  });

  it('without `*`, an unknown host is not found', () => {
    const noCatchAll = new RouterBuilder().next({ snapshot: snapshotOf([vhost(['*.example.com'], [route()])]), previous: undefined, diffs: undefined });
    assert.deepEqual(ask(noCatchAll, { url: '/', authority: 'x.test' }), { kind: 'not-found', what: 'host' });
  });
});

describe('port listener tables', () => {
  const web = port('gateway/127.0.0.1:8080', [vhost(['web.example.com'], [route({ splits: [split('a')] })]), vhost(['*.example.com'], [route({ splits: [split('b')] })])]);
  const api = port('gateway/127.0.0.1:9090', [vhost(['api.example.com'], [route({ splits: [split('c')] })])]);
  const on = (r: Router, listener: string, authority: string) => target(ask(r, { url: '/', authority, listener }));

  it('serves each port listener\'s virtual hosts on its own table, apart from Knative\'s', () => {
    const r = new RouterBuilder().next({ snapshot: snapshotOf([vhost(['knative.example.com'], [route({ splits: [split('m')] })])], [web, api]), previous: undefined, diffs: undefined });
    assert.equal(on(r, web.name, 'web.example.com'), 'a');
    assert.equal(on(r, web.name, 'x.example.com'), 'b');
    assert.equal(on(r, web.name, 'api.example.com'), 'b', 'the other port\'s host is not on this one');
    assert.equal(on(r, api.name, 'api.example.com'), 'c');
    assert.equal(on(r, api.name, 'web.example.com'), 'not-found');
    assert.equal(on(r, 'external', 'knative.example.com'), 'm');
    assert.equal(on(r, 'external', 'web.example.com'), 'not-found');
    assert.equal(on(r, 'gateway/unknown:1', 'web.example.com'), 'not-found');
  });

  it('a changed port list rebuilds the port tables; an unchanged one keeps them, and Knative\'s tables stay incremental', () => {
    const b = new RouterBuilder();
    const knative = [vhost(['knative.example.com'], [route({ splits: [split('m')] })])];
    const s1 = snapshotOf(knative, [web]);
    const r1 = b.next({ snapshot: s1, previous: undefined, diffs: undefined });
    // Same ports, a new Knative host: the port table is the same object.
    const s2: Snapshot = { ...s1, version: 2, listeners: { external: [...knative, vhost(['new.example.com'], [route()])], local: [] } };
    const r2 = b.next({ snapshot: s2, previous: s1, diffs: undefined });
    assert.equal(r2.hosts[web.name], r1.hosts[web.name]);
    assert.equal(on(r2, 'external', 'new.example.com'), 'a');
    // A port added: both served, the old one's routes still right.
    const s3: Snapshot = { ...s2, version: 3, ports: [web, api] };
    const r3 = b.next({ snapshot: s3, previous: s2, diffs: undefined });
    assert.equal(on(r3, api.name, 'api.example.com'), 'c');
    assert.equal(on(r3, web.name, 'web.example.com'), 'a');
    // A port removed: its table is gone.
    const s4: Snapshot = { ...s3, version: 4, ports: [api] };
    const r4 = b.next({ snapshot: s4, previous: s3, diffs: undefined });
    assert.equal(r4.hosts[web.name], undefined);
    assert.equal(on(r4, api.name, 'api.example.com'), 'c');
  });

  it('a new Cluster object used by a port route is picked up without a port list change', () => {
    const b = new RouterBuilder();
    const s1 = snapshotOf([], [api]);
    const r1 = b.next({ snapshot: s1, previous: undefined, diffs: undefined });
    const moved = { ...cluster('c'), endpoints: [{ address: '127.0.0.2', port: 2 }] };
    const s2: Snapshot = { ...s1, version: 2, clusters: s1.clusters.map((c) => (c.name === 'c' ? moved : c)) };
    const r2 = b.next({ snapshot: s2, previous: s1, diffs: undefined });
    const d = ask(r2, { url: '/', authority: 'api.example.com', listener: api.name });
    assert.equal(d.kind === 'forward' && d.split.cluster, moved);
    assert.notEqual(r2.hosts[api.name], r1.hosts[api.name]);
  });
});
