// translate() = Knative's translation + the Gateway API's, composed into one snapshot: the
// Gateway API part is reused while nothing it read changed and redone when something did, the
// hash covers both, and Knative's list diffs survive only while they are still exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource, Sourced } from '../../src/api/types.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';

const V1 = 'gateway.networking.k8s.io/v1' as const;
const at = { file: 'x.yaml', doc: 0 };
const s = (resource: object): Sourced => ({ resource: resource as Resource, origin: at });

const gatewayClass = s({ apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } });
const gateway = s({ apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } });
const route = (service: string) =>
  s({ apiVersion: V1, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'default' }, spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: service, port: 80 }] }] } });
const service = (name: string) => s({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } });
const endpoints = (name: string, ip: string) =>
  s({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' }, subsets: [{ addresses: [{ ip }], ports: [{ name: 'http', port: 8080 }] }] });
const ingress = (host: string, svc: string) =>
  s({
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name: 'k', namespace: 'default' },
    spec: { rules: [{ hosts: [host], http: { paths: [{ splits: [{ serviceNamespace: 'default', serviceName: svc, servicePort: 80 }] }] } }] },
  });

function run(states: Sourced[][]) {
  const store = new Store();
  const cache = new TranslateCache();
  return states.map((resources) => translate(store.update({ resources, rejections: [] }), defaultTranslateOptions, cache));
}

test('an edit that touches only Knative objects reuses the Gateway API part', () => {
  const base = [gatewayClass, gateway, route('web'), service('web'), endpoints('web', '10.0.0.1'), service('kn'), endpoints('kn', '10.0.0.2')];
  const [first, second] = run([
    [...base, ingress('a.example.com', 'kn')],
    [...base, ingress('b.example.com', 'kn')],
  ]);
  assert.ok(first && second);
  assert.equal(second.objectStatuses, first.objectStatuses);
  assert.equal(second.snapshot.ports, first.snapshot.ports);
  assert.notEqual(second.snapshot.hash, first.snapshot.hash);
});

test('a changed Service endpoint that a route reads redoes the Gateway API part and the hash', () => {
  const base = [gatewayClass, gateway, route('web'), service('web')];
  const [first, second] = run([
    [...base, endpoints('web', '10.0.0.1')],
    [...base, endpoints('web', '10.0.0.9')],
  ]);
  assert.ok(first && second);
  assert.deepEqual(second.snapshot.clusters.map((c) => c.endpoints.map((e) => e.address)), [['10.0.0.9']]);
  assert.notEqual(second.snapshot.hash, first.snapshot.hash);
});

test('the same set translated again gives the very same result', () => {
  const store = new Store();
  const cache = new TranslateCache();
  const set = store.update({ resources: [gatewayClass, gateway, route('web'), service('web')], rejections: [] });
  const a = translate(set, defaultTranslateOptions, cache);
  assert.equal(translate(set, defaultTranslateOptions, cache), a);
});

test('a Gateway API edit alone changes the hash, even when the ports stay the same', () => {
  const [first, second] = run([
    [gatewayClass, gateway, route('web'), service('web'), endpoints('web', '10.0.0.1'), service('api'), endpoints('api', '10.0.0.2')],
    [gatewayClass, gateway, route('api'), service('web'), endpoints('web', '10.0.0.1'), service('api'), endpoints('api', '10.0.0.2')],
  ]);
  assert.ok(first && second);
  assert.notEqual(second.snapshot.hash, first.snapshot.hash);
});

test('Knative diffs are kept while the Gateway API part adds no cluster, and dropped when it does', () => {
  const kn = [service('kn'), endpoints('kn', '10.0.0.2')];
  const withoutRoutes = run([
    [gatewayClass, gateway, ...kn, ingress('a.example.com', 'kn')],
    [gatewayClass, gateway, ...kn, ingress('b.example.com', 'kn')],
  ]);
  const [p0, p1] = withoutRoutes;
  assert.ok(p0 && p1);
  assert.equal(p1.diffs?.since, p0.snapshot, 'the diffs lead from the previous composed snapshot');
  assert.deepEqual([p1.diffs?.external.removed.length, p1.diffs?.external.added.length], [1, 1]);
  const withRoutes = run([
    [gatewayClass, gateway, route('web'), service('web'), ...kn, ingress('a.example.com', 'kn')],
    [gatewayClass, gateway, route('web'), service('web'), ...kn, ingress('b.example.com', 'kn')],
  ]);
  assert.equal(withRoutes[1]?.diffs, undefined);
});

test('the ports diff names only the Gateway port an edit touched; the other keeps its object', () => {
  const twoPorts = s({
    apiVersion: V1,
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'default' },
    spec: { gatewayClassName: 'sluice', listeners: [{ name: 'a', port: 80, protocol: 'HTTP' }, { name: 'b', port: 81, protocol: 'HTTP' }] },
  });
  // No backend resolves, so the Gateway API part adds no cluster and Knative's diffs stay exact.
  const onA = (host: string) =>
    s({ apiVersion: V1, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'default' }, spec: { parentRefs: [{ name: 'gw', sectionName: 'a' }], hostnames: [host], rules: [{ backendRefs: [{ name: 'ghost', port: 80 }] }] } });
  const kn = [service('kn'), endpoints('kn', '10.0.0.2'), ingress('k.example.com', 'kn')];
  const [first, second] = run([
    [gatewayClass, twoPorts, onA('one.example.com'), ...kn],
    [gatewayClass, twoPorts, onA('two.example.com'), ...kn],
  ]);
  assert.ok(first && second);
  const [a1, b1] = first.snapshot.ports;
  const [a2, b2] = second.snapshot.ports;
  assert.equal(b2, b1, 'the untouched port is the same object');
  assert.notEqual(a2, a1);
  assert.equal(second.diffs?.since, first.snapshot);
  assert.deepEqual(second.diffs?.ports, { removed: [a1], added: [a2] });
  assert.deepEqual([second.diffs?.external.added.length, second.diffs?.clusters.added.length], [0, 0]);
});
