// Route and split filters as decide() applies them, with the Gateway API's semantics: header edits,
// URL rewrites (hostname, full path, ReplacePrefixMatch), redirects, mirrors, weighted splits and
// the 500 of a rule without a backend.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decision } from '../../src/proxy/decide.ts';
import { replyFor } from '../../src/proxy/local-reply.ts';
import type { HeaderEdits, PathMatch, RouteFilter } from '../../src/snapshot/types.ts';
import { ask, route, routerFor, split, target } from './ir-helpers.ts';

const edits = (e: Partial<HeaderEdits>): HeaderEdits => ({ set: [], add: [], remove: [], ...e });
const forward = (d: Decision) => {
  assert.equal(d.kind, 'forward', JSON.stringify(d));
  return d as Extract<Decision, { kind: 'forward' }>;
};

describe('header edit filters', () => {
  it('concatenates the route\'s request edits and then the split\'s, once, at compile time', () => {
    const r = routerFor(
      route({
        filters: [{ type: 'request-headers', edits: edits({ set: [['x-r', '1']], remove: ['x-drop'] }) }, { type: 'request-headers', edits: edits({ add: [['x-add', 'r']] }) }],
        splits: [split('a', 1, [{ type: 'request-headers', edits: edits({ set: [['x-s', '2']], add: [['x-add', 's']] }) }])],
      }),
    );
    const d1 = forward(ask(r, { url: '/' }));
    assert.deepEqual(d1.request, { set: [['x-r', '1'], ['x-s', '2']], add: [['x-add', 'r'], ['x-add', 's']], remove: ['x-drop'] });
    assert.equal(forward(ask(r, { url: '/x' })).request, d1.request, 'the same object for every request');
  });

  it('carries response edits (route then split), and none for a route without them', () => {
    const r = routerFor(
      route({ path: { type: 'prefix', value: '/e' }, filters: [{ type: 'response-headers', edits: edits({ set: [['x-r', '1']] }) }], splits: [split('a', 1, [{ type: 'response-headers', edits: edits({ remove: ['server'] }) }])] }),
      route({}),
    );
    assert.deepEqual(forward(ask(r, { url: '/e' })).response, { set: [['x-r', '1']], add: [], remove: ['server'] });
    assert.equal(forward(ask(r, { url: '/' })).response, undefined);
  });
});

describe('url-rewrite', () => {
  const rewrite = (path: PathMatch, filter: Extract<RouteFilter, { type: 'url-rewrite' }>) => routerFor(route({ path, filters: [filter] }));

  it('replaces the Host sent upstream, and keeps the client\'s without a hostname', () => {
    assert.equal(forward(ask(rewrite({ type: 'prefix', value: '/' }, { type: 'url-rewrite', hostname: 'internal.example' }), { url: '/', authority: 'h.example.com:8080' })).upstreamHost, 'internal.example');
    assert.equal(forward(ask(routerFor(route()), { url: '/', authority: 'h.example.com:8080' })).upstreamHost, 'h.example.com:8080');
  });

  it('replaces the full path and keeps the query', () => {
    const r = rewrite({ type: 'segment-prefix', value: '/old' }, { type: 'url-rewrite', path: { type: 'full', value: '/new' } });
    assert.equal(forward(ask(r, { url: '/old/x?q=1' })).url, '/new?q=1');
  });

  it('ReplacePrefixMatch replaces exactly what a segment prefix matched (the Gateway API table)', () => {
    const table: Array<[path: string, prefix: string, replace: string, out: string]> = [
      ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
      ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
      ['/foo/bar', '/foo/', '/xyz', '/xyz/bar'],
      ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
      ['/foo', '/foo', '/xyz', '/xyz'],
      ['/foo/', '/foo', '/xyz', '/xyz/'],
      ['/foo/bar', '/foo', '', '/bar'],
      ['/foo/', '/foo', '', '/'],
      ['/foo', '/foo', '', '/'],
      ['/foo/', '/foo', '/', '/'],
      ['/foo', '/foo', '/', '/'],
      ['/prefix/foo', '/prefix', '/', '/foo'],
      ['/a/b', '/', '/x', '/x/a/b'],
    ];
    for (const [path, prefix, replace, out] of table) {
      const r = rewrite({ type: 'segment-prefix', value: prefix }, { type: 'url-rewrite', path: { type: 'prefix', value: replace } });
      assert.equal(forward(ask(r, { url: `${path}?k=v` })).url, `${out}?k=v`, `${path} | ${prefix} | ${replace}`);
    }
  });

  it('ReplacePrefixMatch on a literal prefix replaces the literal prefix', () => {
    const r = rewrite({ type: 'prefix', value: '/api' }, { type: 'url-rewrite', path: { type: 'prefix', value: '/v2' } });
    assert.equal(forward(ask(r, { url: '/api/x' })).url, '/v2/x');
    assert.equal(forward(ask(r, { url: '/apix' })).url, '/v2x');
  });

  it('a split\'s rewrite overrides the route\'s', () => {
    const r = routerFor(route({ filters: [{ type: 'url-rewrite', hostname: 'route.example' }], splits: [split('a', 1, [{ type: 'url-rewrite', hostname: 'split.example' }])] }));
    assert.equal(forward(ask(r, { url: '/' })).upstreamHost, 'split.example');
  });
});

