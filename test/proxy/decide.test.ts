// The per-request core on plain values: host tables, ordered prefixes, header matches, splits,
// probes and redirects. One contract table, so every socket layer is held to the same rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, type Decision } from '../../src/proxy/decide.ts';
import { replyFor } from '../../src/proxy/local-reply.ts';
import { compileRouter, normalizeHost, pickSplit } from '../../src/proxy/router.ts';
import type { Cluster, HeaderMatch, Route, RouteFilter, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';

const cluster = (name: string): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: 1 }] });
const setHeaders = (set: Array<[string, string]>): RouteFilter[] => [{ type: 'request-headers', edits: { set, add: [], remove: [] } }];
const exact = (name: string, value: string): HeaderMatch => ({ name, match: { type: 'exact', value } });
const route = (prefix: string, splits: Array<[string, number]>, extra: Partial<Route> = {}): Route => ({
  ingress: 'default/app',
  path: { type: 'prefix', value: prefix },
  headers: [],
  query: [],
  filters: [],
  splits: splits.map(([c, weight]) => ({ cluster: c, weight, filters: setHeaders([['knative-serving-revision', c]]) })),
  ...extra,
});
const vhost = (domains: string[], routes: Route[], httpOption: 'Enabled' | 'Redirected' = 'Enabled'): VirtualHost => ({ name: 'default/app/0', domains, ingress: 'default/app', httpOption, routes });

const snapshot: Snapshot = {
  version: 1,
  hash: 'x',
  clusters: ['a', 'b', 'tag', 'api'].map(cluster),
  tls: [],
  ports: [],
  ingresses: [{ key: 'default/app', namespace: 'default', name: 'app', hash: 'h4sh', httpOption: 'Enabled', externalHosts: ['app.example.com'], localHosts: [] }],
  listeners: {
    external: [
      vhost(['app.example.com'], [
        route('/api', [['api', 100]], { filters: setHeaders([['x-path', 'api']]) }),
        route('/', [['tag', 100]], { headers: [exact('knative-serving-tag', 'blue')] }),
        route('/', [['a', 70], ['b', 30]]),
      ]),
      vhost(['secure.example.com'], [route('/shop', [['a', 100]]), route('/', [['b', 100]], { headers: [exact('x-tag', 'v2')] })], 'Redirected'),
      vhost(['present.example.com'], [route('/', [['tag', 100]], { headers: [{ name: 'x-canary', match: { type: 'present' } }] }), route('/', [['a', 100]])]),
    ],
    local: [
      vhost(['app.ns.svc.cluster.local', 'app.ns.svc', 'app.ns'], [route('/', [['b', 100]])]),
      vhost(['secure.example.com'], [route('/shop', [['a', 100]])], 'Redirected'),
      vhost(['internal.ns.svc'], [route('/', [['b', 100]])]),
    ],
  },
};
const router = compileRouter(snapshot);
const facts = (authority: string, url: string, raw: string[] = [], extra: Partial<Parameters<typeof decide>[1]> = {}) => ({ listener: 'external', secure: false, method: 'GET', authority, url, raw, ...extra });
const clusterOf = (d: Decision) => (d.kind === 'forward' ? d.split.cluster.name : d.kind);

