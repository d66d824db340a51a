// HTTPRoute matches -> IR route matchers (item 1 of the route rules translator).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpRouteRules } from '../../../src/gateway-api/route-rules.ts';
import type { HTTPRouteMatch, HTTPRouteSpec } from '../../../src/gateway-api/route-types.ts';
import { ruleContext } from './rule-context.ts';

const backend = { name: 'web', port: 80 };

function oneRule(matches: HTTPRouteMatch[] | undefined): HTTPRouteSpec {
  return { rules: [{ ...(matches && { matches }), backendRefs: [backend] }] };
}

test('a route without rules, and a rule without matches, match every path with one PathPrefix / route', () => {
  for (const spec of [{}, { rules: [{}] }, oneRule(undefined), oneRule([])] as HTTPRouteSpec[]) {
    const r = httpRouteRules(spec, ruleContext(), '');
    assert.equal(r.routes.length, 1);
    assert.deepEqual(r.routes[0]?.route.path, { type: 'segment-prefix', value: '/' });
    assert.equal(r.unsupported, undefined);
  }
});

test('an explicit empty rule list serves nothing (the CRD default applies only when rules are omitted)', () => {
  assert.deepEqual(httpRouteRules({ rules: [] }, ruleContext(), '').routes, []);
});

test('path match types: Exact, PathPrefix (segment prefix, the default type) and RegularExpression', () => {
  const r = httpRouteRules(
    oneRule([
      { path: { type: 'Exact', value: '/exact' } },
      { path: { type: 'PathPrefix', value: '/pre/' } },
      { path: { value: '/typeless' } },
      { path: { type: 'RegularExpression', value: '/v[0-9]+/.*' } },
    ]),
    ruleContext(),
    '',
  );
  assert.deepEqual(
    r.routes.map((x) => x.route.path),
    [
      { type: 'exact', value: '/exact' },
      { type: 'segment-prefix', value: '/pre/' },
      { type: 'segment-prefix', value: '/typeless' },
      { type: 'regex', value: '/v[0-9]+/.*' },
    ],
  );
});

test('an invalid path regex drops that match and is unsupported with a message naming the field; the other matches stay', () => {
  const r = httpRouteRules(oneRule([{ path: { type: 'Exact', value: '/ok' } }, { path: { type: 'RegularExpression', value: '/(unclosed' } }]), ruleContext(), '');
  assert.deepEqual(r.routes.map((x) => [x.route.path.value, x.matchIndex]), [['/ok', 0]]);
  assert.equal(r.unsupported?.reason, 'UnsupportedValue');
  assert.match(r.unsupported?.message ?? '', /^spec\.rules\[0\]\.matches\[1\]\.path\.value: invalid regular expression/);
});

test('a path regex that RE2 rejects (backreference) is unsupported, though RegExp would accept it', () => {
  const r = httpRouteRules(oneRule([{ path: { type: 'RegularExpression', value: '/(a)\\1' } }]), ruleContext(), '');
  assert.equal(r.routes.length, 0);
  assert.match(r.unsupported?.message ?? '', /matches\[0\]\.path\.value/);
});

test('a path that does not start with / is unsupported', () => {
  const r = httpRouteRules(oneRule([{ path: { type: 'PathPrefix', value: 'foo' } }]), ruleContext(), '');
  assert.equal(r.routes.length, 0);
  assert.match(r.unsupported?.message ?? '', /matches\[0\]\.path\.value: must start with "\/"/);
});

test('header matches: names lower-cased, Exact (default) and RegularExpression; the first entry for a name wins', () => {
  const r = httpRouteRules(
    oneRule([
      {
        headers: [
          { name: 'X-Version', value: 'one' },
          { type: 'RegularExpression', name: 'X-Env', value: 'prod|stage' },
          { name: 'x-version', value: 'two' },
        ],
      },
    ]),
    ruleContext(),
    '',
  );
  assert.deepEqual(r.routes[0]?.route.headers, [
    { name: 'x-version', match: { type: 'exact', value: 'one' } },
    { name: 'x-env', match: { type: 'regex', value: 'prod|stage' } },
  ]);
});

