// Behaviours of translate() not covered by the golden scenarios.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { IngressSpec, KIngress, Resource, Secret, Sourced } from '../../src/api/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions, type TranslateOptions } from '../../src/translate/options.ts';
import { withLoadBalancerCondition } from '../../src/translate/status.ts';
import { translate } from '../../src/translate/translate.ts';

const opts = defaultTranslateOptions;

function ingress(name: string, spec: IngressSpec, extra: Partial<KIngress['metadata']> = {}): KIngress {
  return { apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'Ingress', metadata: { name, namespace: 'default', ...extra }, spec };
}
const web = (hosts?: string[]): IngressSpec => ({
  rules: [{ ...(hosts ? { hosts } : {}), http: { paths: [{ splits: [{ serviceNamespace: 'default', serviceName: 'web', servicePort: 80 }] }] } }],
});
const sourced = (resources: Resource[]): Sourced[] => resources.map((resource, doc) => ({ resource, origin: { file: 'test.yaml', doc } }));
const webService: Resource = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } };
/** Translates the given resources plus the Service `default/web`. */
const run = (resources: Resource[], options: TranslateOptions = opts) =>
  translate(new Store().update({ resources: sourced([...resources, webService]), rejections: [] }), options);

// The certificate and keys of the TLS golden scenario, reused here.
const tlsDocs = readFileSync(join(import.meta.dirname, '../fixtures/translate/tls.in.yaml'), 'utf8')
  .split(/^---$/m)
  .map((d) => parse(d) as Resource)
  .filter((d) => d.kind === 'Secret') as Secret[];
const goodSecret = (name: string): Secret => ({ ...(tlsDocs.find((s) => s.metadata.name === 'other-tls') as Secret), metadata: { name, namespace: 'default' } });

test('the result is deeply frozen', () => {
  const r = run([ingress('a', web(['a.example.com']))]);
  assert.ok(Object.isFrozen(r.snapshot.listeners.external[0].routes[0].splits[0]));
  assert.throws(() => (r.statuses as unknown[]).push({}));
});

test('a rule without hosts is a catch-all `*` domain', () => {
  const r = run([ingress('any', web())]);
  assert.deepEqual(r.snapshot.listeners.external[0].domains, ['*']);
});

test('withLoadBalancerCondition recomputes Ready: False beats Unknown beats True', () => {
  const fine = run([ingress('a', web(['a.example.com']))]).statuses[0];
  const probing = withLoadBalancerCondition(fine, { type: 'LoadBalancerReady', status: 'Unknown', reason: 'Uninitialized', message: 'probing' });
  assert.deepEqual(probing.conditions.find((c) => c.type === 'Ready'), { type: 'Ready', status: 'Unknown', reason: 'Uninitialized', message: 'probing' });
  const broken = run([ingress('b', { rules: [{ hosts: ['b.example.com'], http: { paths: [{ splits: [{ serviceNamespace: 'default', serviceName: 'nope', servicePort: 80 }] }] } }] })]).statuses[0];
  const both = withLoadBalancerCondition(broken, { type: 'LoadBalancerReady', status: 'Unknown' });
  assert.equal(both.conditions.find((c) => c.type === 'Ready')?.reason, 'ServiceNotFound');
  assert.deepEqual(both.conditions.map((c) => c.type), ['LoadBalancerReady', 'NetworkConfigured', 'Ready']);
  const ready = withLoadBalancerCondition(probing, { type: 'LoadBalancerReady', status: 'True' });
  assert.equal(ready.conditions.find((c) => c.type === 'Ready')?.status, 'True');
});

test('a never-valid rejected ingress gets a status in file mode only (its class is unknown)', () => {
  const rejection = { kind: 'Ingress', namespace: 'default', name: 'bad', origin: { file: 'bad.yaml', doc: 0 }, errors: [{ path: 'spec', message: 'x' }] };
  const set = new Store().update({ resources: [], rejections: [rejection] });
  const file = translate(set, opts);
  assert.equal(file.statuses.length, 1);
  assert.equal(file.statuses[0].hash, '');
  assert.match(file.statuses[0].conditions.find((c) => c.type === 'Ready')?.message ?? '', /bad\.yaml \(document 0\): spec: x/);
  assert.equal(translate(set, { ...opts, requireClass: true }).statuses.length, 0);
  assert.equal(translate(set, { ...opts, requireClass: true }).diagnostics.length, 1, 'still reported as a diagnostic');
});

