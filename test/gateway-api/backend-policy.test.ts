// BackendPolicy documents: validation with field paths, defaults filled in (Envoy's), and attachment
// to the clusters of the Services and Upstreams they target (GEP-713: the oldest of two policies on
// one target wins, the other is Conflicted; a missing target is TargetNotFound).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateDocument } from '../../src/api/validate.ts';
import { attachBackendPolicies, clusterTarget } from '../../src/gateway-api/backend-policy-attach.ts';
import type { BackendPolicy } from '../../src/gateway-api/backend-policy-types.ts';
import type { Cluster, TranslateResult } from '../../src/snapshot/types.ts';
import type { ResourceSet } from '../../src/store/types.ts';

const origin = { file: 'policies.yaml', line: 3 };
const SERVICE = { group: '', kind: 'Service', name: 'web' };

function doc(name: string, spec: Record<string, unknown>, creationTimestamp?: string): Record<string, unknown> {
  return { apiVersion: 'sluice.dev/v1alpha1', kind: 'BackendPolicy', metadata: { name, namespace: 'default', ...(creationTimestamp !== undefined && { creationTimestamp }) }, spec };
}

function errorsOf(spec: Record<string, unknown>): string[] {
  const out = validateDocument(doc('p', spec), origin);
  return out.kind === 'rejected' ? out.rejection.errors.map((e) => `${e.path}: ${e.message}`) : [];
}

function policy(name: string, spec: Record<string, unknown>, creationTimestamp?: string): BackendPolicy {
  const out = validateDocument(doc(name, spec, creationTimestamp), origin);
  assert.equal(out.kind, 'resource');
  return (out as { resource: unknown }).resource as BackendPolicy;
}

const c = (name: string): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '10.0.0.1', port: 8080 }] });

function result(clusters: Cluster[]): TranslateResult {
  return { snapshot: { hash: 'h', listeners: { external: [], local: [] }, ports: [], clusters, tls: [], ingresses: [] }, statuses: [], diagnostics: [] } as unknown as TranslateResult;
}

function set(policies: BackendPolicy[]): ResourceSet {
  return {
    services: new Map([['default/web', {}], ['default/api', {}]]),
    glooUpstreams: new Map([['default/pets', {}]]),
    backendPolicies: new Map(policies.map((p) => [`default/${p.metadata.name}`, p])),
  } as unknown as ResourceSet;
}

describe('BackendPolicy validation', () => {
  it('accepts circuit breakers, outlier detection and a health check on a Service and an Upstream', () => {
    assert.deepEqual(
      errorsOf({
        targetRefs: [SERVICE, { group: 'gloo.solo.io', kind: 'Upstream', name: 'pets' }],
        circuitBreakers: { maxConnections: 10, maxPendingRequests: 5, maxRequests: 100, maxConcurrentStreams: 50 },
        outlierDetection: { consecutive5xx: 3, baseEjectionTime: '10s', maxEjectionPercent: 50 },
        healthCheck: { path: '/healthz', interval: '5s', timeout: '1s', healthyThreshold: 1, unhealthyThreshold: 2, expectedStatuses: [200, '300-399'] },
      }),
      [],
    );
  });

  it('rejects bad fields naming each one', () => {
    const errs = errorsOf({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'x' }, { group: 'apps', kind: 'Service', name: 'y' }],
      circuitBreakers: { maxRequests: 0, maxPending: 1 },
      outlierDetection: { consecutive5xx: -1, baseEjectionTime: 'soon', maxEjectionPercent: 101 },
      healthCheck: { path: 'healthz x', interval: '0s', expectedStatuses: [99, '500-400', 'ok'] },
      extra: true,
    });
    for (const path of [
      'spec.extra', 'spec.targetRefs[0].kind', 'spec.targetRefs[1].group', 'spec.circuitBreakers.maxRequests', 'spec.circuitBreakers.maxPending',
      'spec.outlierDetection.consecutive5xx', 'spec.outlierDetection.baseEjectionTime', 'spec.outlierDetection.maxEjectionPercent',
      'spec.healthCheck.path', 'spec.healthCheck.interval', 'spec.healthCheck.expectedStatuses[0]', 'spec.healthCheck.expectedStatuses[1]', 'spec.healthCheck.expectedStatuses[2]',
    ]) {
      assert.ok(errs.some((e) => e.startsWith(`${path}:`)), `${path} in ${errs.join('\n')}`);
    }
    assert.ok(errorsOf({ targetRefs: [SERVICE] }).some((e) => e.startsWith('spec:')), 'a policy with nothing in it');
  });
});

