// `sluice serve --kubernetes` with Sluice's own policy kinds: their CRDs (as `sluice install` applies
// them) are served by the fake API server, a TrafficPolicy on the Gateway changes what its routes
// do, one on a route rule replaces it there, and each policy's status (Accepted, Conflicted) is
// written back with the live generation, as /status shows it in file mode.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sluiceCrdManifests } from '../../src/k8s/install-sluice-crds.ts';
import { FakeApiServer, type KObject } from '../support/fake-apiserver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { get } from '../support/http.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { service, slice, waitFor } from './helpers.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const G = 'gateway.networking.k8s.io';
const SLUICE = 'sluice.dev/v1alpha1';
type Cond = { type: string; status: string; reason?: string; observedGeneration?: number; lastTransitionTime?: string };
type Ancestor = { ancestorRef: { name: string }; controllerName: string; conditions: Cond[] };

const echo = { name: 'web', port: 80 };
const route: KObject = {
  apiVersion: V1,
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'app' },
  spec: {
    parentRefs: [{ name: 'gw', namespace: 'infra' }],
    hostnames: ['web.example'],
    rules: [
      { name: 'open', matches: [{ path: { type: 'PathPrefix', value: '/open' } }], backendRefs: [echo] },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [echo] },
    ],
  },
};
const trafficPolicy = (namespace: string, name: string, targetRef: object, requests: number): KObject => ({
  apiVersion: SLUICE,
  kind: 'TrafficPolicy',
  metadata: { name, namespace },
  spec: { targetRefs: [targetRef], rateLimit: { requests, unit: 'minute' } },
});

describe('sluice serve --kubernetes with TrafficPolicy and BackendPolicy', () => {
  let api: FakeApiServer;
  let up: Upstream;
  let sluice: SluiceProcess;
  let gatewayPort: string;

  const ancestors = (kind: string, ns: string, name: string): Ancestor[] => ((api.get(SLUICE, kind, ns, name)?.status as { ancestors?: Ancestor[] } | undefined)?.ancestors ?? []);
  const reason = (kind: string, ns: string, name: string): string | undefined => ancestors(kind, ns, name)[0]?.conditions.find((c) => c.type === 'Accepted')?.reason;
  const status = async (path: string): Promise<number | undefined> => (await get(gatewayPort, 'web.example', path, {}, { timeoutMs: 2000 }).catch(() => undefined))?.status;

  before(async () => {
    api = await FakeApiServer.start();
    up = await startUpstream('web');
    api.installGatewayApi();
    for (const crd of sluiceCrdManifests()) api.put(crd as unknown as KObject);
    api.put(service('app', 'web', 80));
    api.put(slice('app', 'web-1', 'web', ['127.0.0.1'], up.port));
    api.put({ apiVersion: V1, kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } });
    api.put({ apiVersion: V1, kind: 'Gateway', metadata: { name: 'gw', namespace: 'infra' }, spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] } });
    api.put(route);
    const bound = await freePort();
    gatewayPort = `127.0.0.1:${bound}`;
    sluice = await startSluice(
      ['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--id', 'r1', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)],
      ['http', 'local', 'admin'],
      { boundMs: 30_000 },
    );
    await waitFor(async () => (await status('/')) === 200, 20_000, 'web.example served on the Gateway listener');
  });
  after(async () => {
    await sluice?.stop('SIGKILL');
    await up?.close();
    await api?.close();
  });

  it('limits every route of the Gateway once a Gateway-wide TrafficPolicy is applied, and writes its status', async () => {
    api.put(trafficPolicy('infra', 'gw-wide', { group: G, kind: 'Gateway', name: 'gw' }, 1));
    await waitFor(async () => (await status('/')) === 429, 15_000, 'the Gateway-wide limit answers 429');
    await waitFor(() => reason('TrafficPolicy', 'infra', 'gw-wide') === 'Accepted', 15_000, `status written (${JSON.stringify(ancestors('TrafficPolicy', 'infra', 'gw-wide'))})`);
    const [a] = ancestors('TrafficPolicy', 'infra', 'gw-wide');
    assert.equal(a!.controllerName, 'sluice.dev/gateway-controller');
    assert.equal(a!.conditions[0]!.observedGeneration, 1);
    assert.equal(typeof a!.conditions[0]!.lastTransitionTime, 'string');
  });

  it('lets a policy on one route rule replace the Gateway-wide one there', async () => {
    api.put(trafficPolicy('app', 'open-rule', { group: G, kind: 'HTTPRoute', name: 'web', sectionName: 'open' }, 1000));
    await waitFor(() => reason('TrafficPolicy', 'app', 'open-rule') === 'Accepted', 15_000, 'rule policy status');
    for (let i = 0; i < 5; i++) assert.equal(await status('/open'), 200);
  });

  it('reports a second policy on the same Gateway Conflicted, and a missing target TargetNotFound', async () => {
    api.put(trafficPolicy('infra', 'gw-wide-2', { group: G, kind: 'Gateway', name: 'gw' }, 100));
    api.put(trafficPolicy('infra', 'lost', { group: G, kind: 'Gateway', name: 'nope' }, 100));
    await waitFor(() => reason('TrafficPolicy', 'infra', 'gw-wide-2') === 'Conflicted', 15_000, 'Conflicted written');
    await waitFor(() => reason('TrafficPolicy', 'infra', 'lost') === 'TargetNotFound', 15_000, 'TargetNotFound written');
    assert.equal(reason('TrafficPolicy', 'infra', 'gw-wide'), 'Accepted');
  });

  it('attaches a BackendPolicy to the Service and writes its status', async () => {
    api.put({ apiVersion: SLUICE, kind: 'BackendPolicy', metadata: { name: 'web-breakers', namespace: 'app' }, spec: { targetRefs: [{ group: '', kind: 'Service', name: 'web' }], circuitBreakers: { maxRequests: 50 } } });
    await waitFor(() => reason('BackendPolicy', 'app', 'web-breakers') === 'Accepted', 15_000, `BackendPolicy status (${JSON.stringify(ancestors('BackendPolicy', 'app', 'web-breakers'))})`);
    const config = (await (await fetch(`http://${sluice.addresses.admin}/config`)).json()) as { clusters: Array<{ name: string; policy?: { circuitBreakers?: { maxRequests?: number } } }> };
    assert.equal(config.clusters.find((c) => c.name.startsWith('app/web:'))?.policy?.circuitBreakers?.maxRequests, 50);
  });
});
