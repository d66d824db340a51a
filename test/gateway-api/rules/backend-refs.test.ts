// backendRefs -> weighted splits and clusters, timeouts and retry (item 3 of the route rules translator).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grpcRouteRules, httpRouteRules } from '../../../src/gateway-api/route-rules.ts';
import type { HTTPBackendRef, HTTPRouteRule } from '../../../src/gateway-api/route-types.ts';
import { type Backend, type ContextOptions, ruleContext } from './rule-context.ts';

function translate(rule: HTTPRouteRule, o: ContextOptions = {}) {
  return httpRouteRules({ rules: [rule] }, ruleContext(o), '');
}

function refs(backendRefs: HTTPBackendRef[], o: ContextOptions = {}) {
  return translate({ backendRefs }, o);
}

test('each Service ref is a split with its weight (default 1) and a cluster named namespace/service:port', () => {
  const r = refs([{ name: 'web', port: 80, weight: 90 }, { name: 'web', port: 8080 }, { name: 'web', port: 80, weight: 0 }]);
  assert.deepEqual(r.routes[0]?.route.splits, [
    { cluster: 'default/web:80', weight: 90, filters: [] },
    { cluster: 'default/web:8080', weight: 1, filters: [] },
    { cluster: 'default/web:80', weight: 0, filters: [] },
  ]);
  assert.equal(r.unresolved, undefined);
});

test('clusters are resolved as the Knative translator does: EndpointSlice addresses on the matching port, protocol by port name', () => {
  const backends: Backend[] = [{ name: 'web', ports: [{ name: 'http', port: 80 }, { name: 'h2c', port: 81 }, { port: 82, appProtocol: 'kubernetes.io/h2c' }], ips: ['10.0.0.2', '10.0.0.1'] }];
  const r = refs([{ name: 'web', port: 80 }, { name: 'web', port: 81 }, { name: 'web', port: 82 }], { backends });
  assert.deepEqual(r.clusters, [
    { name: 'default/web:80', protocol: 'http1', type: 'static', endpoints: [{ address: '10.0.0.1', port: 1080 }, { address: '10.0.0.2', port: 1080 }] },
    { name: 'default/web:81', protocol: 'h2c', type: 'static', endpoints: [{ address: '10.0.0.1', port: 1081 }, { address: '10.0.0.2', port: 1081 }] },
    { name: 'default/web:82', protocol: 'h2c', type: 'static', endpoints: [{ address: '10.0.0.1', port: 1082 }, { address: '10.0.0.2', port: 1082 }] },
  ]);
});

test('an ExternalName Service becomes a dns cluster', () => {
  const r = refs([{ name: 'ext', port: 443 }], { backends: [{ name: 'ext', ports: [{ port: 443 }], externalName: 'api.example.com' }] });
  assert.deepEqual(r.clusters, [{ name: 'default/ext:443', protocol: 'http1', type: 'dns', endpoints: [{ address: 'api.example.com', port: 443 }] }]);
});

test('a missing Service is BackendNotFound and its split has no cluster (500 for its share); the other splits keep theirs', () => {
  const r = refs([{ name: 'web', port: 80, weight: 1 }, { name: 'gone', port: 80, weight: 3 }]);
  assert.equal(r.unresolved?.reason, 'BackendNotFound');
  assert.match(r.unresolved?.message ?? '', /^spec\.rules\[0\]\.backendRefs\[1\]: Service "default\/gone" not found/);
  assert.deepEqual(r.routes[0]?.route.splits, [{ cluster: 'default/web:80', weight: 1, filters: [] }, { weight: 3, filters: [] }]);
  assert.deepEqual(r.clusters.map((c) => c.name), ['default/web:80']);
});

test('a port the Service does not have, or no port at all, is BackendNotFound', () => {
  assert.match(refs([{ name: 'web', port: 81 }]).unresolved?.message ?? '', /has no port 81/);
  const r = refs([{ name: 'web' }]);
  assert.equal(r.unresolved?.reason, 'BackendNotFound');
  assert.match(r.unresolved?.message ?? '', /backendRefs\[0\]\.port: a Service reference needs a port/);
  assert.deepEqual(r.routes[0]?.route.splits, [{ weight: 1, filters: [] }]);
});

test('a kind other than a core Service is InvalidKind', () => {
  for (const ref of [{ kind: 'Pod', name: 'web', port: 80 }, { group: 'example.io', kind: 'Service', name: 'web', port: 80 }]) {
    const r = refs([ref]);
    assert.equal(r.unresolved?.reason, 'InvalidKind');
    assert.deepEqual(r.routes[0]?.route.splits, [{ weight: 1, filters: [] }]);
  }
  assert.equal(refs([{ group: '', kind: 'Service', name: 'web', port: 80 }]).unresolved, undefined);
  assert.equal(refs([{ group: 'core', name: 'web', port: 80 }]).unresolved, undefined);
});