describe('BackendPolicy attachment', () => {
  it('names the target of every kind of cluster', () => {
    assert.equal(clusterTarget('default/web:80'), 'Service default/web');
    assert.equal(clusterTarget('default/web:http'), 'Service default/web');
    assert.equal(clusterTarget('default/web:80/h2c'), 'Service default/web');
    assert.equal(clusterTarget('upstream:default/pets'), 'Upstream default/pets');
    assert.equal(clusterTarget('upstream:default/pets/h2c'), 'Upstream default/pets');
  });

  it("attaches to every cluster of the target, with Envoy's defaults filled in, and keeps cluster objects while unchanged", () => {
    const p = policy('p', { targetRefs: [SERVICE, { group: 'gloo.solo.io', kind: 'Upstream', name: 'pets' }], outlierDetection: {}, healthCheck: { path: '/healthz' } });
    const input = result([c('default/api:80'), c('default/web:80'), c('default/web:http/h2c'), c('upstream:default/pets')]);
    const out = attachBackendPolicies(input, set([p]));
    const byName = new Map(out.snapshot.clusters.map((x) => [x.name, x.policy]));
    assert.equal(byName.get('default/api:80'), undefined);
    assert.deepEqual(byName.get('default/web:80'), {
      source: 'default/p',
      outlierDetection: { consecutive5xx: 5, consecutiveGatewayFailure: 0, consecutiveConnectFailure: 0, baseEjectionMs: 30_000, maxEjectionPercent: 10 },
      healthCheck: { path: '/healthz', intervalMs: 10_000, timeoutMs: 1000, healthyThreshold: 2, unhealthyThreshold: 3, expectedStatuses: [[200, 200]] },
    });
    assert.ok(byName.get('default/web:http/h2c') !== undefined && byName.get('upstream:default/pets') !== undefined);
    assert.notEqual(out.snapshot.hash, 'h');
    const again = attachBackendPolicies(input, set([p]));
    assert.equal(again.snapshot.clusters[1], out.snapshot.clusters[1], 'the same cluster object');
    assert.equal(again.snapshot.hash, out.snapshot.hash);
  });

  it('lets the oldest of two policies on one target win and reports the other Conflicted, and a missing target TargetNotFound', () => {
    const young = policy('young', { targetRefs: [SERVICE], circuitBreakers: { maxRequests: 1 } }, '2026-02-01T00:00:00Z');
    const old = policy('old', { targetRefs: [SERVICE, { group: '', kind: 'Service', name: 'gone' }], circuitBreakers: { maxRequests: 9 } }, '2026-01-01T00:00:00Z');
    const out = attachBackendPolicies(result([c('default/web:80')]), set([young, old]));
    assert.equal(out.snapshot.clusters[0]?.policy?.circuitBreakers?.maxRequests, 9);
    const reasons = (name: string): string[] =>
      ((out.objectStatuses ?? []).find((s) => s.name === name)!.status as { ancestors: { conditions: { reason: string }[] }[] }).ancestors.map((a) => a.conditions[0]!.reason);
    assert.deepEqual(reasons('old'), ['Accepted', 'TargetNotFound']);
    assert.deepEqual(reasons('young'), ['Conflicted']);
  });

  it('changes nothing without policies', () => {
    const input = result([c('default/web:80')]);
    assert.equal(attachBackendPolicies(input, set([])), input);
  });
});

describe('BackendPolicy on one Service port (sectionName)', () => {
  // web's ports: 80 named http, 9000 named admin.
  const ported = (policies: BackendPolicy[]): ResourceSet =>
    ({
      ...set(policies),
      services: new Map([['default/web', { spec: { ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 9000 }] } }]]),
    }) as unknown as ResourceSet;

  it('accepts a port name on a Service, and rejects one on an Upstream', () => {
    assert.deepEqual(errorsOf({ targetRefs: [{ ...SERVICE, sectionName: 'admin' }], circuitBreakers: { maxRequests: 1 } }), []);
    const errs = errorsOf({ targetRefs: [{ group: 'gloo.solo.io', kind: 'Upstream', name: 'pets', sectionName: 'x' }], circuitBreakers: { maxRequests: 1 } });
    assert.ok(errs.some((e) => e.startsWith('spec.targetRefs[0].sectionName:')), errs.join('\n'));
  });

  it("lets the port's policy replace the Service's for that port's clusters, by number or name", () => {
    const whole = policy('whole', { targetRefs: [SERVICE], circuitBreakers: { maxRequests: 9 } });
    const port = policy('admin-port', { targetRefs: [{ ...SERVICE, sectionName: 'admin' }], circuitBreakers: { maxRequests: 1 } }, '2027-01-01T00:00:00Z');
    const out = attachBackendPolicies(result([c('default/web:80'), c('default/web:9000'), c('default/web:admin'), c('default/web:admin/h2c')]), ported([whole, port]));
    const limits = Object.fromEntries(out.snapshot.clusters.map((x) => [x.name, x.policy?.circuitBreakers?.maxRequests]));
    assert.deepEqual(limits, { 'default/web:80': 9, 'default/web:9000': 1, 'default/web:admin': 1, 'default/web:admin/h2c': 1 });
    const reasons = (name: string): string[] =>
      ((out.objectStatuses ?? []).find((s) => s.name === name)!.status as { ancestors: { conditions: { reason: string }[] }[] }).ancestors.map((a) => a.conditions[0]!.reason);
    assert.deepEqual(reasons('whole'), ['Accepted']);
    assert.deepEqual(reasons('admin-port'), ['Accepted']);
  });

  it('reports a port the Service does not have as TargetNotFound', () => {
    const p = policy('lost', { targetRefs: [{ ...SERVICE, sectionName: 'nope' }], circuitBreakers: { maxRequests: 1 } });
    const out = attachBackendPolicies(result([c('default/web:80')]), ported([p]));
    assert.equal(out.snapshot.clusters[0]?.policy, undefined);
    const st = (out.objectStatuses ?? []).find((s) => s.name === 'lost')!.status as { ancestors: { conditions: { reason: string; message: string }[] }[] };
    assert.equal(st.ancestors[0]!.conditions[0]!.reason, 'TargetNotFound');
  });
});