describe('redirect', () => {
  type Redirect = Extract<RouteFilter, { type: 'redirect' }>;
  const redirect = (f: Omit<Redirect, 'type' | 'statusCode'> & { statusCode?: Redirect['statusCode'] }, path: PathMatch = { type: 'segment-prefix', value: '/old' }) =>
    routerFor(route({ path, filters: [{ type: 'redirect', statusCode: 302, ...f }], splits: [] }));
  const location = (d: Decision) => {
    assert.equal(d.kind, 'redirect', JSON.stringify(d));
    return (d as Extract<Decision, { kind: 'redirect' }>).location;
  };

  it('answers with the status code and keeps unset parts of the request (path, query, Host port)', () => {
    const d = ask(redirect({ hostname: 'new.example.com', statusCode: 301 }), { url: '/old/a?q=1', authority: 'h.example.com:8080' });
    assert.deepEqual(d, { kind: 'redirect', ingress: 'HTTPRoute default/web', location: 'http://new.example.com:8080/old/a?q=1', status: 301 });
    assert.equal(replyFor(d as Exclude<Decision, { kind: 'forward' }>).reply.status, 301);
    assert.equal(location(ask(redirect({}), { url: '/old', authority: 'H.example.com' })), 'http://h.example.com/old');
    assert.equal(location(ask(redirect({}), { url: '/old', secure: true, authority: 'h.example.com:8443' })), 'https://h.example.com:8443/old');
  });

  it('a scheme without a port brings its well-known port, which is left out', () => {
    assert.equal(location(ask(redirect({ scheme: 'https' }), { url: '/old', authority: 'h.example.com:8080' })), 'https://h.example.com/old');
    assert.equal(location(ask(redirect({ scheme: 'http' }), { url: '/old', secure: true, authority: 'h.example.com:8443' })), 'http://h.example.com/old');
  });

  it('a port is shown unless it is the default of the scheme', () => {
    assert.equal(location(ask(redirect({ scheme: 'https', port: 443 }), { url: '/old' })), 'https://h.example.com/old');
    assert.equal(location(ask(redirect({ scheme: 'https', port: 8443 }), { url: '/old' })), 'https://h.example.com:8443/old');
    assert.equal(location(ask(redirect({ port: 80 }), { url: '/old', authority: 'h.example.com:8080' })), 'http://h.example.com/old');
    assert.equal(location(ask(redirect({ port: 443 }), { url: '/old' })), 'http://h.example.com:443/old');
  });

  it('rewrites the path in full or by prefix', () => {
    assert.equal(location(ask(redirect({ path: { type: 'full', value: '/new' } }), { url: '/old/x?q=1' })), 'http://h.example.com/new?q=1');
    assert.equal(location(ask(redirect({ path: { type: 'prefix', value: '/new' } }), { url: '/old/x?q=1' })), 'http://h.example.com/new/x?q=1');
    assert.equal(location(ask(redirect({ path: { type: 'prefix', value: '/' } }), { url: '/old' })), 'http://h.example.com/');
  });

  it('percent-encodes what is not visible ASCII in Location', () => {
    assert.equal(location(ask(redirect({}), { url: '/old/a b' })), 'http://h.example.com/old/a%20b');
  });

  it('a route with a redirect answers whatever its splits, and a split\'s redirect answers when picked', () => {
    const withSplits = routerFor(route({ filters: [{ type: 'redirect', statusCode: 308, scheme: 'https' }], splits: [split('a')] }));
    assert.equal(ask(withSplits, { url: '/' }).kind, 'redirect');
    const bySplit = routerFor(route({ splits: [split('a', 1), split(undefined, 1, [{ type: 'redirect', statusCode: 307, hostname: 'x.example' }])] }));
    assert.equal(target(ask(bySplit, { url: '/' }, 10)), 'a');
    assert.deepEqual(ask(bySplit, { url: '/p' }, 90), { kind: 'redirect', ingress: 'HTTPRoute default/web', location: 'http://x.example/p', status: 307 });
  });
});