describe('decide', () => {
  it('matches hosts case-insensitively without port; unknown host is not found', () => {
    assert.equal(clusterOf(decide(router, facts('APP.example.com:8080', '/api/v1'), 0)), 'api');
    assert.deepEqual(decide(router, facts('other.example.com', '/')), { kind: 'not-found', what: 'host' });
    assert.equal(decide(router, facts('app.ns', '/')).kind, 'not-found', 'local hosts are not on the external listener');
    assert.equal(clusterOf(decide(router, facts('app.ns', '/', [], { listener: 'local' }), 0)), 'b');
  });

  it('tries prefixes in order and requires every header to match exactly', () => {
    assert.equal(clusterOf(decide(router, facts('app.example.com', '/api', ['Knative-Serving-Tag', 'blue']), 0)), 'api');
    assert.equal(clusterOf(decide(router, facts('app.example.com', '/x', ['Knative-Serving-Tag', 'blue']), 0)), 'tag');
    assert.equal(clusterOf(decide(router, facts('app.example.com', '/x', ['Knative-Serving-Tag', 'Blue']), 0)), 'a');
    // The query string is not part of the path match.
    assert.equal(clusterOf(decide(router, facts('app.example.com', '/ap?/api', []), 0)), 'a');
  });

  it('picks splits on the cumulative percent line', () => {
    assert.equal(clusterOf(decide(router, facts('app.example.com', '/'), 0)), 'a');
    assert.equal(clusterOf(decide(router, facts('app.example.com', '/'), 69.99)), 'a');
    assert.equal(clusterOf(decide(router, facts('app.example.com', '/'), 70)), 'b');
    assert.equal(clusterOf(decide(router, facts('app.example.com', '/'), 99.99)), 'b');
    const r = router.hosts.external.get('app.example.com')!.routes[2]!;
    assert.equal(pickSplit(r, 100)?.cluster?.name, 'b', 'out-of-range rolls fall to the last split');
  });

  it('orders path-level then split-level headers; keeps rewriteHost or the original authority', () => {
    const d = decide(router, facts('app.example.com:81', '/api'), 0);
    assert.equal(d.kind, 'forward');
    if (d.kind !== 'forward') return;
    assert.deepEqual(d.request.set, [['x-path', 'api'], ['knative-serving-revision', 'api']]);
    assert.equal(d.upstreamHost, 'app.example.com:81');
  });

  it('answers probes with the request hash, or the ingress hash for override', () => {
    assert.deepEqual(decide(router, facts('app.example.com', '/', ['K-Network-Probe', 'probe', 'K-Network-Hash', 'override'])), { kind: 'probe', ingress: 'default/app', hash: 'h4sh' });
    assert.deepEqual(decide(router, facts('app.example.com', '/', ['k-network-probe', 'probe', 'k-network-hash', 'abc'])), { kind: 'probe', ingress: 'default/app', hash: 'abc' });
    assert.equal(decide(router, facts('app.example.com', '/', ['K-Network-Probe', 'other']), 0).kind, 'forward');
  });

  it('answers a probe without a K-Network-Hash (or with an empty one) with 400, as Knative\'s probe handler does', () => {
    for (const raw of [['K-Network-Probe', 'probe'], ['K-Network-Probe', 'probe', 'K-Network-Hash', '']]) {
      const d = decide(router, facts('app.example.com', '/', raw));
      assert.equal(d.kind, 'bad-probe', JSON.stringify(raw));
      if (d.kind !== 'bad-probe') return;
      const { reply, ingress } = replyFor(d);
      assert.equal(reply.status, 400);
      assert.match(reply.body, /K-Network-Hash/);
      assert.equal(ingress, 'default/app');
    }
  });

  it('treats an empty exact header match as presence (as Kourier does)', () => {
    assert.equal(clusterOf(decide(router, facts('present.example.com', '/', ['X-Canary', 'anything']), 0)), 'tag');
    assert.equal(clusterOf(decide(router, facts('present.example.com', '/', ['x-canary', '']), 0)), 'tag');
    assert.equal(clusterOf(decide(router, facts('present.example.com', '/', ['X-Other', 'v']), 0)), 'a');
  });

  it('redirects plain HTTP for Redirected ingresses as Envoy\'s https_redirect does: the Host as sent, without :80', () => {
    const redirect = (location: string) => ({ kind: 'redirect', ingress: 'default/app', location, status: 301 });
    assert.deepEqual(decide(router, facts('secure.example.com', '/shop/p?q=1')), redirect('https://secure.example.com/shop/p?q=1'));
    assert.deepEqual(decide(router, facts('secure.example.com:80', '/shop')), redirect('https://secure.example.com/shop'));
    assert.deepEqual(decide(router, facts('Secure.Example.com:8080', '/shop'), 0), redirect('https://Secure.Example.com:8080/shop'));
    assert.equal(decide(router, facts('secure.example.com', '/shop', [], { secure: true }), 0).kind, 'forward');
  });

  it('redirects to the normalised path, as Envoy with normalize_path does', () => {
    const redirect = (location: string) => ({ kind: 'redirect', ingress: 'default/app', location, status: 301 });
    assert.deepEqual(decide(router, facts('secure.example.com', '/shop/x/../p//q?a=1'), 0), redirect('https://secure.example.com/shop/p/q?a=1'));
  });

  it('refuses a target with a #fragment, before anything else, as Envoy does', () => {
    assert.deepEqual(decide(router, facts('secure.example.com', '/shop#x'), 0), { kind: 'bad-target' });
    assert.deepEqual(decide(router, facts('nobody.example.com', '/#x', ['K-Network-Probe', 'probe']), 0), { kind: 'bad-target' });
  });

  it('percent-encodes what is not visible ASCII in a redirect Location', () => {
    const d = decide(router, facts('secure.example.com', '/shop/a b\u00e9'), 0);
    assert.deepEqual(d, { kind: 'redirect', ingress: 'default/app', location: 'https://secure.example.com/shop/a%20b%E9', status: 301 });
  });

  it('redirects only requests a route matches, as Kourier writes one redirect route per path', () => {
    assert.deepEqual(decide(router, facts('secure.example.com', '/other'), 0), { kind: 'not-found', what: 'path', ingress: 'default/app' });
    assert.equal(decide(router, facts('secure.example.com', '/other', ['X-Tag', 'v2']), 0).kind, 'redirect');
  });

  it('redirects ExternalIP hosts of a Redirected ingress on the local listener too, as Kourier\'s internal gateway does', () => {
    assert.deepEqual(decide(router, facts('secure.example.com', '/shop', [], { listener: 'local' }), 0), { kind: 'redirect', ingress: 'default/app', location: 'https://secure.example.com/shop', status: 301 });
    assert.equal(decide(router, facts('internal.ns.svc', '/', [], { listener: 'local' }), 0).kind, 'forward');
  });

  it('answers probes before redirecting', () => {
    assert.deepEqual(decide(router, facts('secure.example.com', '/', ['K-Network-Probe', 'probe', 'K-Network-Hash', 'abc'])), { kind: 'probe', ingress: 'default/app', hash: 'abc' });
  });

  it('normalizes hosts', () => {
    assert.equal(normalizeHost('Foo.Example.com.:443'), 'foo.example.com');
    assert.equal(normalizeHost('[::1]:8080'), '[::1]');
    assert.equal(normalizeHost(undefined), '');
  });
});
