// What Envoy decides with the resources built from hand-made IR snapshots, by the evaluator of
// Envoy's documented semantics (test/support/envoy-route-eval.ts): the IR's meaning survives the
// translation (segment prefixes, rewrites, redirects, invalid backends, CORS, method and query).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route, Snapshot } from '../../src/snapshot/types.ts';
import { applyResponseEdits, connectionManager, evaluate, selectFilterChain, type EnvoyDecision, type EnvoyRequest, type RouteConfiguration } from '../support/envoy-route-eval.ts';
import { encodedResources, irRoute, irSnapshot } from './helpers.ts';

type Obj = Record<string, unknown>;

/** The decision of Envoy's `external` listener for `req` (host web.example.com), and the clusters it has. */
function decide(snapshot: Snapshot, req: Partial<EnvoyRequest> & { path: string }, roll = 0): { d: EnvoyDecision; clusters: Set<string> } {
  const res = encodedResources(snapshot);
  const hcm = connectionManager(selectFilterChain(res.listener!.get('external')!, undefined)!);
  const config = res.route!.get(hcm.routeConfigName) as unknown as RouteConfiguration;
  const d = evaluate(hcm, config, { authority: 'web.example.com', scheme: 'http', ...req }, roll);
  return { d, clusters: new Set(res.cluster!.keys()) };
}
const one = (route: Route, req: Partial<EnvoyRequest> & { path: string }, roll = 0) => decide(irSnapshot([route]), req, roll).d;
const upstreamPath = (route: Route, path: string) => {
  const d = one(route, { path });
  return d.kind === 'route' ? d.path : `${d.kind}`;
};

