// HTTPRoute filters -> IR filters (item 2 of the route rules translator).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpRouteRules } from '../../../src/gateway-api/route-rules.ts';
import type { HTTPRouteFilter, HTTPRouteMatch, HTTPRouteRule } from '../../../src/gateway-api/route-types.ts';
import type { Route } from '../../../src/snapshot/types.ts';
import { ruleContext, WEB } from './rule-context.ts';

const backend = { name: 'web', port: 80 };
const MIRROR = { name: 'mirror', ports: [{ port: 9000 }] };

function translate(rule: HTTPRouteRule) {
  return httpRouteRules({ rules: [rule] }, ruleContext({ backends: [WEB, MIRROR] }), '');
}

function onlyRoute(filters: HTTPRouteFilter[], matches?: HTTPRouteMatch[]): Route {
  const r = translate({ filters, backendRefs: [backend], ...(matches && { matches }) });
  assert.equal(r.unsupported, undefined, r.unsupported?.message);
  assert.equal(r.routes.length, 1);
  return (r.routes[0] as { route: Route }).route;
}

const ANSWERS_500 = [{ weight: 1, filters: [] }];

test('RequestHeaderModifier and ResponseHeaderModifier become header edits with lower-cased names', () => {
  const route = onlyRoute([
    { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Set', value: 'a' }], add: [{ name: 'X-Add', value: 'b' }], remove: ['X-Gone'] } },
    { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'X-Resp', value: 'c' }] } },
  ]);
  assert.deepEqual(route.filters, [
    { type: 'request-headers', edits: { set: [['x-set', 'a']], add: [['x-add', 'b']], remove: ['x-gone'] } },
    { type: 'response-headers', edits: { set: [], add: [['x-resp', 'c']], remove: [] } },
  ]);
});

test('RequestRedirect: scheme, hostname, port, full path and status code; the route answers itself (no splits)', () => {
  const route = onlyRoute([
    { type: 'RequestRedirect', requestRedirect: { scheme: 'https', hostname: 'example.org', port: 8443, path: { type: 'ReplaceFullPath', replaceFullPath: '/new' }, statusCode: 301 } },
  ]);
  assert.deepEqual(route.filters, [{ type: 'redirect', statusCode: 301, scheme: 'https', hostname: 'example.org', port: 8443, path: { type: 'full', value: '/new' } }]);
  assert.deepEqual(route.splits, []);
});

test('RequestRedirect defaults to 302; a scheme without a port redirects to the scheme\'s well-known port', () => {
  assert.deepEqual(onlyRoute([{ type: 'RequestRedirect', requestRedirect: { hostname: 'a.example' } }]).filters, [{ type: 'redirect', statusCode: 302, hostname: 'a.example' }]);
  assert.deepEqual(onlyRoute([{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }]).filters, [{ type: 'redirect', statusCode: 302, scheme: 'https', port: 443 }]);
  assert.deepEqual(onlyRoute([{ type: 'RequestRedirect', requestRedirect: { scheme: 'http' } }]).filters, [{ type: 'redirect', statusCode: 302, scheme: 'http', port: 80 }]);
});

test('RequestRedirect accepts the experimental 303, 307 and 308; another status code makes the rule answer 500', () => {
  for (const statusCode of [303, 307, 308] as const) {
    assert.deepEqual(onlyRoute([{ type: 'RequestRedirect', requestRedirect: { statusCode } }]).filters, [{ type: 'redirect', statusCode }]);
  }
  const r = translate({ filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 304 as 301 } }], backendRefs: [backend] });
  assert.match(r.unsupported?.message ?? '', /^spec\.rules\[0\]\.filters\[0\]\.requestRedirect\.statusCode: 304/);
  assert.deepEqual(r.routes[0]?.route.splits, ANSWERS_500);
  assert.deepEqual(r.routes[0]?.route.filters, []);
});