describe('weighted splits and missing backends', () => {
  it('picks by weight on a cumulative table over the total weight', () => {
    const r = routerFor(route({ splits: [split('a', 1), split('b', 0), split('c', 3)] }));
    // decide() takes a roll in [0, 100) and scales it to the total weight (4).
    assert.equal(target(ask(r, { url: '/' }, 0)), 'a');
    assert.equal(target(ask(r, { url: '/' }, 24.9)), 'a');
    assert.equal(target(ask(r, { url: '/' }, 25)), 'c', 'weight 0 never receives traffic');
    assert.equal(target(ask(r, { url: '/' }, 99.9)), 'c');
  });

  it('answers 500 for a route without splits, with all weights 0, or a split without a cluster', () => {
    const none = routerFor(route({ splits: [] }));
    const zero = routerFor(route({ splits: [split('a', 0), split('b', 0)] }));
    const invalid = routerFor(route({ splits: [split('a', 1), split(undefined, 1)] }));
    for (const [d, what] of [[ask(none, { url: '/' }), 'none'], [ask(zero, { url: '/' }, 50), 'zero'], [ask(invalid, { url: '/' }, 75), 'invalid']] as const) {
      assert.deepEqual(d, { kind: 'no-backend', ingress: 'HTTPRoute default/web' }, what);
      const { reply, error } = replyFor(d as Exclude<Decision, { kind: 'forward' }>);
      assert.equal(reply.status, 500);
      assert.equal(error, true, 'a gRPC client gets it as a gRPC status');
    }
    assert.equal(target(ask(invalid, { url: '/' }, 25)), 'a', 'the valid half still serves');
  });
});

describe('mirror, timeout and retry', () => {
  it('resolves mirror clusters at compile time, the route\'s then the split\'s', () => {
    const r = routerFor(
      route({
        filters: [{ type: 'mirror', cluster: 'm', percent: 100 }],
        splits: [split('a', 1, [{ type: 'mirror', cluster: 'b', percent: 10 }, { type: 'mirror', cluster: 'c', percent: 0 }])],
        timeout: { request: 5000, backendRequest: 1000 },
        retry: { attempts: 2, codes: [503] },
      }),
    );
    const d = forward(ask(r, { url: '/' }));
    assert.deepEqual(d.mirrors.map((m) => [m.cluster.name, m.percent]), [['m', 100], ['b', 10]]);
    assert.equal(d.mirrors[0]!.cluster, r.snapshot.clusters.find((c) => c.name === 'm'), 'the snapshot\'s Cluster object');
    assert.deepEqual(d.timeout, { request: 5000, backendRequest: 1000 });
    assert.deepEqual(d.retry, { attempts: 2, codes: [503] });
  });

  it('a route without filters forwards with shared empty edits and mirrors, and no response edits', () => {
    const r = routerFor(route());
    const d1 = forward(ask(r, { url: '/' }));
    const d2 = forward(ask(r, { url: '/x' }));
    assert.equal(d1.request, d2.request);
    assert.equal(d1.mirrors, d2.mirrors);
    assert.equal(d1.mirrors.length, 0);
    assert.equal(d1.response, undefined);
    assert.equal(d1.timeout, undefined);
    assert.equal(d1.retry, undefined);
  });
});
