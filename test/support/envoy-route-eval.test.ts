// The Envoy route evaluator against Envoy's documented semantics, on hand-written resources.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConnectionManager,
  type EnvoyDecision,
  type RouteConfiguration,
  type RouteEntry,
  applyResponseEdits,
  evaluate,
  queryMatches,
  regexReplaceAll,
  headerMatches,
  normalizeRfc3986,
  selectFilterChain,
  selectVirtualHost,
} from './envoy-route-eval.ts';

const HCM: ConnectionManager = { routeConfigName: 'r', normalizePath: true, mergeSlashes: true, stripAnyHostPort: true, stripTrailingHostDot: true, useRemoteAddress: true };
const forward = (cluster: string) => ({ match: { prefix: '/' }, route: { cluster } });

describe('Envoy route evaluator', () => {
  it('picks a virtual host by exact domain, then the longest suffix wildcard, then prefix wildcards, then *', () => {
    const config: RouteConfiguration = {
      name: 'r',
      virtual_hosts: [
        { name: 'any', domains: ['*'] },
        { name: 'suffix-short', domains: ['*.com'] },
        { name: 'suffix-long', domains: ['*.example.com'] },
        { name: 'prefix', domains: ['api.*'] },
        { name: 'exact', domains: ['www.example.com'] },
      ],
    };
    const pick = (h: string) => selectVirtualHost(config, h)?.name;
    assert.equal(pick('WWW.example.com'), 'exact');
    assert.equal(pick('a.example.com'), 'suffix-long');
    assert.equal(pick('a.b.example.com'), 'suffix-long', 'a suffix wildcard spans several labels');
    assert.equal(pick('api.example.org'), 'prefix');
    assert.equal(pick('api.example.com'), 'suffix-long', 'suffix wildcards before prefix ones');
    assert.equal(pick('example.org'), 'any');
    assert.equal(selectVirtualHost({ name: 'r', virtual_hosts: [{ name: 'w', domains: ['*.example.com'] }] }, '.example.com'), undefined, 'a wildcard never matches the empty string');
  });

  it('strips any port from the host before matching and sends the stripped host upstream', () => {
    const config: RouteConfiguration = { name: 'r', virtual_hosts: [{ name: 'h', domains: ['h.example'], routes: [forward('c')] }] };
    const d = evaluate(HCM, config, { authority: 'h.example:8080', path: '/', scheme: 'http' });
    assert.equal(d.kind, 'route');
    assert.equal(d.kind === 'route' && d.authority, 'h.example');
    assert.deepEqual(evaluate({ ...HCM, stripAnyHostPort: false }, config, { authority: 'h.example:8080', path: '/', scheme: 'http' }), { kind: 'local', status: 404, reason: 'route_not_found' });
  });

  it('routes an absolute-form target by its own authority, which replaces the Host', () => {
    const config: RouteConfiguration = { name: 'r', virtual_hosts: [{ name: 'h', domains: ['h.example'], routes: [forward('c')] }] };
    const d = evaluate(HCM, config, { authority: 'other', path: 'http://h.example/a?b', scheme: 'http' });
    assert.deepEqual(d.kind === 'route' && [d.authority, d.path], ['h.example', '/a?b']);
  });

  it('sets x-forwarded-proto from the connection at the edge (use_remote_address)', () => {
    const config: RouteConfiguration = { name: 'r', virtual_hosts: [{ name: 'h', domains: ['*'], routes: [forward('c')] }] };
    const d = evaluate(HCM, config, { authority: 'x', path: '/', scheme: 'http', headers: [['X-Forwarded-Proto', 'https']] });
    assert.deepEqual(d.kind === 'route' && d.headers.get('x-forwarded-proto'), ['http']);
  });

  it('matches header matchers as documented: presence, absence, inversion, missing headers, joined values', () => {
    const h = (pairs: Array<[string, string[]]>) => new Map(pairs);
    assert.ok(headerMatches({ name: 'x', present_match: true }, h([['x', ['']]])), 'an empty value is present');
    assert.ok(!headerMatches({ name: 'x', present_match: true }, h([])));
    assert.ok(headerMatches({ name: 'x', present_match: false }, h([])));
    assert.ok(headerMatches({ name: 'x' }, h([['x', ['v']]])), 'no specifier means presence');
    assert.ok(headerMatches({ name: 'X', string_match: { exact: 'v' } }, h([['x', ['v']]])), 'header names are case-insensitive');
    assert.ok(!headerMatches({ name: 'x', string_match: { exact: 'V' } }, h([['x', ['v']]])), 'values are case-sensitive');
    assert.ok(headerMatches({ name: 'x', string_match: { exact: 'V', ignore_case: true } }, h([['x', ['v']]])));
    assert.ok(!headerMatches({ name: 'x', string_match: { exact: 'v' }, invert_match: true }, h([])), 'a missing header never matches, even inverted');
    assert.ok(headerMatches({ name: 'x', string_match: { exact: '' } , treat_missing_header_as_empty: true }, h([])));
    assert.ok(headerMatches({ name: 'x', exact_match: 'a,b' }, h([['x', ['a', 'b']]])), 'several values are matched joined by ","');
    assert.ok(headerMatches({ name: 'x', string_match: { safe_regex: { regex: '\\d{3}' } }, invert_match: true }, h([['x', ['1234']]])));
  });

  it('matches a prefix against the path with its query, and path/regex against the path alone', () => {
    const config: RouteConfiguration = {
      name: 'r',
      virtual_hosts: [{ name: 'h', domains: ['*'], routes: [
        { match: { path: '/exact' }, route: { cluster: 'exact' } },
        { match: { safe_regex: { regex: '/re/[0-9]+' } }, route: { cluster: 'regex' } },
        { match: { prefix: '/q?a' }, route: { cluster: 'query' } },
        forward('rest'),
      ] }],
    };
    const cluster = (path: string) => { const d = evaluate(HCM, config, { authority: 'x', path, scheme: 'http' }); return d.kind === 'route' ? d.cluster : d.kind; };
    assert.equal(cluster('/exact?x=1'), 'exact');
    assert.equal(cluster('/exactly'), 'rest');
    assert.equal(cluster('/re/12?x'), 'regex');
    assert.equal(cluster('/re/12a'), 'rest');
    assert.equal(cluster('/q?a=1'), 'query');
  });

  it('normalises paths as RFC 3986 says, then merges slashes, and forwards the result', () => {
    assert.equal(normalizeRfc3986('/a/./b/../c'), '/a/c');
    assert.equal(normalizeRfc3986('/a/%2e%2E/b'), '/b');
    assert.equal(normalizeRfc3986('/%61%2Fb/..'), '/', '%2F is no separator: `..` removes the whole a%2Fb segment');
    assert.equal(normalizeRfc3986('/../../x'), '/x');
    assert.equal(normalizeRfc3986('x'), null);
    const config: RouteConfiguration = { name: 'r', virtual_hosts: [{ name: 'h', domains: ['*'], routes: [{ match: { prefix: '/api' }, route: { cluster: 'api' } }] }] };
    const d = evaluate(HCM, config, { authority: 'x', path: '//pub/../api//x?q=/../', scheme: 'http' });
    assert.equal(d.kind === 'route' && d.path, '/api/x?q=/../');
  });

  it('picks a weighted cluster by laying the weights end to end', () => {
    const config: RouteConfiguration = {
      name: 'r',
      virtual_hosts: [{ name: 'h', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'a', weight: { value: 30 } }, { name: 'z', weight: { value: 0 } }, { name: 'b', weight: { value: 70 } }] } } }] }],
    };
    const at = (roll: number) => { const d = evaluate(HCM, config, { authority: 'x', path: '/', scheme: 'http' }, roll); return d.kind === 'route' && d.cluster; };
    assert.equal(at(0), 'a');
    assert.equal(at(29.9), 'a');
    assert.equal(at(30), 'b');
    assert.equal(at(99), 'b');
  });

  it('applies header edits per append action, most specific level last when most_specific_header_mutations_wins', () => {
    const route = {
      match: { prefix: '/' },
      request_headers_to_add: [
        { header: { key: 'x-level', value: 'route' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' as const },
        { header: { key: 'x-append', value: 'two' } },
        { header: { key: 'x-if-absent', value: 'new' }, append_action: 'ADD_IF_ABSENT' as const },
        { header: { key: 'x-if-exists', value: 'new' }, append_action: 'OVERWRITE_IF_EXISTS' as const },
        { header: { key: 'x-pct', value: '100%% %REQ(x-from)%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' as const },
      ],
      request_headers_to_remove: ['x-drop'],
      route: { weighted_clusters: { clusters: [{ name: 'c', weight: { value: 1 }, host_rewrite_literal: 'split.host', request_headers_to_add: [{ header: { key: 'x-level', value: 'cluster' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' as const }] }] } },
    };
    const base = { name: 'r', virtual_hosts: [{ name: 'h', domains: ['*'], routes: [route], request_headers_to_add: [{ header: { key: 'x-level', value: 'vhost' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' as const }] }] };
    const req = { authority: 'x', path: '/', scheme: 'http' as const, headers: [['x-append', 'one'], ['x-if-absent', 'old'], ['x-drop', 'y'], ['x-from', 'f']] as Array<[string, string]> };
    const wins = evaluate(HCM, { ...base, most_specific_header_mutations_wins: true }, req);
    assert.equal(wins.kind, 'route');
    if (wins.kind !== 'route') return;
    assert.deepEqual(wins.headers.get('x-level'), ['cluster']);
    assert.deepEqual(wins.headers.get('x-append'), ['one', 'two']);
    assert.deepEqual(wins.headers.get('x-if-absent'), ['old']);
    assert.equal(wins.headers.get('x-if-exists'), undefined);
    assert.equal(wins.headers.get('x-drop'), undefined);
    assert.deepEqual(wins.headers.get('x-pct'), ['100% f']);
    assert.equal(wins.authority, 'split.host');
    const byDefault = evaluate(HCM, base, req);
    assert.deepEqual(byDefault.kind === 'route' && byDefault.headers.get('x-level'), ['vhost'], 'by default the least specific level is evaluated last');
  });

  it('redirects to https, dropping a port made redundant by the scheme and keeping the query', () => {
    const config: RouteConfiguration = { name: 'r', virtual_hosts: [{ name: 'h', domains: ['*'], routes: [{ match: { prefix: '/' }, redirect: { https_redirect: true } }] }] };
    const noStrip = { ...HCM, stripAnyHostPort: false };
    assert.deepEqual(evaluate(noStrip, config, { authority: 'h:80', path: '/a?b', scheme: 'http' }), { kind: 'redirect', status: 301, location: 'https://h/a?b' });
    assert.deepEqual(evaluate(noStrip, config, { authority: 'h:8080', path: '/a', scheme: 'http' }), { kind: 'redirect', status: 301, location: 'https://h:8080/a' });
    assert.deepEqual(evaluate(HCM, config, { authority: 'h:8080', path: '/a', scheme: 'http' }), { kind: 'redirect', status: 301, location: 'https://h/a' });
  });

  it('answers direct responses with formatted response headers', () => {
    const config: RouteConfiguration = { name: 'r', virtual_hosts: [{ name: 'h', domains: ['*'], routes: [{ match: { prefix: '/' }, direct_response: { status: 200 }, response_headers_to_add: [{ header: { key: 'k', value: '%REQ(k)%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }] }] }] };
    const d = evaluate(HCM, config, { authority: 'x', path: '/', scheme: 'http', headers: [['K', 'abc']] });
    assert.equal(d.kind, 'direct');
    assert.deepEqual(d.kind === 'direct' && d.headers.get('k'), ['abc']);
  });

  it('picks a filter chain by SNI: exact, then wildcards from the most specific, then one without server names', () => {
    const chain = (name: string, names?: string[]) => ({ name, ...(names ? { filter_chain_match: { server_names: names } } : {}) });
    const listener = { filter_chains: [chain('com', ['*.com']), chain('wild', ['*.example.com']), chain('exact', ['www.example.com'])] };
    const pick = (sni?: string) => selectFilterChain(listener, sni)?.name;
    assert.equal(pick('www.example.com'), 'exact');
    assert.equal(pick('a.b.example.com'), 'wild');
    assert.equal(pick('other.com'), 'com');
    assert.equal(pick('example.org'), undefined);
    assert.equal(pick(undefined), undefined);
    assert.equal(selectFilterChain({ filter_chains: [...listener.filter_chains, chain('default')] }, 'example.org')?.name, 'default');
  });

  it('matches a path-separated prefix on whole segments, and query parameters by their first occurrence as sent', () => {
    const config: RouteConfiguration = {
      name: 'r',
      virtual_hosts: [{ name: 'h', domains: ['*'], routes: [
        { match: { path_separated_prefix: '/api', query_parameters: [{ name: 'v', string_match: { exact: '2' } }] }, route: { cluster: 'v2' } },
        { match: { path_separated_prefix: '/api' }, route: { cluster: 'api' } },
        forward('rest'),
      ] }],
    };
    const cluster = (path: string) => routed(evaluate(HCM, config, { authority: 'x', path, scheme: 'http' })).cluster;
    assert.equal(cluster('/api'), 'api');
    assert.equal(cluster('/api/'), 'api');
    assert.equal(cluster('/api/x?v=2'), 'v2');
    assert.equal(cluster('/api?v=1&v=2'), 'api', 'the first occurrence is matched');
    assert.equal(cluster('/apix'), 'rest');
    assert.ok(queryMatches({ name: 'a', present_match: true }, '?a'));
    assert.ok(!queryMatches({ name: 'a', present_match: true }, '?b=a'));
    assert.ok(queryMatches({ name: 'a', string_match: { safe_regex: { regex: '%2[Ff]' } } }, '?a=%2f'), 'values are not decoded');
  });

  it('rewrites the path: prefix_rewrite swaps the matched prefix, regex_rewrite works on the path and keeps the query', () => {
    const rewrite = (match: RouteEntry['match'], action: Partial<NonNullable<RouteEntry['route']>>, path: string) => {
      const config: RouteConfiguration = { name: 'r', virtual_hosts: [{ name: 'h', domains: ['*'], routes: [{ match, route: { cluster: 'c', ...action } }] }] };
      return routed(evaluate(HCM, config, { authority: 'x', path, scheme: 'http' })).path;
    };
    assert.equal(rewrite({ prefix: '/a' }, { prefix_rewrite: '/b' }, '/a/x?q'), '/b/x?q');
    assert.equal(rewrite({ path_separated_prefix: '/a' }, { prefix_rewrite: '/' }, '/a/x'), '//x', 'why a literal swap of a segment prefix for / is wrong');
    assert.equal(rewrite({ path_separated_prefix: '/a' }, { regex_rewrite: { pattern: { regex: '^/a/*' }, substitution: '/' } }, '/a/x?q=/a/'), '/x?q=/a/');
    assert.equal(rewrite({ prefix: '/' }, { regex_rewrite: { pattern: { regex: '^.*$' }, substitution: '/full' } }, '/a/b?q'), '/full?q');
    assert.equal(regexReplaceAll({ pattern: { regex: '^/service/([^/]+)(/.*)$' }, substitution: '\\2/instance/\\1' }, '/service/foo/v1/api'), '/v1/api/instance/foo');
  });

  it('redirects with scheme, host, port (a default port left out), path, prefix and regex rewrites', () => {
    const location = (redirect: NonNullable<RouteEntry['redirect']>, path = '/old/x?q', match: RouteEntry['match'] = { prefix: '/old' }) => {
      const d = evaluate(HCM, { name: 'r', virtual_hosts: [{ name: 'h', domains: ['*'], routes: [{ match, redirect }] }] }, { authority: 'h.example', path, scheme: 'http' });
      return d.kind === 'redirect' ? `${d.status} ${d.location}` : d.kind;
    };
    assert.equal(location({ scheme_redirect: 'https', port_redirect: 443, response_code: 'FOUND' }), '302 https://h.example/old/x?q');
    assert.equal(location({ host_redirect: 'o.example', port_redirect: 8080, response_code: 'PERMANENT_REDIRECT' }), '308 http://o.example:8080/old/x?q');
    assert.equal(location({ path_redirect: '/new' }), '301 http://h.example/new?q');
    const withPort = evaluate({ ...HCM, stripAnyHostPort: false }, { name: 'r', virtual_hosts: [{ name: 'h', domains: ['*'], routes: [{ match: { prefix: '/' }, redirect: { host_redirect: 'o.example' } }] }] }, { authority: 'h.example:8080', path: '/', scheme: 'http' });
    assert.deepEqual(withPort, { kind: 'redirect', status: 301, location: 'http://o.example/' }, "host_redirect replaces the Host's port too");
    assert.equal(location({ path_redirect: '/new?a=1' }), '301 http://h.example/new?a=1');
    assert.equal(location({ prefix_rewrite: '/new' }), '301 http://h.example/new/x?q');
    assert.equal(location({ regex_rewrite: { pattern: { regex: '^/old/*' }, substitution: '/' }, response_code: 'SEE_OTHER' }, '/old/x?q', { path_separated_prefix: '/old' }), '303 http://h.example/x?q');
  });

  it('reports the status for a cluster Envoy does not have, response edits, mirrors, timeout and retries', () => {
    const route: RouteEntry = {
      match: { prefix: '/' },
      response_headers_to_add: [{ header: { key: 'x-r', value: 'route' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
      response_headers_to_remove: ['server'],
      route: {
        weighted_clusters: { clusters: [{ name: 'missing', weight: { value: 1 }, response_headers_to_add: [{ header: { key: 'x-c', value: 'c' } }] }] },
        cluster_not_found_response_code: 'INTERNAL_SERVER_ERROR',
        timeout: { seconds: '1', nanos: 500_000_000 },
        retry_policy: { retry_on: 'connect-failure,reset', num_retries: { value: 2 }, per_try_timeout: { nanos: 250_000_000 } },
        request_mirror_policies: [{ cluster: 'm', runtime_fraction: { default_value: { numerator: 25, denominator: 'HUNDRED' } } }, { cluster: 'all' }],
      },
    };
    const d = routed(evaluate(HCM, { name: 'r', most_specific_header_mutations_wins: true, virtual_hosts: [{ name: 'h', domains: ['*'], routes: [route] }] }, { authority: 'x', path: '/', scheme: 'http' }));
    assert.equal(d.clusterNotFoundStatus, 500);
    assert.deepEqual(d.mirrors, [{ cluster: 'm', fraction: 0.25 }, { cluster: 'all', fraction: 1 }]);
    assert.equal(d.timeoutMs, 1500);
    assert.deepEqual(d.retry, { on: ['connect-failure', 'reset'], attempts: 2, codes: [], perTryTimeoutMs: 250 });
    const response = applyResponseEdits(d, [['Server', 'up'], ['x-r', 'up'], ['x-c', 'up']]);
    assert.deepEqual(Object.fromEntries(response), { 'x-r': ['route'], 'x-c': ['up', 'c'] });
  });

  it('CORS: answers an allowed preflight itself, adds headers for an allowed origin, leaves others alone', () => {
    const policy = { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy', allow_origin_string_match: [{ safe_regex: { regex: 'https://.*\\.example\\.com' } }], allow_methods: 'GET,PUT', allow_headers: 'x-a', expose_headers: 'x-b', max_age: '60', allow_credentials: { value: true } };
    const config: RouteConfiguration = { name: 'r', virtual_hosts: [{ name: 'h', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.cors': policy } }] }] };
    const corsHcm = { ...HCM, cors: true };
    const preflight = [['origin', 'https://a.example.com'], ['access-control-request-method', 'PUT']] as Array<[string, string]>;
    const d = evaluate(corsHcm, config, { authority: 'x', path: '/', method: 'OPTIONS', scheme: 'https', headers: preflight });
    assert.equal(d.kind, 'direct');
    assert.deepEqual(d.kind === 'direct' && Object.fromEntries(d.headers), {
      'access-control-allow-origin': ['https://a.example.com'],
      'access-control-allow-credentials': ['true'],
      'access-control-allow-methods': ['GET,PUT'],
      'access-control-allow-headers': ['x-a'],
      'access-control-max-age': ['60'],
      'access-control-expose-headers': ['x-b'],
    });
    assert.equal(evaluate(HCM, config, { authority: 'x', path: '/', method: 'OPTIONS', scheme: 'https', headers: preflight }).kind, 'route', 'no CORS filter in the connection manager: the policy does nothing');
    assert.equal(evaluate(corsHcm, config, { authority: 'x', path: '/', method: 'OPTIONS', scheme: 'https', headers: [['origin', 'https://evil.test'], ['access-control-request-method', 'PUT']] }).kind, 'route');
    const strict: RouteConfiguration = { ...config, virtual_hosts: [{ ...config.virtual_hosts![0]!, routes: [{ ...config.virtual_hosts![0]!.routes![0]!, typed_per_filter_config: { 'envoy.filters.http.cors': { ...policy, forward_not_matching_preflights: { value: false } } } }] }] };
    const denied = evaluate(corsHcm, strict, { authority: 'x', path: '/', method: 'OPTIONS', scheme: 'https', headers: [['origin', 'https://evil.test'], ['access-control-request-method', 'PUT']] });
    assert.equal(denied.kind, 'direct', 'forward_not_matching_preflights false: answered by Envoy');
    assert.equal(denied.kind === 'direct' && denied.headers.get('access-control-allow-origin'), undefined);
    const get = routed(evaluate(corsHcm, config, { authority: 'x', path: '/', scheme: 'https', headers: [['origin', 'https://a.example.com']] }));
    assert.deepEqual(Object.fromEntries(applyResponseEdits(get, [])), { 'access-control-allow-origin': ['https://a.example.com'], 'access-control-allow-credentials': ['true'], 'access-control-expose-headers': ['x-b'] });
  });

  it('falls back to the default filter chain when no chain matches the server name', () => {
    const listener = { filter_chains: [{ name: 'a', filter_chain_match: { server_names: ['a.example'] } }], default_filter_chain: { name: 'fallback' } };
    assert.equal(selectFilterChain(listener, 'a.example')?.name, 'a');
    assert.equal(selectFilterChain(listener, 'b.example')?.name, 'fallback');
    assert.equal(selectFilterChain(listener, undefined)?.name, 'fallback');
  });
});

function routed(d: EnvoyDecision): Extract<EnvoyDecision, { kind: 'route' }> {
  assert.equal(d.kind, 'route', JSON.stringify(d));
  return d as Extract<EnvoyDecision, { kind: 'route' }>;
}