test('ReplacePrefixMatch (redirect and rewrite) on a PathPrefix match', () => {
  const matches: HTTPRouteMatch[] = [{ path: { type: 'PathPrefix', value: '/old' } }];
  const redirect = onlyRoute([{ type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }], matches);
  assert.deepEqual(redirect.filters, [{ type: 'redirect', statusCode: 302, path: { type: 'prefix', value: '/new' } }]);
  const rewrite = onlyRoute([{ type: 'URLRewrite', urlRewrite: { hostname: 'inner.example', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }], matches);
  assert.deepEqual(rewrite.filters, [{ type: 'url-rewrite', hostname: 'inner.example', path: { type: 'prefix', value: '/' } }]);
  assert.deepEqual(rewrite.splits, [{ cluster: 'default/web:80', weight: 1, filters: [] }]);
});

test('ReplacePrefixMatch without a PathPrefix match is invalid: unsupported, and the rule answers 500', () => {
  const r = translate({
    matches: [{ path: { type: 'Exact', value: '/old' } }],
    filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' } } }],
    backendRefs: [backend],
  });
  assert.match(r.unsupported?.message ?? '', /filters\[0\]\.urlRewrite\.path: ReplacePrefixMatch needs/);
  assert.deepEqual(r.routes[0]?.route.splits, ANSWERS_500);
});

test('URLRewrite with ReplaceFullPath', () => {
  assert.deepEqual(onlyRoute([{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/full' } } }]).filters, [
    { type: 'url-rewrite', path: { type: 'full', value: '/full' } },
  ]);
});

test('a RequestRedirect and a URLRewrite together are invalid: the rule answers 500', () => {
  const r = translate({
    filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'a' } }, { type: 'URLRewrite', urlRewrite: { hostname: 'b' } }],
    backendRefs: [backend],
  });
  assert.match(r.unsupported?.message ?? '', /RequestRedirect and URLRewrite cannot be used together/);
  assert.deepEqual(r.routes[0]?.route.splits, ANSWERS_500);
});

test('a filter type given twice (other than RequestMirror) is invalid', () => {
  const h = { type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'a', value: '1' }] } } as const;
  const r = translate({ filters: [h, h], backendRefs: [backend] });
  assert.match(r.unsupported?.message ?? '', /filters\[1\]\.type: RequestHeaderModifier may appear only once/);
});

test('RequestMirror: the backendRef becomes a cluster; percent, fraction, and every request by default; several mirrors', () => {
  const r = translate({
    filters: [
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'mirror', port: 9000 } } },
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'mirror', port: 9000 }, percent: 42 } },
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'web', port: 80 }, fraction: { numerator: 1, denominator: 8 } } },
    ],
    backendRefs: [backend],
  });
  assert.equal(r.unsupported, undefined);
  assert.deepEqual(r.routes[0]?.route.filters, [
    { type: 'mirror', cluster: 'default/mirror:9000', percent: 100 },
    { type: 'mirror', cluster: 'default/mirror:9000', percent: 42 },
    { type: 'mirror', cluster: 'default/web:80', percent: 12.5 },
  ]);
  assert.deepEqual(r.clusters.map((c) => c.name), ['default/mirror:9000', 'default/web:80']);
});

test('a RequestMirror to a missing Service is left out and reported BackendNotFound; the route still serves', () => {
  const r = translate({ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'nope', port: 1 } } }], backendRefs: [backend] });
  assert.equal(r.unresolved?.reason, 'BackendNotFound');
  assert.match(r.unresolved?.message ?? '', /filters\[0\]\.requestMirror\.backendRef/);
  assert.deepEqual(r.routes[0]?.route.filters, []);
  assert.deepEqual(r.routes[0]?.route.splits, [{ cluster: 'default/web:80', weight: 1, filters: [] }]);
});

test('CORS (experimental) becomes a CorsPolicy; maxAge defaults to 5 seconds', () => {
  const route = onlyRoute([
    { type: 'CORS', cors: { allowOrigins: ['https://*.example.com'], allowMethods: ['GET', 'POST'], allowHeaders: ['x-a'], exposeHeaders: ['x-b'], allowCredentials: true } },
  ]);
  assert.deepEqual(route.filters, [
    { type: 'cors', policy: { allowOrigins: ['https://*.example.com'], allowMethods: ['GET', 'POST'], allowHeaders: ['x-a'], exposeHeaders: ['x-b'], maxAge: 5, allowCredentials: true } },
  ]);
});

