// GRPCRoute rules -> IR routes (item 4 of the route rules translator).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RE2JS } from 're2js';
import { grpcRouteRules } from '../../../src/gateway-api/route-rules.ts';
import type { GRPCRouteMatch, GRPCRouteRule } from '../../../src/gateway-api/route-types.ts';
import { ruleContext } from './rule-context.ts';

const backends = [{ name: 'grpc', ports: [{ name: 'grpc', port: 50051 }] }];
const backendRefs = [{ name: 'grpc', port: 50051 }];

function translate(rules: GRPCRouteRule[]) {
  return grpcRouteRules({ rules }, ruleContext({ kind: 'GRPCRoute', name: 'g', backends }), '');
}

function paths(matches: GRPCRouteMatch[]) {
  const r = translate([{ matches, backendRefs }]);
  assert.equal(r.unsupported, undefined, r.unsupported?.message);
  return r.routes.map((x) => x.route.path);
}

function regexMatches(pattern: string, path: string): boolean {
  return RE2JS.compile(pattern).matches(path);
}

test('no matches: every method (every path), with the rule\'s backend as h2c', () => {
  const r = translate([{ backendRefs }]);
  assert.deepEqual(r.routes.map((x) => x.route.path), [{ type: 'segment-prefix', value: '/' }]);
  assert.deepEqual(r.routes[0]?.route.splits, [{ cluster: 'default/grpc:50051', weight: 1, filters: [] }]);
  assert.equal(r.routes[0]?.route.ingress, 'GRPCRoute default/g');
});

test('a GRPCRoute without rules serves nothing (unlike HTTPRoute, its CRD has no default rule)', () => {
  const ctx = ruleContext({ kind: 'GRPCRoute', backends });
  assert.deepEqual(grpcRouteRules({}, ctx, '').routes, []);
  assert.deepEqual(grpcRouteRules({ rules: [] }, ctx, '').routes, []);
});

test('Exact method matches: service and method exact, service alone a prefix, method alone a regex over any service', () => {
  const [both, service, method] = paths([
    { method: { service: 'pkg.Echo', method: 'Say' } },
    { method: { type: 'Exact', service: 'pkg.Echo' } },
    { method: { method: 'Say' } },
  ]);
  assert.deepEqual(both, { type: 'exact', value: '/pkg.Echo/Say' });
  assert.deepEqual(service, { type: 'prefix', value: '/pkg.Echo/' });
  assert.equal(method?.type, 'regex');
  assert.ok(regexMatches(method?.value ?? '', '/any.Service/Say'));
  assert.ok(!regexMatches(method?.value ?? '', '/any.Service/SayMore'));
  assert.ok(!regexMatches(method?.value ?? '', '/a/b/Say'));
});

test('RegularExpression method matches become one path regex; an absent part matches any one segment', () => {
  const [both, service] = paths([{ method: { type: 'RegularExpression', service: 'pkg\\.(Echo|Ping)', method: 'S.*' } }, { method: { type: 'RegularExpression', service: 'pkg\\..*' } }]);
  assert.equal(both?.type, 'regex');
  assert.ok(regexMatches(both?.value ?? '', '/pkg.Ping/Send'));
  assert.ok(!regexMatches(both?.value ?? '', '/pkg.Other/Send'));
  assert.ok(!regexMatches(both?.value ?? '', '/pkg.Echo/Ask'));
  assert.ok(regexMatches(service?.value ?? '', '/pkg.Anything/Method'));
});

test('invalid method matches are unsupported and dropped: bad names, neither service nor method, a regex RE2 rejects', () => {
  const bad: GRPCRouteMatch[] = [
    { method: { service: 'pkg/Echo' } },
    { method: { method: 'Say.Hi' } },
    { method: {} },
    { method: { type: 'RegularExpression', method: '(' } },
  ];
  for (let i = 0; i < bad.length; i++) {
    const r = translate([{ matches: [bad[i] as GRPCRouteMatch], backendRefs }]);
    assert.equal(r.routes.length, 0, JSON.stringify(bad[i]));
    assert.match(r.unsupported?.message ?? '', /^spec\.rules\[0\]\.matches\[0\]\.method/);
  }
});

test('header matches as HTTPRoute\'s: lower-cased names, Exact and RegularExpression, the first entry for a name wins', () => {
  const r = translate([
    {
      matches: [{ headers: [{ name: 'Version', value: '2' }, { type: 'RegularExpression', name: 'Env', value: 'canary.*' }, { name: 'version', value: '3' }] }],
      backendRefs,
    },
  ]);
  assert.deepEqual(r.routes[0]?.route.headers, [
    { name: 'version', match: { type: 'exact', value: '2' } },
    { name: 'env', match: { type: 'regex', value: 'canary.*' } },
  ]);
  assert.deepEqual(r.routes[0]?.route.query, []);
});

test('GRPCRoute filters: header modifiers and mirrors apply; HTTP-only filter types are unsupported and the rule answers 500', () => {
  const ok = translate([
    {
      filters: [
        { type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'X-A', value: '1' }] } },
        { type: 'RequestMirror', requestMirror: { backendRef: { name: 'grpc', port: 50051 } } },
      ],
      backendRefs,
    },
  ]);
  assert.equal(ok.unsupported, undefined);
  assert.deepEqual(ok.routes[0]?.route.filters, [
    { type: 'request-headers', edits: { set: [], add: [['x-a', '1']], remove: [] } },
    { type: 'mirror', cluster: 'default/grpc:50051', percent: 100 },
  ]);
  const bad = translate([{ filters: [{ type: 'URLRewrite' as 'RequestHeaderModifier' }], backendRefs }]);
  assert.match(bad.unsupported?.message ?? '', /filters\[0\]\.type: "URLRewrite" is not supported here/);
  assert.deepEqual(bad.routes[0]?.route.splits, [{ weight: 1, filters: [] }]);
});

test('GRPCRoute ranked routes carry what their method match named, for precedence', () => {
  const r = translate([{ matches: [{ method: { service: 'pkg.Echo', method: 'Say' } }, {}], backendRefs }]);
  assert.deepEqual(r.routes.map((x) => x.grpc), [
    { service: 'pkg.Echo', method: 'Say', regex: false },
    { service: '', method: '', regex: false },
  ]);
});
