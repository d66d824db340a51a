// IR routes -> Envoy routes, from hand-built snapshots, encoded through the protos and decoded
// back: every matcher and filter kind, timeouts, retries, weights and invalid backends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HeaderEdits, Route, RouteFilter } from '../../src/snapshot/types.ts';
import { encodedResources, irRoute, irSnapshot } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk Envoy's JSON by path; a wrong path fails the assertion.
type Obj = Record<string, any>;

function envoyRoutes(routes: Route[], listener = 'external'): Obj[] {
  const config = encodedResources(irSnapshot(routes)).route!.get(listener)!;
  return (config.virtual_hosts as Obj[]).find((v) => v.name === 'web')!.routes as Obj[];
}
const envoyRoute = (route: Route): Obj => envoyRoutes([route])[0]!;
const edits = (e: Partial<HeaderEdits>): HeaderEdits => ({ set: [], add: [], remove: [], ...e });
const withFilters = (...filters: RouteFilter[]) => irRoute({ filters });

describe('IR matchers as Envoy route matches', () => {
  it('maps prefix, segment-prefix, exact and regex paths', () => {
    const match = (path: Route['path']) => envoyRoute(irRoute({ path })).match;
    assert.deepEqual(match({ type: 'prefix', value: '/api' }), { prefix: '/api' });
    assert.deepEqual(match({ type: 'segment-prefix', value: '/api' }), { path_separated_prefix: '/api' });
    assert.deepEqual(match({ type: 'segment-prefix', value: '/api/' }), { path_separated_prefix: '/api' }, 'Envoy refuses a trailing /');
    assert.deepEqual(match({ type: 'segment-prefix', value: '/' }), { prefix: '/' });
    assert.deepEqual(match({ type: 'exact', value: '/login' }), { path: '/login' });
    assert.deepEqual(match({ type: 'regex', value: '/v[0-9]+/.*' }), { safe_regex: { regex: '/v[0-9]+/.*' } });
  });

  it('maps header and query matchers (exact, regex, present) and the method as :method', () => {
    const match = envoyRoute(
      irRoute({
        method: 'POST',
        headers: [
          { name: 'x-a', match: { type: 'exact', value: '1' } },
          { name: 'x-b', match: { type: 'regex', value: 'v[0-9]' } },
          { name: 'x-c', match: { type: 'present' } },
        ],
        query: [
          { name: 'q', match: { type: 'exact', value: 'x' } },
          { name: 'r', match: { type: 'regex', value: '[a-z]+' } },
          { name: 's', match: { type: 'present' } },
        ],
      }),
    ).match;
    assert.deepEqual(match.headers, [
      { name: ':method', string_match: { exact: 'POST' } },
      { name: 'x-a', string_match: { exact: '1' } },
      { name: 'x-b', string_match: { safe_regex: { regex: 'v[0-9]' } } },
      { name: 'x-c', present_match: true },
    ]);
    assert.deepEqual(match.query_parameters, [
      { name: 'q', string_match: { exact: 'x' } },
      { name: 'r', string_match: { safe_regex: { regex: '[a-z]+' } } },
      { name: 's', present_match: true },
    ]);
  });
});