test('TLS: two Secrets for one host: the older ingress keeps it; one Secret shared by two ingresses is one certificate', () => {
  const tls = (secretName: string, host: string) => ({ ...web([host]), tls: [{ hosts: [host], secretName }] });
  const r = run([
    ingress('new', tls('new-cert', 'x.example.com'), { creationTimestamp: '2025-01-01T00:00:00Z' }),
    ingress('old', tls('old-cert', 'x.example.com'), { creationTimestamp: '2020-01-01T00:00:00Z' }),
    ingress('s1', tls('shared', 'y.example.com')),
    ingress('s2', tls('shared', 'z.example.com')),
    goodSecret('new-cert'),
    goodSecret('old-cert'),
    goodSecret('shared'),
  ]);
  assert.deepEqual(r.snapshot.tls.map((t) => [t.name, t.hosts]), [
    ['default/old-cert', ['x.example.com']],
    ['default/shared', ['y.example.com', 'z.example.com']],
  ]);
  const loser = r.statuses.find((s) => s.name === 'new');
  assert.equal(loser?.conditions.find((c) => c.type === 'NetworkConfigured')?.reason, 'HostConflict');
  assert.match(loser?.conditions.find((c) => c.type === 'Ready')?.message ?? '', /x\.example\.com.*default\/old/);
});

test('a Secret of another type is InvalidSecret', () => {
  const secret = { ...goodSecret('opaque'), type: 'Opaque' };
  const r = run([ingress('a', { ...web(['a.example.com']), tls: [{ hosts: ['a.example.com'], secretName: 'opaque' }] }), secret]);
  const nc = r.statuses[0].conditions.find((c) => c.type === 'NetworkConfigured');
  assert.equal(nc?.reason, 'InvalidSecret');
  assert.match(nc?.message ?? '', /type "Opaque"/);
  assert.equal(r.snapshot.tls.length, 0);
});

test('header names are lower-cased; of two spellings of one name the last in sort order wins', () => {
  const spec: IngressSpec = {
    rules: [
      {
        hosts: ['h.example.com'],
        http: { paths: [{ headers: { 'X-Match': { exact: 'V' } }, appendHeaders: { 'X-B': '1', 'x-b': '2', 'X-A': '3' }, splits: [{ serviceNamespace: 'default', serviceName: 'web', servicePort: 80 }] }] },
      },
    ],
  };
  const route = run([ingress('h', spec)]).snapshot.listeners.external[0].routes[0];
  assert.deepEqual(route.headers, [{ name: 'x-match', match: { type: 'exact', value: 'V' } }]);
  assert.deepEqual(route.filters, [{ type: 'request-headers', edits: { set: [['x-a', '3'], ['x-b', '2']], add: [], remove: [] } }]);
});

test('an ExternalName Service without ports and a named servicePort is PortNotFound', () => {
  const svc: Resource = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.net' } };
  const spec: IngressSpec = { rules: [{ hosts: ['e.example.com'], http: { paths: [{ splits: [{ serviceNamespace: 'default', serviceName: 'ext', servicePort: 'http' }] }] } }] };
  const r = run([ingress('e', spec), svc]);
  assert.deepEqual(r.snapshot.clusters[0], { name: 'default/ext:http', protocol: 'http1', type: 'dns', endpoints: [] });
  assert.equal(r.statuses[0].conditions.find((c) => c.type === 'Ready')?.reason, 'PortNotFound');
});

test('load balancer domains come from the options', () => {
  const r = run([ingress('a', web(['a.example.com']))], { ...opts, publicDomain: 'pub.example', privateDomain: 'priv.example' });
  assert.deepEqual(r.statuses[0].publicLoadBalancer, { ingress: [{ domainInternal: 'pub.example' }] });
  assert.deepEqual(r.statuses[0].privateLoadBalancer, { ingress: [{ domainInternal: 'priv.example' }] });
});
