// The small pure rules under attachment: host name intersection, label selectors, ReferenceGrants.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { covers, routeHostsOnListener } from '../../src/gateway-api/hostnames.ts';
import { selectorMatches } from '../../src/gateway-api/label-selector.ts';
import { indexGrants, refAllowed } from '../../src/gateway-api/reference-grants.ts';
import type { ReferenceGrant } from '../../src/gateway-api/types.ts';

test('a wildcard covers names of one or more labels under it, never its own suffix', () => {
  assert.ok(covers('*.example.com', 'a.example.com'));
  assert.ok(covers('*.example.com', 'a.b.example.com'));
  assert.ok(covers('*.example.com', '*.b.example.com'));
  assert.ok(!covers('*.example.com', 'example.com'));
  assert.ok(!covers('*.example.com', 'aexample.com'));
  assert.ok(covers(undefined, 'anything.org'));
});

test('route hostnames intersect a listener hostname per the spec', () => {
  assert.deepEqual(routeHostsOnListener(undefined, undefined), ['*']);
  assert.deepEqual(routeHostsOnListener('*.example.com', []), ['*.example.com']);
  assert.deepEqual(routeHostsOnListener('*.example.com', ['Foo.Example.COM', 'other.org', '*.example.com']), ['foo.example.com', '*.example.com']);
  assert.deepEqual(routeHostsOnListener('foo.example.com', ['*.example.com']), ['foo.example.com']);
  assert.deepEqual(routeHostsOnListener('*.foo.example.com', ['*.example.com']), ['*.foo.example.com']);
  assert.deepEqual(routeHostsOnListener('foo.example.com', ['bar.example.com']), []);
});

test('label selectors AND matchLabels and every matchExpressions operator', () => {
  const labels = { tier: 'gold', team: 'a' };
  assert.ok(selectorMatches({ matchLabels: { tier: 'gold' } }, labels));
  assert.ok(!selectorMatches({ matchLabels: { tier: 'gold', team: 'b' } }, labels));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'x'] }, { key: 'zone', operator: 'DoesNotExist' }] }, labels));
  assert.ok(!selectorMatches({ matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, labels));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, labels));
  assert.ok(selectorMatches({}, labels), 'an empty selector selects everything');
  assert.ok(!selectorMatches(undefined, labels), 'no selector selects nothing');
});

test('a ReferenceGrant in the target namespace allows exactly what it lists', () => {
  const grant = (ns: string, to: ReferenceGrant['spec']['to']): ReferenceGrant => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ReferenceGrant',
    metadata: { name: 'g', namespace: ns },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }], to },
  });
  const grants = indexGrants([grant('backends', [{ group: '', kind: 'Service', name: 'one' }]), grant('all', [{ group: '', kind: 'Service' }])]);
  const from = { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' };
  const svc = (namespace: string, name: string) => ({ group: '', kind: 'Service', namespace, name });
  assert.ok(refAllowed(grants, from, svc('backends', 'one')));
  assert.ok(!refAllowed(grants, from, svc('backends', 'two')), 'the grant names one Service');
  assert.ok(refAllowed(grants, from, svc('all', 'any')), 'a grant without a name covers the kind');
  assert.ok(!refAllowed(grants, { ...from, kind: 'GRPCRoute' }, svc('all', 'any')), 'only the kinds it lists');
  assert.ok(!refAllowed(grants, { ...from, namespace: 'other' }, svc('all', 'any')), 'only the namespaces it lists');
  assert.ok(refAllowed(grants, { ...from, namespace: 'x' }, svc('x', 'same')), 'the same namespace needs no grant');
});