describe('IR semantics through Envoy', () => {
  it('a segment prefix matches whole segments only', () => {
    const r = irRoute({ path: { type: 'segment-prefix', value: '/api/' } });
    assert.equal(one(r, { path: '/api' }).kind, 'route');
    assert.equal(one(r, { path: '/api/v1?x' }).kind, 'route');
    assert.equal(one(r, { path: '/apiary' }).kind, 'local');
  });

  it('ReplacePrefixMatch on a segment prefix keeps the rest of the path, also with / as the replacement', () => {
    const rewrite = (match: string, value: string) => irRoute({ path: { type: 'segment-prefix', value: match }, filters: [{ type: 'url-rewrite', path: { type: 'prefix', value } }] });
    assert.equal(upstreamPath(rewrite('/foo', '/'), '/foo/bar?q=1'), '/bar?q=1');
    assert.equal(upstreamPath(rewrite('/foo', '/'), '/foo'), '/');
    assert.equal(upstreamPath(rewrite('/a/b/', '/'), '/a/b//c/d?q=/a/b'), '/c/d?q=/a/b');
    assert.equal(upstreamPath(rewrite('/foo/', '/xyz/'), '/foo/bar'), '/xyz/bar');
    assert.equal(upstreamPath(rewrite('/foo', '/xyz'), '/foo'), '/xyz');
    assert.equal(upstreamPath(rewrite('/', '/xyz'), '/bar'), '/xyz/bar');
    const full = irRoute({ filters: [{ type: 'url-rewrite', path: { type: 'full', value: '/one' } }] });
    assert.equal(upstreamPath(full, '/a/b?k=v'), '/one?k=v', 'a full rewrite keeps the query');
  });

  it('a redirect answers with the scheme, host, port and path it names', () => {
    const d = one(irRoute({ path: { type: 'segment-prefix', value: '/old' }, splits: [], filters: [{ type: 'redirect', scheme: 'https', hostname: 'new.example', port: 443, path: { type: 'prefix', value: '/new' }, statusCode: 308 }] }), { path: '/old/page?x=1' });
    assert.deepEqual(d, { kind: 'redirect', status: 308, location: 'https://new.example/new/page?x=1' });
  });

  it("a redirect's scheme brings its well-known port; without a scheme the request's port is kept", () => {
    const redirect = (f: Partial<Extract<Route['filters'][number], { type: 'redirect' }>>) => irRoute({ splits: [], filters: [{ type: 'redirect', statusCode: 302, ...f }] });
    assert.deepEqual(one(redirect({ scheme: 'https' }), { path: '/a?b', authority: 'web.example.com:8080' }), { kind: 'redirect', status: 302, location: 'https://web.example.com/a?b' });
    assert.deepEqual(one(redirect({ scheme: 'http' }), { path: '/a', authority: 'web.example.com:8080', scheme: 'https' }), { kind: 'redirect', status: 302, location: 'http://web.example.com/a' });
    assert.deepEqual(one(redirect({ path: { type: 'full', value: '/b' } }), { path: '/a', authority: 'web.example.com:8080' }), { kind: 'redirect', status: 302, location: 'http://web.example.com:8080/b' });
  });

  it('method and query parameter matches pick the route', () => {
    const routes = [irRoute({ method: 'POST', query: [{ name: 'v', match: { type: 'regex', value: '[0-9]+' } }], splits: [{ cluster: 'default/b:80', weight: 1, filters: [] }] }), irRoute()];
    const cluster = (method: string, path: string) => {
      const { d } = decide(irSnapshot(routes), { path, method });
      return d.kind === 'route' ? d.cluster : d.kind;
    };
    assert.equal(cluster('POST', '/?v=12'), 'default/b:80');
    assert.equal(cluster('GET', '/?v=12'), 'default/a:80');
    assert.equal(cluster('POST', '/?v=x'), 'default/a:80');
  });

  it("invalid backends get 500 for their share, valid ones their traffic", () => {
    const snapshot = irSnapshot([irRoute({ splits: [{ weight: 1, filters: [] }, { cluster: 'default/a:80', weight: 3, filters: [] }] })]);
    const outcome = (roll: number) => {
      const { d, clusters } = decide(snapshot, { path: '/' }, roll);
      assert.equal(d.kind, 'route');
      return d.kind === 'route' && (clusters.has(d.cluster) ? d.cluster : d.clusterNotFoundStatus);
    };
    assert.equal(outcome(0.5), 500);
    assert.equal(outcome(1.5), 'default/a:80');
    assert.deepEqual(one(irRoute({ splits: [] }), { path: '/' }), { kind: 'direct', status: 500, body: '', headers: new Map() });
  });

  it('CORS: an allowed preflight is answered by Envoy; an allowed origin gets its headers on the response', () => {
    const policy = { allowOrigins: ['https://*.example.com'], allowMethods: ['GET', 'PUT'], allowHeaders: ['x-a'], exposeHeaders: ['x-b'], maxAge: 30, allowCredentials: false };
    const r = irRoute({ filters: [{ type: 'cors', policy }, { type: 'response-headers', edits: { set: [['x-set', '1']], add: [], remove: [] } }] });
    const preflight = one(r, { path: '/', method: 'OPTIONS', headers: [['origin', 'https://a.example.com'], ['access-control-request-method', 'PUT']] });
    assert.equal(preflight.kind, 'direct');
    assert.deepEqual(preflight.kind === 'direct' && Object.fromEntries(preflight.headers), {
      'access-control-allow-origin': ['https://a.example.com'],
      'access-control-allow-methods': ['GET, PUT'],
      'access-control-allow-headers': ['x-a'],
      'access-control-max-age': ['30'],
      'access-control-expose-headers': ['x-b'],
    });
    // forward_not_matching_preflights false: Envoy answers a preflight it does not allow itself,
    // without Access-Control-Allow-Origin, as the data plane does (HTTPRouteCORS).
    const denied = one(r, { path: '/', method: 'OPTIONS', headers: [['origin', 'https://example.org'], ['access-control-request-method', 'PUT']] });
    assert.equal(denied.kind, 'direct');
    assert.equal(denied.kind === 'direct' && denied.headers.get('access-control-allow-origin'), undefined);
    const get = one(r, { path: '/', headers: [['origin', 'https://a.example.com']] });
    assert.equal(get.kind, 'route');
    if (get.kind !== 'route') return;
    assert.deepEqual(Object.fromEntries(applyResponseEdits(get, [])), { 'x-set': ['1'], 'access-control-allow-origin': ['https://a.example.com'], 'access-control-expose-headers': ['x-b'] });
    const upper = one(r, { path: '/', headers: [['origin', 'HTTPS://B.EXAMPLE.COM']] });
    assert.deepEqual(upper.kind === 'route' && applyResponseEdits(upper, []).get('access-control-allow-origin'), ['HTTPS://B.EXAMPLE.COM'], 'origins compare case-insensitively');
    const bare = one(r, { path: '/', headers: [['origin', 'https://.example.com']] });
    assert.equal(bare.kind === 'route' && applyResponseEdits(bare, []).get('access-control-allow-origin'), undefined, '* stands for one or more characters');
    const other = one(r, { path: '/', headers: [['origin', 'https://example.org']] });
    assert.deepEqual(other.kind === 'route' && Object.fromEntries(applyResponseEdits(other, [])), { 'x-set': ['1'] });
  });

  it('a wildcard domain serves its subdomains; * serves the rest', () => {
    const vhosts = (domains: string[][]) => domains.map((d, i) => ({ name: `v${i}`, domains: d, ingress: 'HTTPRoute default/web', httpOption: 'Enabled' as const, routes: [irRoute({ splits: [{ cluster: i === 0 ? 'default/a:80' : 'default/b:80', weight: 1, filters: [] }] })] }));
    const snapshot: Snapshot = { ...irSnapshot([]), listeners: { external: vhosts([['*.example.com'], ['*']]), local: [] } };
    const cluster = (authority: string) => {
      const { d } = decide(snapshot, { path: '/', authority });
      return d.kind === 'route' ? d.cluster : d.kind;
    };
    assert.equal(cluster('a.b.example.com'), 'default/a:80');
    assert.equal(cluster('example.org'), 'default/b:80');
    const routes = (encodedResources(snapshot).route!.get('external') as Obj).virtual_hosts as Obj[];
    assert.deepEqual(routes.map((v) => v.domains), [['*.example.com'], ['*']]);
  });
});