test('a Service in another namespace needs a ReferenceGrant: RefNotPermitted without one', () => {
  const other: Backend = { namespace: 'other', name: 'api', ports: [{ port: 80 }] };
  const denied = refs([{ namespace: 'other', name: 'api', port: 80 }], { backends: [other] });
  assert.equal(denied.unresolved?.reason, 'RefNotPermitted');
  assert.deepEqual(denied.routes[0]?.route.splits, [{ weight: 1, filters: [] }]);
  const granted = refs([{ namespace: 'other', name: 'api', port: 80 }], { backends: [other], granted: ['other/api'] });
  assert.equal(granted.unresolved, undefined);
  assert.deepEqual(granted.routes[0]?.route.splits, [{ cluster: 'other/api:80', weight: 1, filters: [] }]);
});

test('the first bad reference is the one reported', () => {
  const r = refs([{ kind: 'Pod', name: 'p', port: 1 }, { name: 'gone', port: 80 }]);
  assert.equal(r.unresolved?.reason, 'InvalidKind');
});

test('a rule without backendRefs (and no redirect) has no splits: the data plane answers 500', () => {
  const r = translate({});
  assert.deepEqual(r.routes[0]?.route.splits, []);
  assert.equal(r.unresolved, undefined);
});

test('an HTTPRoute and a Knative-style name share a cluster; a GRPCRoute to an h2c port shares it too', () => {
  const backends: Backend[] = [{ name: 'grpc', ports: [{ name: 'grpc', port: 50051 }] }];
  const http = refs([{ name: 'grpc', port: 50051 }], { backends });
  const grpc = grpcRouteRules({ rules: [{ backendRefs: [{ name: 'grpc', port: 50051 }] }] }, ruleContext({ kind: 'GRPCRoute', backends }), '');
  assert.deepEqual(grpc.clusters, http.clusters);
  assert.equal(grpc.clusters[0]?.protocol, 'h2c');
});

test('GRPCRoute backends are h2c: a port that does not say so gets its own h2c cluster; an appProtocol naming another protocol is UnsupportedProtocol', () => {
  const backends: Backend[] = [{ name: 'svc', ports: [{ name: 'http', port: 80 }, { name: 'web', port: 81, appProtocol: 'kubernetes.io/ws' }] }];
  const ctx = ruleContext({ kind: 'GRPCRoute', backends });
  const r = grpcRouteRules({ rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] }, ctx, '');
  assert.deepEqual(r.clusters.map((c) => [c.name, c.protocol]), [['default/svc:80/h2c', 'h2c']]);
  const bad = grpcRouteRules({ rules: [{ backendRefs: [{ name: 'svc', port: 81 }] }] }, ctx, '');
  assert.equal(bad.unresolved?.reason, 'UnsupportedProtocol');
  assert.deepEqual(bad.routes[0]?.route.splits, [{ weight: 1, filters: [] }]);
});

test('timeouts: Gateway API durations become milliseconds; 0s disables one', () => {
  const r = translate({ backendRefs: [{ name: 'web', port: 80 }], timeouts: { request: '1m30s', backendRequest: '500ms' } });
  assert.deepEqual(r.routes[0]?.route.timeout, { request: 90_000, backendRequest: 500 });
  assert.deepEqual(translate({ timeouts: { request: '1h' } }).routes[0]?.route.timeout, { request: 3_600_000 });
  assert.equal(translate({ timeouts: { request: '0s' } }).routes[0]?.route.timeout, undefined);
});

test('an invalid timeout (bad duration, or a backend timeout longer than the request timeout) is unsupported and the rule answers 500', () => {
  for (const timeouts of [{ request: '10 seconds' }, { request: '1s', backendRequest: '2s' }, { backendRequest: '1d' }]) {
    const r = translate({ backendRefs: [{ name: 'web', port: 80 }], timeouts });
    assert.match(r.unsupported?.message ?? '', /^spec\.rules\[0\]\.timeouts\./, JSON.stringify(timeouts));
    assert.deepEqual(r.routes[0]?.route.splits, [{ weight: 1, filters: [] }]);
  }
});

test('retry (experimental): codes, attempts and backoff; attempts default to 1', () => {
  const r = translate({ backendRefs: [{ name: 'web', port: 80 }], retry: { codes: [500, 503], attempts: 3, backoff: '100ms' } });
  assert.deepEqual(r.routes[0]?.route.retry, { attempts: 3, codes: [500, 503], backoffMs: 100 });
  assert.deepEqual(translate({ retry: {} }).routes[0]?.route.retry, { attempts: 1, codes: [] });
  assert.match(translate({ retry: { codes: [200] } }).unsupported?.message ?? '', /retry\.codes/);
});

test('a backend weight out of range is unsupported and that split answers 500', () => {
  const r = refs([{ name: 'web', port: 80, weight: -1 }, { name: 'web', port: 8080 }]);
  assert.match(r.unsupported?.message ?? '', /backendRefs\[0\]\.weight/);
  assert.deepEqual(r.routes[0]?.route.splits, [{ weight: 1, filters: [] }, { cluster: 'default/web:8080', weight: 1, filters: [] }]);
});

test('retry attempts below 1 are unsupported (the CRD\'s minimum)', () => {
  const r = translate({ backendRefs: [{ name: 'web', port: 80 }], retry: { attempts: 0 } });
  assert.match(r.unsupported?.message ?? '', /retry\.attempts/);
});
