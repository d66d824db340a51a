// Gateway API documents are validated like the Knative ones: every problem with its field path,
// unknown fields named, cluster-scoped kinds without a namespace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateDocument } from '../../src/api/validate.ts';

const origin = { file: 'gw.yaml', doc: 0 };
const V1 = 'gateway.networking.k8s.io/v1';

function errors(doc: unknown): string[] {
  const out = validateDocument(doc, origin);
  return out.kind === 'rejected' ? out.rejection.errors.map((e) => `${e.path}: ${e.message}`) : [];
}

function gateway(listeners: unknown[]): object {
  return { apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'infra' }, spec: { gatewayClassName: 'sluice', listeners } };
}

test('a listener port out of range is named by its path', () => {
  const doc = gateway([
    { name: 'a', port: 80, protocol: 'HTTP' },
    { name: 'b', port: 70000, protocol: 'HTTP' },
  ]);
  assert.deepEqual(errors(doc), ['spec.listeners[1].port: must be 1..65535']);
});

test('a Gateway with every listener problem reports each one', () => {
  const doc = gateway([
    { name: 'Bad_Name', port: 80, protocol: 'HTTP', tls: { certificateRefs: [{ name: 'c' }] } },
    { name: 'h', port: 443, protocol: 'HTTPS' },
    { name: 'h', port: 8443, protocol: 'HTTPS', hostname: '10.0.0.1', tls: { mode: 'Passthrough', certificateRefs: [{ name: 'c' }] } },
    { name: 's', port: 81, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector' }, kinds: [{ group: 'x' }] } },
  ]);
  assert.deepEqual(errors(doc).sort(), [
    'spec.listeners[0].name: must be a lower-case DNS name, got "Bad_Name"',
    'spec.listeners[0].tls: must not be set for protocol HTTP',
    'spec.listeners[1].tls: required for protocol HTTPS',
    'spec.listeners[2].hostname: must be a host name (optionally *.-prefixed), not an IP address, got "10.0.0.1"',
    'spec.listeners[2].name: duplicate listener name "h": listener names must be unique',
    'spec.listeners[2].tls.mode: must be Terminate for protocol HTTPS',
    'spec.listeners[3].allowedRoutes.kinds[0].kind: required',
    'spec.listeners[3].allowedRoutes.namespaces.selector: required when from is Selector',
  ]);
});

test('a listener protocol Sluice does not serve is valid (its status says so)', () => {
  assert.deepEqual(errors(gateway([{ name: 't', port: 9000, protocol: 'TCP' }])), []);
});

test('an unknown field in a Gateway is reported with the field it resembles', () => {
  const doc = gateway([{ name: 'a', port: 80, protocol: 'HTTP', hostnme: 'x.example.com' }]);
  assert.deepEqual(errors(doc), ['spec.listeners[0].hostnme: unknown field "hostnme" (did you mean "hostname"?)']);
});

test('HTTPRoute parentRefs, hostnames and backendRefs are checked', () => {
  const doc = {
    apiVersion: V1,
    kind: 'HTTPRoute',
    metadata: { name: 'r' },
    spec: {
      parentRefs: [{ name: 'gw', port: 0 }, { namespace: 'infra' }],
      hostnames: ['*.example.com', 'bad host'],
      rules: [{ backendRefs: [{ name: 's', port: 80, weight: -1 }], filters: [{}], matchs: [] }],
    },
  };
  assert.deepEqual(errors(doc).sort(), [
    'spec.hostnames[1]: must be a host name (optionally *.-prefixed), not an IP address, got "bad host"',
    'spec.parentRefs[0].port: must be 1..65535',
    'spec.parentRefs[1].name: required',
    'spec.rules[0].backendRefs[0].weight: must be 0..1000000',
    'spec.rules[0].filters[0].type: required',
    'spec.rules[0].matchs: unknown field "matchs" (did you mean "matches"?)',
  ]);
});

test('a valid GRPCRoute, ReferenceGrant (v1 and v1beta1) and Namespace are read', () => {
  const docs = [
    { apiVersion: V1, kind: 'GRPCRoute', metadata: { name: 'g' }, spec: { rules: [{ matches: [{ method: { service: 'a.B' } }], backendRefs: [{ name: 's', port: 50051 }] }] } },
    { apiVersion: V1, kind: 'ReferenceGrant', metadata: { name: 'rg', namespace: 'be' }, spec: { from: [{ group: V1.split('/')[0], kind: 'HTTPRoute', namespace: 'default' }], to: [{ group: '', kind: 'Service' }] } },
    { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'rg2' }, spec: { from: [{ group: '', kind: 'Gateway', namespace: 'x' }], to: [{ group: '', kind: 'Secret', name: 'c' }] } },
  ];
  for (const d of docs) assert.equal(validateDocument(d, origin).kind, 'resource', JSON.stringify(errors(d)));
});

test('cluster-scoped kinds (GatewayClass, Namespace) get no namespace', () => {
  for (const d of [
    { apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'infra', labels: { team: 'a' } } },
  ]) {
    const out = validateDocument(d, origin);
    assert.equal(out.kind, 'resource');
    if (out.kind === 'resource') assert.equal(out.resource.metadata.namespace, undefined);
  }
  assert.deepEqual(errors({ apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'nope' } }), [
    'spec.controllerName: must be a domain-prefixed path (example.com/controller), got "nope"',
  ]);
});

test('a ReferenceGrant needs from and to, each entry with its kind', () => {
  const doc = { apiVersion: V1, kind: 'ReferenceGrant', metadata: { name: 'rg' }, spec: { from: [{ kind: 'HTTPRoute', namespace: 'a' }], to: [] } };
  assert.deepEqual(errors(doc).sort(), ['spec.from[0].group: required', 'spec.to: must not be empty']);
});
