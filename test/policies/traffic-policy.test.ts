// TrafficPolicy documents: validation with field paths, and attachment (GEP-713: the oldest of two
// policies on one target wins, the other is Conflicted; a missing target is TargetNotFound).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KIngress, Sourced } from '../../src/api/types.ts';
import { validateDocument } from '../../src/api/validate.ts';
import { attachTrafficPolicies } from '../../src/gateway-api/traffic-policy-attach.ts';
import type { PolicyInputs } from '../../src/gateway-api/traffic-policy-targets.ts';
import type { TrafficPolicy } from '../../src/gateway-api/traffic-policy-types.ts';
import type { Route, TranslateResult, VirtualHost } from '../../src/snapshot/types.ts';
import { trafficPolicy } from './helpers.ts';

const origin = { file: 'policies.yaml', line: 3 };
const HTTPROUTE = { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'web' };

function errorsOf(spec: Record<string, unknown>): string[] {
  const out = validateDocument(trafficPolicy('p', spec), origin);
  return out.kind === 'rejected' ? out.rejection.errors.map((e) => `${e.path}: ${e.message}`) : [];
}

describe('TrafficPolicy validation', () => {
  it('accepts a rate limit and an ext_authz policy', () => {
    assert.deepEqual(errorsOf({ targetRefs: [HTTPROUTE], rateLimit: { requests: 10, unit: 'second', burst: 20, key: 'client' } }), []);
    assert.deepEqual(errorsOf({ extAuthz: { grpc: { address: '127.0.0.1:9000' }, timeout: '500ms', failureMode: 'allow', headersToSend: ['authorization'] } }), []);
    assert.deepEqual(errorsOf({ extAuthz: { disabled: true } }), []);
  });

  it('rejects an ext_authz gRPC address whose port is out of range', () => {
    for (const address of ['127.0.0.1:99999', 'auth:0']) {
      assert.ok(errorsOf({ extAuthz: { grpc: { address } } }).some((e) => e.startsWith('spec.extAuthz.grpc.address:')), address);
    }
  });

  it('rejects bad fields naming each one', () => {
    const errs = errorsOf({ targetRefs: [{ group: 'x', kind: 'Service', name: 'a' }], rateLimit: { requests: 0, unit: 'day', burst: 1, key: 'cookie' }, extAuthz: { http: { url: 'ftp://x' }, grpc: { address: 'x' }, timeout: 'soon' }, extra: 1 });
    for (const path of ['spec.extra', 'spec.targetRefs[0].kind', 'spec.rateLimit.requests', 'spec.rateLimit.unit', 'spec.rateLimit.key', 'spec.extAuthz', 'spec.extAuthz.grpc.address', 'spec.extAuthz.http.url', 'spec.extAuthz.timeout']) {
      assert.ok(errs.some((e) => e.startsWith(`${path}:`)), `${path} in ${errs.join('\n')}`);
    }
  });
});

function route(ingress: string): Route {
  return { ingress, path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits: [] } as unknown as Route;
}

// The routes the policies target exist (a missing target is TargetNotFound).
function inputs(trafficPolicies: Map<string, TrafficPolicy>, ingresses: Map<string, unknown> = new Map()): PolicyInputs {
  const web = { spec: { parentRefs: [], rules: [] } };
  return { trafficPolicies, ingresses, gateways: new Map(), httpRoutes: new Map([['default/web', web], ['default/other', web]]), grpcRoutes: new Map() } as unknown as PolicyInputs;
}

function result(routes: Route[]): TranslateResult {
  const vh: VirtualHost = { name: 'vh', domains: ['a'], ingress: 'x', httpOption: 'Enabled', routes } as unknown as VirtualHost;
  return { snapshot: { hash: 'h', listeners: { external: [vh], local: [] }, ports: [], clusters: [], tls: [], ingresses: [] }, statuses: [], diagnostics: [] } as unknown as TranslateResult;
}

const policies = (...ps: object[]): Map<string, TrafficPolicy> => new Map(ps.map((p) => { const t = p as TrafficPolicy; return [`${t.metadata.namespace}/${t.metadata.name}`, t]; }));

describe('TrafficPolicy attachment', () => {
  it('attaches the oldest of two policies on one HTTPRoute and reports the other Conflicted', () => {
    const older = trafficPolicy('older', { targetRefs: [HTTPROUTE], rateLimit: { requests: 1, unit: 'second' } }, { creationTimestamp: '2026-01-01T00:00:00Z' });
    const newer = trafficPolicy('newer', { targetRefs: [HTTPROUTE], rateLimit: { requests: 9, unit: 'second' } }, { creationTimestamp: '2026-02-01T00:00:00Z' });
    const out = attachTrafficPolicies(result([route('HTTPRoute default/web'), route('HTTPRoute default/other')]), inputs(policies(newer, older)));
    const [web, other] = out.snapshot.listeners.external[0]!.routes;
    assert.equal(web!.policies?.rateLimit?.requests, 1);
    assert.equal(other!.policies, undefined);
    const reasons = Object.fromEntries((out.objectStatuses ?? []).map((s) => [s.name, (s.status as { ancestors: Array<{ conditions: Array<{ reason: string }> }> }).ancestors[0]!.conditions[0]!.reason]));
    assert.deepEqual(reasons, { older: 'Accepted', newer: 'Conflicted' });
    assert.notEqual(out.snapshot.hash, 'h');
  });

  it('reports a Gateway that does not exist as TargetNotFound', () => {
    const p = trafficPolicy('gw', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' }], rateLimit: { requests: 1, unit: 'second' } });
    const out = attachTrafficPolicies(result([route('HTTPRoute default/web')]), inputs(policies(p)));
    const s = out.objectStatuses![0]!.status as { ancestors: Array<{ conditions: Array<{ status: string; reason: string }> }> };
    assert.deepEqual([s.ancestors[0]!.conditions[0]!.status, s.ancestors[0]!.conditions[0]!.reason], ['False', 'TargetNotFound']);
  });

  it('keeps a route object while its policy is unchanged, so its buckets survive other edits', () => {
    const p = trafficPolicy('p', { rateLimit: { requests: 1, unit: 'second' } });
    const ing = { resource: { metadata: { name: 'k', namespace: 'default', annotations: { 'sluice.dev/traffic-policy': 'p' } } } } as unknown as Sourced<KIngress>;
    const r = route('default/k');
    const a = attachTrafficPolicies(result([r]), inputs(policies(p), new Map([['default/k', ing]])));
    const b = attachTrafficPolicies(result([r]), inputs(policies(p), new Map([['default/k', ing]])));
    assert.ok(a.snapshot.listeners.external[0]!.routes[0]!.policies?.rateLimit);
    assert.equal(a.snapshot.listeners.external[0]!.routes[0], b.snapshot.listeners.external[0]!.routes[0]);
  });

  it('changes nothing without TrafficPolicies', () => {
    const r = result([route('default/k')]);
    assert.equal(attachTrafficPolicies(r, inputs(new Map())), r);
  });
});
