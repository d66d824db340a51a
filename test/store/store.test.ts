import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice, KIngress, Rejection, Service, Sourced } from '../../src/api/types.ts';
import { Store } from '../../src/store/store.ts';

const ing = (name: string, host: string, namespace?: string): Sourced<KIngress> => ({
  resource: {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: namespace ? { name, namespace } : { name },
    spec: { rules: [{ hosts: [host], http: { paths: [{ splits: [{ serviceNamespace: 'default', serviceName: 's', servicePort: 80 }] }] } }] },
  },
  origin: { file: `${name}.yaml`, doc: 0 },
});
const svc = (name: string, namespace = 'default', port = 80): Sourced<Service> => ({
  resource: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ port }] } },
  origin: { file: 'svc.yaml', doc: 0 },
});
const slice = (name: string, service: string | undefined, namespace = 'default'): Sourced<EndpointSlice> => ({
  resource: {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, ...(service ? { labels: { 'kubernetes.io/service-name': service } } : {}) },
    endpoints: [],
  },
  origin: { file: 'slices.yaml', doc: 0 },
});
const reject = (kind: string, name: string, namespace?: string): Rejection => ({
  kind,
  name,
  namespace,
  origin: { file: `${name}.yaml`, doc: 0 },
  errors: [{ path: 'spec', message: 'bad' }],
});

test('current() is empty before the first update', () => {
  const set = new Store().current();
  assert.equal(set.ingresses.size, 0);
  assert.deepEqual(set.rejections, []);
});

test('indexes resources by namespace/name, namespace defaulting to "default"', () => {
  const set = new Store().update({ resources: [ing('a', 'a.example.com'), ing('b', 'b.example.com', 'team'), svc('s')], rejections: [] });
  assert.deepEqual([...set.ingresses.keys()], ['default/a', 'team/b']);
  assert.equal(set.ingresses.get('default/a')?.origin.file, 'a.yaml');
  assert.equal(set.services.get('default/s')?.spec.ports?.[0].port, 80);
});

test('indexes EndpointSlices by their service-name label, sorted by slice name; unlabelled slices are left out', () => {
  const set = new Store().update({
    resources: [slice('s-zzz', 's'), slice('s-aaa', 's'), slice('other', 's', 'team'), slice('orphan', undefined)],
    rejections: [],
  });
  assert.deepEqual(set.endpointSlicesByService.get('default/s')?.map((s) => s.metadata.name), ['s-aaa', 's-zzz']);
  assert.deepEqual(set.endpointSlicesByService.get('team/s')?.map((s) => s.metadata.name), ['other']);
  assert.equal(set.endpointSlicesByService.size, 2);
});

test('a rejected edit keeps the last good ingress, across several bad updates, until the document is gone', () => {
  const store = new Store();
  const good = ing('a', 'a.example.com');
  store.update({ resources: [good, ing('b', 'b.example.com')], rejections: [] });
  const bad1 = store.update({ resources: [ing('b', 'b.example.com')], rejections: [reject('Ingress', 'a', 'default')] });
  assert.equal(bad1.ingresses.get('default/a'), good);
  assert.equal(bad1.rejections.length, 1);
  const bad2 = store.update({ resources: [], rejections: [reject('Ingress', 'a')] });
  assert.equal(bad2.ingresses.get('default/a'), good, 'still kept on the second bad update (rejection without namespace)');
  assert.equal(bad2.ingresses.has('default/b'), false, 'a deleted document is removed');
  const removed = store.update({ resources: [], rejections: [] });
  assert.equal(removed.ingresses.size, 0);
  assert.deepEqual(removed.rejections, []);
});

test('the last-good rule applies to other kinds, and only to the kind the rejection names', () => {
  const store = new Store();
  store.update({ resources: [svc('s'), ing('s', 's.example.com')], rejections: [] });
  const set = store.update({ resources: [], rejections: [reject('Service', 's', 'default')] });
  assert.ok(set.services.has('default/s'));
  assert.equal(set.ingresses.has('default/s'), false);
});

test('a rejection for an object that never was valid adds nothing; a valid new version wins over an old one', () => {
  const store = new Store();
  assert.equal(store.update({ resources: [], rejections: [reject('Ingress', 'new')] }).ingresses.size, 0);
  store.update({ resources: [svc('s', 'default', 80)], rejections: [] });
  const set = store.update({ resources: [svc('s', 'default', 81)], rejections: [reject('Service', 's')] });
  assert.equal(set.services.get('default/s')?.spec.ports?.[0].port, 81);
});

test('an object defined twice: the first by file and document is used whatever the order, the other is reported', () => {
  const first: Sourced<KIngress> = { ...ing('dup', 'one.example.com'), origin: { file: 'a.yaml', doc: 2 } };
  const second: Sourced<KIngress> = { ...ing('dup', 'two.example.com'), origin: { file: 'b.yaml', doc: 0 } };
  for (const order of [[first, second], [second, first]]) {
    const set = new Store().update({ resources: order, rejections: [] });
    assert.equal(set.ingresses.get('default/dup'), first);
    assert.equal(set.rejections.length, 1);
    assert.equal(set.rejections[0].origin.file, 'b.yaml');
    assert.match(set.rejections[0].errors[0].message, /duplicate Ingress "default\/dup".*a\.yaml \(document 2\)/);
  }
});
