// The router's matchers on hand-built IR snapshots, with the Gateway API's semantics: path prefix,
// segment prefix, exact and regex; headers exact, regex and present; query parameters; method.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RouterBuilder } from '../../src/proxy/router-builder.ts';
import { ask, route, routerFor, snapshotOf, split, target, vhost } from './ir-helpers.ts';

describe('path matches', () => {
  it('a literal prefix matches any path starting with it (Knative, Envoy prefix)', () => {
    const r = routerFor(route({ path: { type: 'prefix', value: '/foo' }, splits: [split('a')] }), route({ splits: [split('b')] }));
    assert.equal(target(ask(r, { url: '/foo' })), 'a');
    assert.equal(target(ask(r, { url: '/foobar' })), 'a');
    assert.equal(target(ask(r, { url: '/fo' })), 'b');
  });

  it('a segment prefix matches whole segments only, ignoring a trailing slash in its value', () => {
    for (const value of ['/foo', '/foo/']) {
      const r = routerFor(route({ path: { type: 'segment-prefix', value }, splits: [split('a')] }), route({ splits: [split('b')] }));
      for (const url of ['/foo', '/foo/', '/foo/bar', '/foo?x=1']) assert.equal(target(ask(r, { url })), 'a', `${value} ${url}`);
      for (const url of ['/foobar', '/fo', '/']) assert.equal(target(ask(r, { url })), 'b', `${value} ${url}`);
    }
    const root = routerFor(route({ path: { type: 'segment-prefix', value: '/' }, splits: [split('a')] }));
    for (const url of ['/', '/x', '/x/y']) assert.equal(target(ask(root, { url })), 'a', url);
  });

  it('an exact path matches only itself, case-sensitively, whatever the query', () => {
    const r = routerFor(route({ path: { type: 'exact', value: '/foo' }, splits: [split('a')] }), route({ splits: [split('b')] }));
    assert.equal(target(ask(r, { url: '/foo' })), 'a');
    assert.equal(target(ask(r, { url: '/foo?q=1' })), 'a');
    for (const url of ['/foo/', '/foobar', '/Foo']) assert.equal(target(ask(r, { url })), 'b', url);
  });

  it('a regex path must match the whole (normalised) path', () => {
    const r = routerFor(route({ path: { type: 'regex', value: '/v[0-9]+/.*' }, splits: [split('a')] }), route({ splits: [split('b')] }));
    assert.equal(target(ask(r, { url: '/v1/x' })), 'a');
    assert.equal(target(ask(r, { url: '/v12/x/../y' })), 'a');
    assert.equal(target(ask(r, { url: '/api/v1/x' })), 'b', 'not a substring search');
    assert.equal(target(ask(r, { url: '/v1' })), 'b');
  });

  it('an invalid regex never matches, is reported once, and leaves the other routes serving', () => {
    const problems: string[] = [];
    const builder = new RouterBuilder((p) => problems.push(p));
    const bad = route({ path: { type: 'regex', value: '/(a' }, splits: [split('a')] });
    const lookahead = route({ headers: [{ name: 'x', match: { type: 'regex', value: '(?=x)' } }], splits: [split('a')] });
    const snapshot = snapshotOf([vhost(['h.example.com'], [bad, lookahead, route({ splits: [split('b')] })])]);
    const r = builder.next({ snapshot, previous: undefined, diffs: undefined });
    assert.equal(target(ask(r, { url: '/(a', raw: ['x', 'x'] })), 'b');
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0]!, /h\.example\.com route 0 .*invalid regex "\/\(a"/);
    assert.match(problems[1]!, /route 1 .*headers\[0\] x: invalid regex/);
    // The next snapshot with the same routes compiles them again; nothing is reported twice.
    builder.next({ snapshot: { ...snapshot, version: 2, listeners: { external: [vhost(['h.example.com'], [{ ...bad }, { ...lookahead }])], local: [] } }, previous: snapshot, diffs: undefined });
    assert.equal(problems.length, 2);
  });
});

