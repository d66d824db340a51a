// The Envoy route evaluator against Envoy's documented semantics, on hand-written resources.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ConnectionManager,
  type RouteConfiguration,
  evaluate,
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
});