test('ExtensionRef is unsupported and the rule answers 500, as the spec requires for a filter that cannot be resolved', () => {
  const r = translate({ filters: [{ type: 'ExtensionRef', extensionRef: { group: 'example.io', kind: 'Magic', name: 'm' } }], backendRefs: [backend] });
  assert.equal(r.unsupported?.reason, 'UnsupportedValue');
  assert.match(r.unsupported?.message ?? '', /^spec\.rules\[0\]\.filters\[0\]\.extensionRef: example\.io\/Magic "m" cannot be resolved/);
  assert.deepEqual(r.routes[0]?.route.filters, []);
  assert.deepEqual(r.routes[0]?.route.splits, ANSWERS_500);
});

test('an unknown filter type is unsupported and the rule answers 500', () => {
  const r = translate({ filters: [{ type: 'ExternalAuth' }], backendRefs: [backend] });
  assert.match(r.unsupported?.message ?? '', /filters\[0\]\.type: "ExternalAuth" is not supported/);
  assert.deepEqual(r.routes[0]?.route.splits, ANSWERS_500);
});

test('per-backend filters go on that backend\'s split; an unresolvable one makes only that split answer 500', () => {
  const r = translate({
    backendRefs: [
      { ...backend, weight: 2, filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Backend', value: 'web' }] } }] },
      { name: 'mirror', port: 9000, filters: [{ type: 'ExtensionRef', extensionRef: { group: 'x', kind: 'Y', name: 'z' } }] },
    ],
  });
  assert.deepEqual(r.routes[0]?.route.splits, [
    { cluster: 'default/web:80', weight: 2, filters: [{ type: 'request-headers', edits: { set: [['x-backend', 'web']], add: [], remove: [] } }] },
    { weight: 1, filters: [] },
  ]);
  assert.match(r.unsupported?.message ?? '', /backendRefs\[1\]\.filters\[0\]\.extensionRef/);
});

test('a RequestRedirect on one backend is not supported', () => {
  const r = translate({ backendRefs: [{ ...backend, filters: [{ type: 'RequestRedirect', requestRedirect: {} }] }] });
  assert.match(r.unsupported?.message ?? '', /backendRefs\[0\]\.filters\[0\]\.type: "RequestRedirect" is not supported here/);
  assert.deepEqual(r.routes[0]?.route.splits, ANSWERS_500);
});

test('header names that are not HTTP tokens, and values or paths with control characters, are unsupported (they would break the data plane at request time)', () => {
  const bad: HTTPRouteFilter[] = [
    { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'bad name', value: 'v' }] } },
    { type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-a', value: 'v\r\nx-injected: 1' }] } },
    { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['x:y'] } },
    { type: 'RequestRedirect', requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: '/a\r\nSet-Cookie: x' } } },
    { type: 'RequestRedirect', requestRedirect: { hostname: 'evil.example/path' } },
    { type: 'URLRewrite', urlRewrite: { hostname: 'UPPER.example' } },
    { type: 'CORS', cors: { allowHeaders: ['x y'] } },
    { type: 'CORS', cors: { allowMethods: ['BREW'] } },
    { type: 'CORS', cors: { allowOrigins: ['https://a.example\n'] } },
  ];
  for (const f of bad) {
    const r = translate({ filters: [f], backendRefs: [backend] });
    assert.match(r.unsupported?.message ?? '', /^spec\.rules\[0\]\.filters\[0\]\./, JSON.stringify(f));
    assert.deepEqual(r.routes[0]?.route.splits, ANSWERS_500, JSON.stringify(f));
  }
});

test('header matches whose names are not HTTP tokens are unsupported', () => {
  const r = translate({ matches: [{ headers: [{ name: 'x y', value: '1' }] }], backendRefs: [backend] });
  assert.equal(r.routes.length, 0);
  assert.match(r.unsupported?.message ?? '', /matches\[0\]\.headers\[0\]\.name/);
});