test('an invalid header regex is unsupported, naming the header entry', () => {
  const r = httpRouteRules(oneRule([{ headers: [{ type: 'RegularExpression', name: 'a', value: '[' }] }]), ruleContext(), '');
  assert.equal(r.routes.length, 0);
  assert.match(r.unsupported?.message ?? '', /^spec\.rules\[0\]\.matches\[0\]\.headers\[0\]\.value: invalid regular expression/);
});

test('query param matches: names are case-sensitive; the first entry for an exact name wins', () => {
  const r = httpRouteRules(
    oneRule([
      {
        queryParams: [
          { name: 'animal', value: 'whale' },
          { name: 'Animal', type: 'RegularExpression', value: 'dolphin|orca' },
          { name: 'animal', value: 'shark' },
        ],
      },
    ]),
    ruleContext(),
    '',
  );
  assert.deepEqual(r.routes[0]?.route.query, [
    { name: 'animal', match: { type: 'exact', value: 'whale' } },
    { name: 'Animal', match: { type: 'regex', value: 'dolphin|orca' } },
  ]);
});

test('method match; an unknown method is unsupported', () => {
  const r = httpRouteRules(oneRule([{ method: 'POST' }, { method: 'BREW' as 'GET' }]), ruleContext(), '');
  assert.deepEqual(r.routes.map((x) => x.route.method), ['POST']);
  assert.match(r.unsupported?.message ?? '', /matches\[1\]\.method/);
});

test('each match becomes one ranked route carrying the rule\'s filters and splits, the route key and creation time', () => {
  const spec: HTTPRouteSpec = {
    rules: [
      { matches: [{ path: { value: '/a' } }], backendRefs: [backend] },
      {
        matches: [{ path: { value: '/b' } }, { path: { value: '/c' } }],
        filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-A', value: '1' }] } }],
        backendRefs: [{ ...backend, weight: 3 }],
      },
    ],
  };
  const r = httpRouteRules(spec, ruleContext({ namespace: 'ns', name: 'web', backends: [{ namespace: 'ns', name: 'web', ports: [{ port: 80 }] }] }), '2024-01-01T00:00:00Z');
  assert.deepEqual(r.routes.map((x) => [x.key, x.ruleIndex, x.matchIndex, x.created, x.route.ingress]), [
    ['ns/web', 0, 0, '2024-01-01T00:00:00Z', 'HTTPRoute ns/web'],
    ['ns/web', 1, 0, '2024-01-01T00:00:00Z', 'HTTPRoute ns/web'],
    ['ns/web', 1, 1, '2024-01-01T00:00:00Z', 'HTTPRoute ns/web'],
  ]);
  const [, b, c] = r.routes;
  assert.deepEqual(b?.route.filters, [{ type: 'request-headers', edits: { set: [['x-a', '1']], add: [], remove: [] } }]);
  assert.deepEqual(b?.route.splits, [{ cluster: 'ns/web:80', weight: 3, filters: [] }]);
  assert.deepEqual(c?.route.filters, b?.route.filters);
  assert.deepEqual(c?.route.splits, b?.route.splits);
});

test('Exact and PathPrefix values the CRD forbids (//, /./, /../, %2f, #, a trailing /. or /.., odd characters) are unsupported', () => {
  for (const value of ['/a//b', '/a/./b', '/a/../b', '/a%2fb', '/a%2Fb', '/a#b', '/a/.', '/a/..', '/a b', '/a\nb']) {
    const r = httpRouteRules(oneRule([{ path: { type: 'PathPrefix', value } }]), ruleContext(), '');
    assert.equal(r.routes.length, 0, value);
    assert.match(r.unsupported?.message ?? '', /matches\[0\]\.path\.value: /, value);
  }
  const ok = httpRouteRules(oneRule([{ path: { type: 'Exact', value: "/a-b_c.d~e!$&'()*+,;=:@/%20" } }]), ruleContext(), '');
  assert.equal(ok.unsupported, undefined, ok.unsupported?.message);
});
