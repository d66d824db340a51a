// HTTPRoute backendRefs naming a Gloo Upstream (`group: gloo.solo.io`, `kind: Upstream`), as Gloo
// Gateway allowed: a kube or static Upstream is the Upstream's own cluster (the one Gloo routes use);
// an AWS Upstream needs a function a backendRef cannot name (InvalidKind); another namespace's
// Upstream needs a ReferenceGrant.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Resource, Sourced } from '../../src/api/types.ts';
import type { TranslateResult } from '../../src/snapshot/types.ts';
import { Store } from '../../src/store/store.ts';
import { TranslateCache } from '../../src/translate/cache.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';

const V1 = 'gateway.networking.k8s.io/v1' as const;
const GLOO = 'gloo.solo.io/v1';
const at = { file: 'x.yaml', doc: 0 };
const s = (resource: object): Sourced => ({ resource: resource as Resource, origin: at });

const base = [
  s({ apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } }),
  s({ apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] } }),
];
const route = (backendRef: object, namespace = 'default') =>
  s({ apiVersion: V1, kind: 'HTTPRoute', metadata: { name: 'r', namespace }, spec: { parentRefs: [{ name: 'gw', namespace: 'default' }], rules: [{ backendRefs: [backendRef] }] } });
const upstreamRef = (name: string, namespace?: string) => ({ group: 'gloo.solo.io', kind: 'Upstream', name, ...(namespace !== undefined && { namespace }) });
const staticUpstream = (name: string, addr: string, namespace = 'default') =>
  s({ apiVersion: GLOO, kind: 'Upstream', metadata: { name, namespace }, spec: { static: { hosts: [{ addr, port: 9000 }] } } });

function run(...states: Sourced[][]): TranslateResult[] {
  const store = new Store();
  const cache = new TranslateCache();
  return states.map((resources) => translate(store.update({ resources, rejections: [] }), defaultTranslateOptions, cache));
}

function resolvedRefs(r: TranslateResult): { status: string; reason: string; message: string } | undefined {
  const st = r.objectStatuses?.find((o) => o.kind === 'HTTPRoute')?.status as { parents?: { conditions?: { type: string; status: string; reason: string; message: string }[] }[] } | undefined;
  return st?.parents?.[0]?.conditions?.find((c) => c.type === 'ResolvedRefs');
}

function splitClusters(r: TranslateResult): (string | undefined)[] {
  const json = JSON.stringify(r.snapshot);
  const clusters: (string | undefined)[] = [];
  JSON.parse(json, (k, v) => {
    if (k === 'splits' && Array.isArray(v)) for (const sp of v) clusters.push((sp as { cluster?: string }).cluster);
    return v;
  });
  return clusters;
}

const cluster = (r: TranslateResult, name: string) => (r.snapshot as unknown as { clusters: { name: string; endpoints: unknown[] }[] }).clusters.find((c) => c.name === name);

test('a backendRef to a static Upstream sends to the Upstream\'s cluster', () => {
  const [r] = run([...base, staticUpstream('petstore', '10.0.0.9'), route(upstreamRef('petstore'))]);
  assert.equal(resolvedRefs(r!)?.status, 'True', JSON.stringify(resolvedRefs(r!)));
  assert.deepEqual(splitClusters(r!), ['upstream:default/petstore']);
  assert.deepEqual(cluster(r!, 'upstream:default/petstore')?.endpoints, [{ address: '10.0.0.9', port: 9000 }]);
});

test('a backendRef to a kube Upstream sends to its Service\'s endpoints', () => {
  const [r] = run([
    ...base,
    s({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } }),
    s({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.0.0.5' }], ports: [{ name: 'http', port: 8080 }] }] }),
    s({ apiVersion: GLOO, kind: 'Upstream', metadata: { name: 'web', namespace: 'default' }, spec: { kube: { serviceName: 'web', servicePort: 80 } } }),
    route(upstreamRef('web')),
  ]);
  assert.equal(resolvedRefs(r!)?.status, 'True');
  assert.deepEqual(cluster(r!, 'upstream:default/web')?.endpoints, [{ address: '10.0.0.5', port: 8080 }]);
});

test('another namespace\'s Upstream is RefNotPermitted without a ReferenceGrant, and reached with one', () => {
  const grant = s({
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'g', namespace: 'fns' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'default' }], to: [{ group: 'gloo.solo.io', kind: 'Upstream' }] },
  });
  const objects = [...base, staticUpstream('petstore', '10.0.0.9', 'fns'), route(upstreamRef('petstore', 'fns'))];
  const [denied, granted] = run(objects, [...objects, grant]);
  assert.equal(resolvedRefs(denied!)?.reason, 'RefNotPermitted');
  assert.match(resolvedRefs(denied!)?.message ?? '', /Upstream "fns\/petstore" is in another namespace/);
  assert.deepEqual(splitClusters(denied!), [undefined]);
  assert.equal(resolvedRefs(granted!)?.status, 'True');
  assert.deepEqual(splitClusters(granted!), ['upstream:fns/petstore']);
});

test('an AWS Upstream is InvalidKind (a Lambda needs a function, which a backendRef cannot name)', () => {
  const aws = s({ apiVersion: GLOO, kind: 'Upstream', metadata: { name: 'lambda', namespace: 'default' }, spec: { aws: { region: 'us-east-1', secretRef: { name: 'aws' } } } });
  const [r] = run([...base, aws, route(upstreamRef('lambda'))]);
  assert.equal(resolvedRefs(r!)?.reason, 'InvalidKind');
  assert.match(resolvedRefs(r!)?.message ?? '', /Upstream "default\/lambda" is an AWS Upstream/);
});

test('a missing or unusable Upstream is BackendNotFound', () => {
  const bad = s({ apiVersion: GLOO, kind: 'Upstream', metadata: { name: 'bad', namespace: 'default' }, spec: { static: { hosts: [] } } });
  const [missing, unusable] = run([...base, route(upstreamRef('gone'))], [...base, bad, route(upstreamRef('bad'))]);
  assert.equal(resolvedRefs(missing!)?.reason, 'BackendNotFound');
  assert.match(resolvedRefs(missing!)?.message ?? '', /Upstream "default\/gone" not found/);
  assert.equal(resolvedRefs(unusable!)?.reason, 'BackendNotFound');
});

test('an edit to the Upstream is seen by the route (the Gateway API part is not reused)', () => {
  const r = route(upstreamRef('petstore'));
  const [, second] = run([...base, staticUpstream('petstore', '10.0.0.9'), r], [...base, staticUpstream('petstore', '10.0.0.10'), r]);
  assert.deepEqual(cluster(second!, 'upstream:default/petstore')?.endpoints, [{ address: '10.0.0.10', port: 9000 }]);
});
