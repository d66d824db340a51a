// The store holds the Gateway API kinds beside Knative's, says which of their keys changed, and
// keeps an object's last good version while its document is rejected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Rejection, Sourced } from '../../src/api/types.ts';
import type { Gateway, GatewayClass, HTTPRoute, Namespace } from '../../src/gateway-api/types.ts';
import { Store } from '../../src/store/store.ts';

const V1 = 'gateway.networking.k8s.io/v1' as const;
const at = (file: string) => ({ file, doc: 0 });
const gw = (port: number): Sourced<Gateway> => ({
  resource: { apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'infra' }, spec: { gatewayClassName: 'c', listeners: [{ name: 'l', port, protocol: 'HTTP' }] } },
  origin: at('gw.yaml'),
});
const cls: Sourced<GatewayClass> = {
  resource: { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'sluice.dev/gateway-controller' } },
  origin: at('c.yaml'),
};
const route: Sourced<HTTPRoute> = { resource: { apiVersion: V1, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'default' }, spec: {} }, origin: at('r.yaml') };
const ns: Sourced<Namespace> = { resource: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'infra', labels: { a: 'b' } } }, origin: at('ns.yaml') };
const rejected: Rejection = { kind: 'Gateway', namespace: 'infra', name: 'gw', origin: at('gw.yaml'), errors: [{ path: 'spec.listeners[0].port', message: 'must be 1..65535' }] };

test('Gateway API objects are held by kind and key, cluster-scoped ones under default/', () => {
  const store = new Store();
  const set = store.update({ resources: [gw(80), cls, route, ns], rejections: [] });
  assert.equal(set.gateways.get('infra/gw')?.spec.listeners[0]?.port, 80);
  assert.equal(set.gatewayClasses.get('default/c')?.spec.controllerName, 'sluice.dev/gateway-controller');
  assert.ok(set.httpRoutes.has('default/r'));
  assert.ok(set.namespaces.has('default/infra'));
  assert.equal(set.grpcRoutes.size, 0);
});

test('an edit says which Gateway API keys changed and shares the untouched maps', () => {
  const store = new Store();
  const first = store.update({ resources: [gw(80), cls, route], rejections: [] });
  const second = store.update({ resources: [gw(81), cls, route], rejections: [] });
  assert.deepEqual([...(second.changes?.gateways ?? [])], ['infra/gw']);
  assert.equal(second.changes?.httpRoutes.size, 0);
  assert.equal(second.httpRoutes, first.httpRoutes);
  assert.equal(second.gatewayClasses, first.gatewayClasses);
});

test('a rejected Gateway document keeps its last good version', () => {
  const store = new Store();
  store.update({ resources: [gw(80), cls], rejections: [] });
  const set = store.update({ resources: [cls], rejections: [rejected] });
  assert.equal(set.gateways.get('infra/gw')?.spec.listeners[0]?.port, 80);
  const fixed = store.update({ resources: [cls], rejections: [] });
  assert.equal(fixed.gateways.size, 0);
});