describe('IR filters as Envoy route fields', () => {
  it('header edits: set overwrites, add appends, remove removes; Host set becomes the host rewrite', () => {
    const r = envoyRoute(
      withFilters(
        { type: 'request-headers', edits: edits({ set: [['x-set', '1'], ['host', 'up.example']], add: [['x-add', '2%']], remove: ['x-gone'] }) },
        { type: 'response-headers', edits: edits({ set: [['x-r', 'a']], add: [['x-r2', 'b']], remove: ['server'] }) },
      ),
    );
    assert.deepEqual(r.request_headers_to_add, [
      { header: { key: 'x-set', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-add', value: '2%%' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
    ]);
    assert.deepEqual(r.request_headers_to_remove, ['x-gone']);
    assert.deepEqual(r.response_headers_to_add, [
      { header: { key: 'x-r', value: 'a' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-r2', value: 'b' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
    ]);
    assert.deepEqual(r.response_headers_to_remove, ['server']);
    assert.equal(r.route.host_rewrite_literal, 'up.example');
  });

  it('a header removed by a later edit is not added first (the IR applies edits in order, Envoy removes first)', () => {
    const r = envoyRoute(
      withFilters(
        { type: 'request-headers', edits: edits({ set: [['x-a', '1']] }) },
        { type: 'request-headers', edits: edits({ remove: ['x-a'] }) },
        { type: 'request-headers', edits: edits({ add: [['x-a', '2']] }) },
      ),
    );
    assert.deepEqual(r.request_headers_to_add, [{ header: { key: 'x-a', value: '2' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' }]);
    assert.deepEqual(r.request_headers_to_remove, ['x-a']);
  });

  it("a single backend's filters fold onto the route; with several each weighted cluster carries its own", () => {
    const splitEdits = (v: string): RouteFilter[] => [{ type: 'request-headers', edits: edits({ set: [['x-split', v]] }) }, { type: 'response-headers', edits: edits({ remove: ['x-' + v] }) }];
    const one = envoyRoute(irRoute({ splits: [{ cluster: 'default/a:80', weight: 3, filters: splitEdits('a') }] }));
    assert.equal(one.route.cluster, 'default/a:80');
    assert.deepEqual(one.request_headers_to_add, [{ header: { key: 'x-split', value: 'a' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    assert.deepEqual(one.response_headers_to_remove, ['x-a']);
    const two = envoyRoute(
      irRoute({
        splits: [
          { cluster: 'default/a:80', weight: 3, filters: splitEdits('a') },
          { cluster: 'default/b:80', weight: 1, filters: [{ type: 'url-rewrite', hostname: 'b.example' }] },
        ],
      }),
    );
    assert.deepEqual(two.route.weighted_clusters.clusters, [
      {
        name: 'default/a:80',
        weight: { value: 3 },
        request_headers_to_add: [{ header: { key: 'x-split', value: 'a' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
        response_headers_to_remove: ['x-a'],
      },
      { name: 'default/b:80', weight: { value: 1 }, host_rewrite_literal: 'b.example' },
    ]);
  });

  it('url-rewrite: hostname, full path, and prefix per path match (regex where a literal swap would be wrong)', () => {
    const rewrite = (path: Route['path'], value: string, type: 'full' | 'prefix' = 'prefix') =>
      envoyRoute(irRoute({ path, filters: [{ type: 'url-rewrite', hostname: 'h.example', path: { type, value } }] })).route;
    const full = rewrite({ type: 'prefix', value: '/a' }, '/b', 'full');
    assert.equal(full.host_rewrite_literal, 'h.example');
    assert.deepEqual(full.regex_rewrite, { pattern: { regex: '^.*$' }, substitution: '/b' });
    assert.equal(rewrite({ type: 'prefix', value: '/a' }, '/b').prefix_rewrite, '/b');
    assert.equal(rewrite({ type: 'segment-prefix', value: '/a/' }, '/b/').prefix_rewrite, '/b', 'the matched segments are swapped, the rest kept');
    assert.deepEqual(rewrite({ type: 'segment-prefix', value: '/a.b/c' }, '/').regex_rewrite, { pattern: { regex: '^(?:/[^/]*){2}/*' }, substitution: '/' });
    const long = rewrite({ type: 'segment-prefix', value: `/${'x'.repeat(300)}` }, '/').regex_rewrite;
    assert.equal(long.pattern.regex, '^(?:/[^/]*){1}/*', "a long prefix does not grow the regex past Envoy's RE2 program size limit");
    assert.equal(rewrite({ type: 'segment-prefix', value: '/' }, '/b').prefix_rewrite, '/b/');
    assert.deepEqual(rewrite({ type: 'exact', value: '/a' }, '/b/').regex_rewrite, { pattern: { regex: '^.*$' }, substitution: '/b' }, 'an exact match matched the whole path');
    assert.deepEqual(rewrite({ type: 'regex', value: '/a.*' }, '/').regex_rewrite, { pattern: { regex: '^.*$' }, substitution: '/' }, 'so did a regex match');
  });

  it('redirect: scheme, host, port, path and every status code; the route forwards nowhere', () => {
    const codes = { 301: 'MOVED_PERMANENTLY', 302: 'FOUND', 303: 'SEE_OTHER', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT' } as const;
    for (const [code, name] of Object.entries(codes)) {
      const r = envoyRoute(irRoute({ splits: [], filters: [{ type: 'redirect', statusCode: Number(code) as 301, scheme: 'https', hostname: 'h.example', port: 8443, path: { type: 'full', value: '/x' } }] }));
      assert.equal(r.route, undefined);
      assert.deepEqual(r.redirect, { scheme_redirect: 'https', host_redirect: 'h.example', port_redirect: 8443, path_redirect: '/x', response_code: name });
    }
    const prefix = envoyRoute(irRoute({ path: { type: 'segment-prefix', value: '/old' }, filters: [{ type: 'redirect', statusCode: 302, path: { type: 'prefix', value: '/' } }] }));
    assert.deepEqual(prefix.redirect, { regex_rewrite: { pattern: { regex: '^(?:/[^/]*){1}/*' }, substitution: '/' }, response_code: 'FOUND' });
  });

  it('mirror: request_mirror_policies with a runtime fraction (per hundred, or per million when fractional)', () => {
    const r = envoyRoute(withFilters({ type: 'mirror', cluster: 'default/mirror:80', percent: 100 }, { type: 'mirror', cluster: 'default/b:80', percent: 12.5 }, { type: 'mirror', cluster: 'default/b:80', percent: 0 }));
    assert.deepEqual(r.route.request_mirror_policies, [
      { cluster: 'default/mirror:80', runtime_fraction: { default_value: { numerator: 100, denominator: 'HUNDRED' } } },
      { cluster: 'default/b:80', runtime_fraction: { default_value: { numerator: 125000, denominator: 'MILLION' } } },
    ]);
  });

  it('cors: the policy as the CORS filter per-route config; not on proxyless gRPC route configurations', () => {
    const policy = { allowOrigins: ['https://a.example', 'https://*.b.example', '*'], allowMethods: ['GET', 'POST'], allowHeaders: ['x-a'], exposeHeaders: ['x-b', 'x-c'], maxAge: 600, allowCredentials: true };
    const r = envoyRoute(withFilters({ type: 'cors', policy }));
    assert.deepEqual(r.typed_per_filter_config, {
      'envoy.filters.http.cors': {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
        allow_origin_string_match: [{ exact: 'https://a.example', ignore_case: true }, { safe_regex: { regex: '(?i)https://.+\\.b\\.example' } }, { safe_regex: { regex: '.*' } }],
        allow_methods: 'GET, POST',
        allow_headers: 'x-a',
        expose_headers: 'x-b, x-c',
        max_age: '600',
        allow_credentials: { value: true },
        forward_not_matching_preflights: { value: false },
      },
    });
    const grpc = encodedResources(irSnapshot([withFilters({ type: 'cors', policy })])).route!.get('web.example.com')!;
    assert.equal((grpc.virtual_hosts as Obj[])[0]!.routes[0].typed_per_filter_config, undefined);
  });

  it('timeouts and retries: request -> timeout, backendRequest -> per_try_timeout, retry -> retry_policy', () => {
    const r = envoyRoute(irRoute({ timeout: { request: 1500, backendRequest: 250 }, retry: { attempts: 2, codes: [502, 503], backoffMs: 25 } })).route;
    assert.deepEqual(r.timeout, { seconds: '1', nanos: 500000000 });
    assert.deepEqual(r.retry_policy, {
      retry_on: 'connect-failure,reset,retriable-status-codes',
      num_retries: { value: 2 },
      retriable_status_codes: [502, 503],
      retry_back_off: { base_interval: { nanos: 25000000 } },
      per_try_timeout: { nanos: 250000000 },
    });
    assert.deepEqual(envoyRoute(irRoute({ timeout: { backendRequest: 2000 } })).route.retry_policy, { num_retries: { value: 0 }, per_try_timeout: { seconds: '2' } }, 'no retries unless asked (Envoy defaults to one)');
    assert.deepEqual(envoyRoute(irRoute()).route.timeout, {}, 'no timeout: Envoy 15 s default turned off');
  });
});

describe('IR backends as Envoy clusters', () => {
  it('no usable backend (none, all weight 0, none valid) answers 500', () => {
    for (const splits of [[], [{ cluster: 'default/a:80', weight: 0, filters: [] }], [{ weight: 1, filters: [] }]]) {
      const r = envoyRoute(irRoute({ splits }));
      assert.deepEqual(r.direct_response, { status: 500 });
      assert.equal(r.route, undefined);
    }
  });

  it("the invalid backends' share goes to a cluster that does not exist, which Envoy answers 500", () => {
    const r = envoyRoute(
      irRoute({
        splits: [
          { weight: 1, filters: [] },
          { cluster: 'default/a:80', weight: 2, filters: [] },
          { weight: 3, filters: [] },
          { cluster: 'default/b:80', weight: 0, filters: [] },
        ],
      }),
    ).route;
    assert.equal(r.cluster_not_found_response_code, 'INTERNAL_SERVER_ERROR');
    assert.deepEqual(r.weighted_clusters.clusters, [
      { name: 'sluice.invalid-backend', weight: { value: 4 } },
      { name: 'default/a:80', weight: { value: 2 } },
    ]);
    assert.equal(envoyRoute(irRoute({ splits: [{ cluster: 'default/a:80', weight: 1, filters: [] }, { cluster: 'default/b:80', weight: 1, filters: [] }] })).route.cluster_not_found_response_code, undefined);
  });
});

describe('values Envoy would refuse', () => {
  it('a route with one answers 500 (or is left out when its match is bad); the rest of the table is served', () => {
    const bad: Route[] = [
      irRoute({ path: { type: 'prefix', value: '/crlf' }, filters: [{ type: 'request-headers', edits: { set: [['x', 'a\r\nb']], add: [], remove: [] } }] }),
      irRoute({ path: { type: 'prefix', value: '/negative' }, timeout: { request: -1 } }),
      irRoute({ path: { type: 'prefix', value: '/weight' }, splits: [{ cluster: 'default/a:80', weight: 2 ** 33, filters: [] }, { cluster: 'default/b:80', weight: 1, filters: [] }] }),
      irRoute({ path: { type: 'segment-prefix', value: '/a?b' } }),
      irRoute({ headers: [{ name: 'bad\nname', match: { type: 'present' } }] }),
      irRoute({ path: { type: 'prefix', value: '/ok' } }),
    ];
    const routes = envoyRoutes(bad);
    assert.deepEqual(routes.map((r) => [r.match.prefix ?? r.match.path_separated_prefix, r.direct_response?.status ?? r.route?.cluster]), [
      ['/crlf', 500],
      ['/negative', 500],
      ['/weight', 500],
      ['/ok', 'default/a:80'],
    ]);
  });

  it('a host that could split a header is not served; the others are', () => {
    const snapshot = irSnapshot([irRoute()]);
    const vhost = { ...snapshot.listeners.external[0]!, domains: ['bad\r\nhost', 'web.example.com'] };
    const res = encodedResources({ ...snapshot, listeners: { external: [vhost], local: [] } });
    assert.deepEqual(((res.route!.get('external')!.virtual_hosts as Obj[])[0]!).domains, ['web.example.com']);
    assert.deepEqual([...res.route!.keys()].sort(), ['external', 'external-tls', 'local', 'web.example.com']);
  });
});

