// byPrecedence: the HTTPRoute and GRPCRoute match precedence, one test per tiebreak (item 5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byPrecedence, grpcRouteRules, httpRouteRules, type RankedRoute } from '../../../src/gateway-api/route-rules.ts';
import type { GRPCRouteMatch, HTTPRouteMatch } from '../../../src/gateway-api/route-types.ts';
import { ruleContext } from './rule-context.ts';

const backendRefs = [{ name: 'web', port: 80 }];

/** One HTTPRoute `ns/name`: one rule per entry of `rules`, each with those matches. */
function http(key: string, rules: HTTPRouteMatch[][], created = '2024-01-01T00:00:00Z'): RankedRoute[] {
  const [namespace = '', name = ''] = key.split('/');
  const spec = { rules: rules.map((matches) => ({ matches, backendRefs })) };
  return [...httpRouteRules(spec, ruleContext({ namespace, name, backends: [{ namespace, name: 'web', ports: [{ port: 80 }] }] }), created).routes];
}

function grpc(key: string, rules: GRPCRouteMatch[][], created = '2024-01-01T00:00:00Z'): RankedRoute[] {
  const [namespace = '', name = ''] = key.split('/');
  const spec = { rules: rules.map((matches) => ({ matches, backendRefs })) };
  return [...grpcRouteRules(spec, ruleContext({ kind: 'GRPCRoute', namespace, name, backends: [{ namespace, name: 'web', ports: [{ name: 'grpc', port: 80 }] }] }), created).routes];
}

const label = (r: RankedRoute): string => `${r.key}#${r.ruleIndex}.${r.matchIndex}`;

/** Sorting the routes in reverse (and rotated) gives the order they were listed in. */
function assertOrder(routes: RankedRoute[]): void {
  const want = routes.map(label);
  for (const start of [[...routes].reverse(), [...routes.slice(1), ...routes.slice(0, 1)]]) {
    assert.deepEqual([...start].sort(byPrecedence).map(label), want);
  }
}

test('HTTPRoute: an Exact path beats a longer PathPrefix', () => {
  assertOrder([...http('a/exact', [[{ path: { type: 'Exact', value: '/a' } }]]), ...http('a/prefix', [[{ path: { value: '/a/very/long/prefix' } }]])]);
});

test('HTTPRoute: the longest path prefix (in characters) wins', () => {
  assertOrder([...http('z/long', [[{ path: { value: '/abc/def' } }]]), ...http('a/short', [[{ path: { value: '/abc' } }]]), ...http('a/root', [[{}]])]);
});

test('HTTPRoute: a RegularExpression path comes after Exact and before any prefix (implementation-specific; longer first)', () => {
  assertOrder([
    ...http('z/exact', [[{ path: { type: 'Exact', value: '/x' } }]]),
    ...http('z/regex-long', [[{ path: { type: 'RegularExpression', value: '/x/[a-z]+' } }]]),
    ...http('a/regex', [[{ path: { type: 'RegularExpression', value: '/.*' } }]]),
    ...http('a/prefix', [[{ path: { value: '/x/y/z' } }]]),
  ]);
});

test('HTTPRoute: with equal paths, a method match wins', () => {
  assertOrder([...http('z/method', [[{ path: { value: '/p' }, method: 'GET' }]]), ...http('a/any', [[{ path: { value: '/p' }, headers: [{ name: 'a', value: '1' }] }]])]);
});

test('HTTPRoute: then the most header matches', () => {
  const h = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `h${i}`, value: 'v' }));
  assertOrder([
    ...http('z/two', [[{ headers: h(2) }]]),
    ...http('z/one', [[{ headers: h(1), queryParams: [{ name: 'q', value: '1' }, { name: 'r', value: '1' }] }]]),
  ]);
});

test('HTTPRoute: then the most query param matches', () => {
  assertOrder([...http('z/two', [[{ queryParams: [{ name: 'a', value: '1' }, { name: 'b', value: '1' }] }]]), ...http('a/one', [[{ queryParams: [{ name: 'a', value: '1' }] }]])]);
});

test('ties across routes: the oldest creationTimestamp first; a route without one counts as newest', () => {
  assertOrder([
    ...http('z/old', [[{}]], '2020-09-08T01:02:03Z'),
    ...http('a/new', [[{}]], '2020-09-08T01:02:04Z'),
    ...http('a/unknown', [[{}]], ''),
  ]);
});

test('ties across routes of the same age: alphabetical namespace/name', () => {
  assertOrder([...http('foo/bar', [[{}]]), ...http('foo/baz', [[{}]]), ...http('goo/aaa', [[{}]])]);
});

test('ties within a route: the first rule, then the first match', () => {
  const routes = http('ns/r', [[{ path: { value: '/x' } }, { path: { value: '/x' } }], [{ path: { value: '/x' } }]]);
  assert.deepEqual(routes.map(label), ['ns/r#0.0', 'ns/r#0.1', 'ns/r#1.0']);
  assertOrder(routes);
});

test('GRPCRoute: exact service and method, then service only, then method only, then every method', () => {
  assertOrder([
    ...grpc('z/both', [[{ method: { service: 'pkg.Echo', method: 'Say' } }]]),
    ...grpc('y/service', [[{ method: { service: 'pkg.Echo' } }]]),
    ...grpc('x/method', [[{ method: { method: 'Say' } }]]),
    ...grpc('a/every', [[{ headers: [{ name: 'a', value: '1' }] }]]),
  ]);
});

test('GRPCRoute: more characters of service first, then of method', () => {
  assertOrder([
    ...grpc('z/long-service', [[{ method: { service: 'pkg.LongerName', method: 'A' } }]]),
    ...grpc('a/long-method', [[{ method: { service: 'pkg.Echo', method: 'LongMethod' } }]]),
    ...grpc('a/short-method', [[{ method: { service: 'pkg.Echo', method: 'Say' } }]]),
  ]);
});

test('GRPCRoute: then the most header matches, then the same route tiebreaks', () => {
  assertOrder([
    ...grpc('z/headers', [[{ method: { service: 'pkg.Echo' }, headers: [{ name: 'a', value: '1' }] }]]),
    ...grpc('b/old', [[{ method: { service: 'pkg.Echo' } }]], '2020-01-01T00:00:00Z'),
    ...grpc('a/new', [[{ method: { service: 'pkg.Echo' } }]], '2021-01-01T00:00:00Z'),
    ...grpc('b/new', [[{ method: { service: 'pkg.Echo' } }, { method: { service: 'pkg.Echo' } }]], '2021-01-01T00:00:00Z'),
  ]);
});

test('GRPCRoute: between equally long names, an exact match before a regular expression', () => {
  assertOrder([...grpc('z/exact', [[{ method: { service: 'pkg.Echo' } }]]), ...grpc('a/regex', [[{ method: { type: 'RegularExpression', service: 'pkg.Ech.' } }]])]);
});
