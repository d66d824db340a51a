// The table of knative.dev/networking pkg/ingress TestGetExpandedHosts, plus lower-casing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandedHosts } from '../../src/translate/hosts.ts';

const cases: Array<[string, string[], string[]]> = [
  ['cluster local service in non-default namespace', ['service.name-space.svc.cluster.local'], ['service.name-space', 'service.name-space.svc', 'service.name-space.svc.cluster.local']],
  ['cluster local service in all-numeric namespace', ['service.1234.svc.cluster.local'], ['service.1234.svc', 'service.1234.svc.cluster.local']],
  ['funky namespace', ['service.1-1.svc.cluster.local'], ['service.1-1', 'service.1-1.svc', 'service.1-1.svc.cluster.local']],
  ['very long tld', [`service.${'s'.repeat(64)}.svc.cluster.local`], [`service.${'s'.repeat(64)}.svc`, `service.${'s'.repeat(64)}.svc.cluster.local`]],
  ['example.com service', ['foo.bar.example.com'], ['foo.bar.example.com']],
  ['mix', ['foo.default.example.com', 'foo.default.svc.cluster.local'], ['foo.default', 'foo.default.example.com', 'foo.default.svc', 'foo.default.svc.cluster.local']],
  ['upper case is folded', ['Foo.Default.SVC.cluster.local'], ['foo.default', 'foo.default.svc', 'foo.default.svc.cluster.local']],
];

for (const [name, hosts, want] of cases) {
  test(`expandedHosts: ${name}`, () => assert.deepEqual(expandedHosts(hosts, 'cluster.local'), want));
}

test('expandedHosts honours a custom cluster domain', () => {
  assert.deepEqual(expandedHosts(['a.b.svc.corp.internal', 'a.b.svc.cluster.local'], 'corp.internal'), ['a.b', 'a.b.svc', 'a.b.svc.cluster.local', 'a.b.svc.corp.internal']);
});
