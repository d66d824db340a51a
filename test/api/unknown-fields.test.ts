// Unknown fields reject a document (kubectl's strict field validation), naming the closest known
// field when one is close, so `visiblity: ClusterLocal` can no longer make a cluster-local route public.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nearest } from '../../src/api/known-fields.ts';
import { validateDocument } from '../../src/api/validate.ts';

const origin = { file: 'x.yaml', doc: 0 };
const split = { serviceName: 's', serviceNamespace: 'default', servicePort: 80 };

function ingress(rule: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name: 'hello' },
    spec: { rules: [{ hosts: ['hello.example.com'], http: { paths: [{ splits: [split] }] }, ...rule }] },
    ...extra,
  };
}

function errors(doc: unknown, o: typeof origin | { cluster: true } = origin): string[] {
  const out = validateDocument(doc, o);
  return out.kind === 'rejected' ? out.rejection.errors.map((e) => `${e.path}: ${e.message}`) : [];
}

test('a misspelt visibility rejects the ingress and names the field it meant', () => {
  assert.deepEqual(errors(ingress({ visiblity: 'ClusterLocal' })), ['spec.rules[0].visiblity: unknown field "visiblity" (did you mean "visibility"?)']);
});

test('unknown fields are found at every level of an Ingress', () => {
  const doc = ingress(
    { http: { paths: [{ pth: '/', headers: { 'X-A': { exakt: 'v' } }, splits: [{ ...split, percnt: 100, weight: 1 }] }] } },
    { sepc: {}, status: { anything: 'goes' } },
  );
  (doc.metadata as Record<string, unknown>).lables = { a: 'b' };
  (doc.metadata as Record<string, unknown>).annotations = { 'free.form/key': 'v' };
  assert.deepEqual(errors(doc).sort(), [
    'metadata.lables: unknown field "lables" (did you mean "labels"?)',
    'sepc: unknown field "sepc" (did you mean "spec"?)',
    'spec.rules[0].http.paths[0].headers.X-A.exact: required',
    'spec.rules[0].http.paths[0].headers.X-A.exakt: unknown field "exakt" (did you mean "exact"?)',
    'spec.rules[0].http.paths[0].pth: unknown field "pth" (did you mean "path"?)',
    'spec.rules[0].http.paths[0].splits[0].percnt: unknown field "percnt" (did you mean "percent"?)',
    'spec.rules[0].http.paths[0].splits[0].weight: unknown field "weight"',
  ]);
});

test('a Service exported from a cluster passes; a misspelt port field does not', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'default', uid: 'u', resourceVersion: '1', creationTimestamp: '2024-01-01T00:00:00Z', managedFields: [{ manager: 'kubectl' }] },
    spec: {
      selector: { app: 's' },
      type: 'ClusterIP',
      clusterIP: '10.0.0.1',
      clusterIPs: ['10.0.0.1'],
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
    status: { loadBalancer: {} },
  };
  assert.deepEqual(errors(svc), []);
  const bad = { ...svc, spec: { ...svc.spec, ports: [{ name: 'http', port: 80, targtPort: 8080 }] } };
  assert.deepEqual(errors(bad), ['spec.ports[0].targtPort: unknown field "targtPort" (did you mean "targetPort"?)']);
});

test('Endpoints, EndpointSlices and Secrets are checked too', () => {
  assert.deepEqual(errors({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets: [{ adresses: [{ ip: '10.0.0.1' }] }] }), [
    'subsets[0].adresses: unknown field "adresses" (did you mean "addresses"?)',
  ]);
  assert.deepEqual(
    errors({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], conditions: { redy: true } }] }),
    ['endpoints[0].conditions.redy: unknown field "redy" (did you mean "ready"?)'],
  );
  assert.deepEqual(errors({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c' }, type: 'Opaque', strigData: { a: 'b' } }), [
    'strigData: unknown field "strigData" (did you mean "stringData"?)',
  ]);
});

test('objects read from a cluster are not rejected for fields this version does not know', () => {
  assert.deepEqual(errors(ingress({ futureField: true }), { cluster: true }), []);
});

test('nearest: close names only, case-insensitive, ties broken by name', () => {
  assert.equal(nearest('Path', ['path', 'splits']), 'path');
  assert.equal(nearest('serviceNmae', ['serviceName', 'serviceNamespace']), 'serviceName');
  assert.equal(nearest('weight', ['percent', 'serviceName']), undefined);
  assert.equal(nearest('x', ['a', 'b']), undefined);
});
