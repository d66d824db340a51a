// The strict encoder refuses what Envoy would refuse, naming the field, before anything is sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStats } from '../../src/xds/check.ts';
import { checkMessage, decodeAny, encodeAny, encodeMessage, typed, type ProtoObject } from '../../src/xds/encode.ts';

const ROUTE = 'envoy.config.route.v3.Route';
const match = { prefix: '/' };

test('a valid message round-trips through its Any', () => {
  const any = encodeAny(ROUTE, { match, route: { cluster: 'a', timeout: {} } });
  assert.equal(any.type_url, `type.googleapis.com/${ROUTE}`);
  assert.deepEqual(decodeAny(any), { '@type': any.type_url, match, route: { cluster: 'a', timeout: {} } });
});

test('unknown fields, bad enum names and wrong kinds are named with their path', () => {
  assert.deepEqual(checkMessage(ROUTE, { match: { prefix: '/', prefx: '/' }, route: { cluster: 'a' } }), [
    'Route.match: unknown field "prefx" in envoy.config.route.v3.RouteMatch',
  ]);
  assert.deepEqual(checkMessage(ROUTE, { match, redirect: { response_code: 'MOVED' } }), [
    'Route.redirect.response_code: "MOVED" is not a value of RedirectResponseCode',
  ]);
  assert.deepEqual(checkMessage(ROUTE, { match, route: { cluster: 7 } }), ['Route.route.cluster: expected a string, got 7']);
  assert.deepEqual(checkMessage(ROUTE, { match: { prefix: '/', headers: { name: 'x' } }, route: { cluster: 'a' } }), [
    'Route.match.headers: expected a list, got an object',
  ]);
});

test('oneofs: two members set, or none where one is required', () => {
  assert.deepEqual(checkMessage(ROUTE, { match, route: { cluster: 'a', cluster_header: 'x-c' } }), [
    'Route.route: cluster and cluster_header are both members of oneof cluster_specifier',
  ]);
  assert.match(checkMessage(ROUTE, { match, route: {} }).join(), /Route.route: one of cluster, cluster_header, .* is required/);
  assert.deepEqual(checkMessage(ROUTE, { route: { cluster: 'a' } }), ['Route.match: required']);
});

test('validate rules and deprecated fields', () => {
  const weighted = { clusters: [{ name: 'a', weight: { value: 100 } }], total_weight: { value: 100 } };
  assert.deepEqual(checkMessage(ROUTE, { match, route: { weighted_clusters: weighted } }), [
    'Route.route.weighted_clusters.total_weight: deprecated field',
  ]);
  assert.deepEqual(checkMessage(ROUTE, { match, route: { weighted_clusters: { clusters: [] } } }), [
    'Route.route.weighted_clusters.clusters: needs at least 1 items',
  ]);
  assert.deepEqual(checkMessage('envoy.config.core.v3.SocketAddress', { address: '', port_value: -1 }), [
    'SocketAddress.address: must not be empty',
    'SocketAddress.port_value: must not be negative',
  ]);
});

test('Any payloads are checked too, and an unknown type URL is refused', () => {
  const filter = (config: ProtoObject) => ({ name: 'f', typed_config: config });
  const hcm = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
  assert.match(
    checkMessage('envoy.config.listener.v3.Filter', filter(typed(hcm, { stat_prefix: 'x', codec: 'AUTO' }))).join(),
    /Filter.typed_config: unknown field "codec"/,
  );
  assert.deepEqual(checkMessage('envoy.config.listener.v3.Filter', filter({ '@type': 'type.googleapis.com/no.Such' })), [
    'Filter.typed_config: unknown message type type.googleapis.com/no.Such',
  ]);
  assert.throws(() => encodeMessage(ROUTE, { match }), { code: 'SLUICE_ERR_XDS', message: /one of .* is required/ });
});

test("Envoy's string rules, header grammars, duration ranges and 32-bit bounds", () => {
  const header = (key: string, value: string) => ({ match, route: { cluster: 'a' }, request_headers_to_add: [{ header: { key, value } }] });
  assert.deepEqual(checkMessage(ROUTE, header('x', 'a\nb')), ['Route.request_headers_to_add[0].header.value: "a\\nb" is not a valid header value']);
  assert.deepEqual(checkMessage(ROUTE, header('x\r', 'v')), ['Route.request_headers_to_add[0].header.key: "x\\r" is not a valid header name']);
  assert.deepEqual(checkMessage(ROUTE, { match, route: { cluster: 'a' }, request_headers_to_remove: ['a\u0000'] }), ['Route.request_headers_to_remove[0]: "a\\u0000" is not a valid header name']);
  assert.deepEqual(checkMessage(ROUTE, { match: { path_separated_prefix: '/a/' }, route: { cluster: 'a' } }), ['Route.match.path_separated_prefix: "/a/" does not match ^[^?#]+[^?#/]$']);
  assert.deepEqual(checkMessage(ROUTE, { match, route: { cluster: 'a', timeout: { seconds: -1 } } }), ['Route.route.timeout: duration out of range']);
  assert.deepEqual(checkMessage(ROUTE, { match, route: { weighted_clusters: { clusters: [{ name: 'a', weight: { value: 2 ** 32 } }] } } }), ['Route.route.weighted_clusters.clusters[0].weight.value: more than a uint32 holds']);
});


test('a message found clean is not checked again, on its own or inside another', () => {
  const VHOST = 'envoy.config.route.v3.VirtualHost';
  const route = { match: { prefix: '/' }, route: { cluster: 'a', timeout: { seconds: 1 } } };
  const first = checkStats.messages;
  assert.deepEqual(checkMessage(ROUTE, route), []);
  assert.equal(checkStats.messages - first, 4, 'the route, its match, its action and the timeout');
  const again = checkStats.messages;
  assert.deepEqual(checkMessage(VHOST, { name: 'v', domains: ['a'], routes: [route] }), []);
  assert.equal(checkStats.messages - again, 1, 'only the virtual host: its route was checked before');
});

test('a message with a problem is checked again wherever it is, and named at its new path', () => {
  const bad = { match, route: { cluster: 7 } };
  assert.deepEqual(checkMessage(ROUTE, bad), ['Route.route.cluster: expected a string, got 7']);
  assert.deepEqual(checkMessage('envoy.config.route.v3.VirtualHost', { name: 'v', domains: ['a'], routes: [bad] }), [
    'VirtualHost.routes[0].route.cluster: expected a string, got 7',
  ]);
  // The same clean object checked as another type is checked as that type.
  assert.deepEqual(checkMessage('envoy.config.route.v3.RouteMatch', { prefix: '/' }), []);
  const m = { prefix: '/' };
  assert.deepEqual(checkMessage('envoy.config.route.v3.RouteMatch', m), []);
  assert.match(checkMessage('envoy.config.route.v3.RouteAction', m).join(), /unknown field "prefix"/);
});
