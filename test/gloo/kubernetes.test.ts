// Kubernetes mode and Gloo Edge: the Gloo kinds are watched once their CRDs are served (a missing
// CRD is retried, not an error), pushed with every Service (each port an implicit Upstream) and the
// TLS Secrets sslConfigs name, and each object's Gloo status is written to its status subresource,
// keeping other controllers' entries.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { ObjectStatusWriter } from '../../src/k8s/object-status-writer.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { Store } from '../../src/store/store.ts';
import { defaultTranslateOptions } from '../../src/translate/options.ts';
import { translate } from '../../src/translate/translate.ts';
import { FakeApiServer, type ResourceType } from '../support/fake-apiserver.ts';
import { service, slice, waitFor } from '../k8s/helpers.ts';
import { GLOO, GW } from './support.ts';

const GLOO_TYPES: ResourceType[] = [
  { group: 'gateway.solo.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService', namespaced: true, hasStatus: true },
  { group: 'gateway.solo.io', version: 'v1', plural: 'routetables', kind: 'RouteTable', namespaced: true, hasStatus: true },
  { group: 'gateway.solo.io', version: 'v1', plural: 'gateways', kind: 'Gateway', namespaced: true, hasStatus: true },
  { group: 'gloo.solo.io', version: 'v1', plural: 'upstreams', kind: 'Upstream', namespaced: true, hasStatus: true },
  { group: 'gloo.solo.io', version: 'v1', plural: 'upstreamgroups', kind: 'UpstreamGroup', namespaced: true, hasStatus: true },
];

const names = (s: SourceState | undefined): string[] => (s?.resources ?? []).map((r) => `${r.resource.apiVersion} ${r.resource.kind} ${r.resource.metadata.namespace ?? ''}/${r.resource.metadata.name}`).sort();

describe('KubernetesSource with Gloo Edge', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let last: SourceState | undefined;
  before(async () => {
    api = await FakeApiServer.start();
    api.installGatewayApi();
    api.put(service('app', 'web', 80));
    api.put(slice('app', 'web-1', 'web', ['10.0.0.1'], 8080));
    api.put({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'cert', namespace: 'app' }, data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } });
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, minBackoffMs: 50, maxBackoffMs: 300, minDiscoveryMs: 50, maxDiscoveryMs: 200 });
    await source.start((s) => (last = s));
  });
  after(async () => {
    await source.stop();
    await api.close();
  });

  it('starts without the Gloo CRDs and watches the kinds once they are installed', async () => {
    assert.deepEqual(names(last), []);
    api.installTypes(GLOO_TYPES);
    api.put({ apiVersion: GW, kind: 'VirtualService', metadata: { name: 'web', namespace: 'app' }, spec: { sslConfig: { secretRef: { name: 'cert' } }, virtualHost: { domains: ['web.example.com'], routes: [{ routeAction: { single: { upstream: { name: 'app-web-80' } } } }] } } });
    api.put({ apiVersion: GW, kind: 'Gateway', metadata: { name: 'gateway-proxy', namespace: 'gloo-system' }, spec: { bindPort: 8080 } });
    api.put({ apiVersion: GLOO, kind: 'Upstream', metadata: { name: 'web', namespace: 'app' }, spec: { kube: { serviceName: 'web', servicePort: 80 } } });
    await waitFor(() => names(last).length === 6, 10_000, 'the Gloo objects pushed');
    assert.deepEqual(names(last), [
      'discovery.k8s.io/v1 EndpointSlice app/web-1',
      'gateway.solo.io/v1 Gateway gloo-system/gateway-proxy',
      'gateway.solo.io/v1 VirtualService app/web',
      'gloo.solo.io/v1 Upstream app/web',
      'v1 Secret app/cert',
      'v1 Service app/web',
    ]);
  });

  it('writes each object\'s Gloo status, keeping other controllers\' entries', async () => {
    api.putStatus({ apiVersion: GLOO, kind: 'Upstream', metadata: { name: 'web', namespace: 'app' }, status: { statuses: { 'gloo-system': { state: 'Accepted', reportedBy: 'gloo' } } } });
    await waitFor(() => source.gatewayApiObject('Upstream', 'app', 'web')?.object.status !== undefined, 5000, 'the status seen by the watch');
    const statuses = translate(new Store().update(source.state()), defaultTranslateOptions).objectStatuses ?? [];
    const writer = new ObjectStatusWriter(KubeClient.load(api.kubeconfigPath), { lookup: (kind, ns, name) => source.gatewayApiObject(kind, ns, name) });
    for (const st of statuses) await writer.write(st);
    const upstream = api.get(GLOO, 'Upstream', 'app', 'web')?.status as { statuses: Record<string, { state: string }> };
    assert.deepEqual(Object.keys(upstream.statuses).sort(), ['gloo-system', 'sluice-system']);
    assert.equal(upstream.statuses['sluice-system']?.state, 'Accepted');
    const gateway = api.get(GW, 'Gateway', 'gloo-system', 'gateway-proxy')?.status as { statuses: Record<string, { state: string; reportedBy: string }> };
    assert.deepEqual(gateway.statuses['sluice-system'], { state: 'Accepted', reportedBy: 'gateway' });
    const vs = api.get(GW, 'VirtualService', 'app', 'web')?.status as { statuses: Record<string, { state: string; reason: string }> };
    // The fake Secret is no real key pair: the certificate is left out, and the status says so.
    assert.equal(vs.statuses['sluice-system']?.state, 'Rejected');
    assert.match(vs.statuses['sluice-system']?.reason ?? '', /spec\.sslConfig\.secretRef: Secret "app\/cert" has an unreadable certificate/);
  });
});