describe('header matches', () => {
  const r = routerFor(
    route({ headers: [{ name: 'x-exact', match: { type: 'exact', value: 'Blue' } }], splits: [split('a')] }),
    route({ headers: [{ name: 'x-re', match: { type: 'regex', value: 'v[12]' } }], splits: [split('b')] }),
    route({ headers: [{ name: 'x-any', match: { type: 'present' } }], splits: [split('c')] }),
    route({ splits: [split('m')] }),
  );

  it('exact values are case-sensitive; names are not', () => {
    assert.equal(target(ask(r, { url: '/', raw: ['X-Exact', 'Blue'] })), 'a');
    assert.equal(target(ask(r, { url: '/', raw: ['x-exact', 'blue'] })), 'm');
  });

  it('a regex matches the whole value; repeated headers are matched joined by commas', () => {
    assert.equal(target(ask(r, { url: '/', raw: ['x-re', 'v2'] })), 'b');
    assert.equal(target(ask(r, { url: '/', raw: ['x-re', 'v22'] })), 'm');
    assert.equal(target(ask(r, { url: '/', raw: ['x-re', 'v1', 'x-re', 'v2'] })), 'm', '`v1,v2` is not matched');
  });

  it('present matches any value, the empty one included, and not an absent header', () => {
    assert.equal(target(ask(r, { url: '/', raw: ['X-Any', ''] })), 'c');
    assert.equal(target(ask(r, { url: '/', raw: ['x-other', 'v'] })), 'm');
  });

  it('every header of a route must match', () => {
    const both = routerFor(
      route({ headers: [{ name: 'a', match: { type: 'exact', value: '1' } }, { name: 'b', match: { type: 'present' } }], splits: [split('a')] }),
      route({ splits: [split('b')] }),
    );
    assert.equal(target(ask(both, { url: '/', raw: ['a', '1', 'b', 'x'] })), 'a');
    assert.equal(target(ask(both, { url: '/', raw: ['a', '1'] })), 'b');
  });
});

describe('query parameter matches', () => {
  const r = routerFor(
    route({ query: [{ name: 'v', match: { type: 'exact', value: 'a b' } }], splits: [split('c')] }),
    route({ query: [{ name: 'v', match: { type: 'exact', value: '2' } }], splits: [split('a')] }),
    route({ query: [{ name: 'id', match: { type: 'regex', value: '[0-9]+' } }], splits: [split('b')] }),
    route({ query: [{ name: 'debug', match: { type: 'present' } }], splits: [split('c')] }),
    route({ splits: [split('m')] }),
  );

  it('matches the first occurrence of a parameter, by its exact (case-sensitive) name', () => {
    assert.equal(target(ask(r, { url: '/p?v=2' })), 'a');
    assert.equal(target(ask(r, { url: '/p?x=1&v=2&v=3' })), 'a');
    assert.equal(target(ask(r, { url: '/p?v=3&v=2' })), 'm', 'only the first v counts');
    assert.equal(target(ask(r, { url: '/p?V=2' })), 'm');
    assert.equal(target(ask(r, { url: '/p?vv=2' })), 'm');
  });

  it('compares values as sent, not percent-decoded, as Envoy does', () => {
    assert.equal(target(ask(r, { url: '/p?v=%32' })), 'm');
    assert.equal(target(ask(r, { url: '/p?v=a%20b' })), 'm');
    assert.equal(target(ask(r, { url: '/p?v=a+b' })), 'm');
  });

  it('a regex matches the whole value; present matches a parameter with or without a value', () => {
    assert.equal(target(ask(r, { url: '/p?id=42' })), 'b');
    assert.equal(target(ask(r, { url: '/p?id=42x' })), 'm');
    assert.equal(target(ask(r, { url: '/p?debug' })), 'c');
    assert.equal(target(ask(r, { url: '/p?debug=' })), 'c');
    assert.equal(target(ask(r, { url: '/p' })), 'm');
  });
});

describe('method matches', () => {
  it('a route with a method takes only that method; one without takes any', () => {
    const r = routerFor(route({ method: 'POST', splits: [split('a')] }), route({ splits: [split('b')] }));
    assert.equal(target(ask(r, { url: '/', method: 'POST' })), 'a');
    assert.equal(target(ask(r, { url: '/', method: 'GET' })), 'b');
    assert.equal(target(ask(r, { url: '/', method: 'post' })), 'b', 'methods are case-sensitive');
  });

  it('with nothing else matching, a method mismatch is not found', () => {
    const r = routerFor(route({ method: 'PUT', splits: [split('a')] }));
    assert.deepEqual(ask(r, { url: '/', method: 'GET' }), { kind: 'not-found', what: 'path', ingress: 'HTTPRoute default/web' });
  });
});
