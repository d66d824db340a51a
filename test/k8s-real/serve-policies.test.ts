// Against a real kube-apiserver: the sluice.dev CRDs `sluice install` applies are accepted (their
// schemas are structural) and served; a TrafficPolicy on a Gateway applied through the API limits the
// Gateway's route under `sluice serve --kubernetes`, and the status Sluice writes passes the CRD.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sluiceCrdManifests } from '../../src/k8s/install-sluice-crds.ts';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import type { Upstream } from '../support/upstream.ts';
import { bins, get, skip, waitFor } from './cluster.ts';
import { applyWebRoute, installGatewayApiCrds, startGatewayServing } from './gateway-api-serving.ts';

const SL = '/apis/sluice.dev/v1alpha1';
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
type Cond = { type: string; status: string; reason?: string; observedGeneration?: number; lastTransitionTime?: string };
type Policy = { metadata: { generation: number }; status?: { ancestors?: Array<{ controllerName: string; conditions: Cond[] }> } };

describe('TrafficPolicy against a real API server', { skip }, () => {
  let api: RealApiServer;
  let up: Upstream;
  let gw: SluiceProcess;
  let address: string;

  before(async () => {
    api = await startRealApiServer(bins);
    await installGatewayApiCrds(api);
    // A CRD the API server finds not structural is refused here (422), not at apply time in a cluster.
    for (const crd of sluiceCrdManifests()) await api.request('POST', CRD_PATH, crd);
    await waitFor('the CRDs to be served', 30_000, async () => {
      for (const path of [`${SL}/trafficpolicies`, `${SL}/backendpolicies`]) if ((await api.request('GET', path, undefined, undefined, [404])).status !== 200) return false;
      return true;
    });
    ({ up, gw, address } = await startGatewayServing(api));
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await api?.stop();
  });

  it('limits the Gateway’s route once a Gateway-wide TrafficPolicy is applied, and writes a status the CRD accepts', async () => {
    await applyWebRoute(api, address);
    await api.request('POST', `${SL}/namespaces/infra/trafficpolicies`, {
      apiVersion: 'sluice.dev/v1alpha1', kind: 'TrafficPolicy', metadata: { name: 'gw-wide', namespace: 'infra' },
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }], rateLimit: { requests: 1, unit: 'minute' } },
    });
    await waitFor('the Gateway-wide limit answers 429', 30_000, async () => (await get(address, 'web.example').catch(() => ({ status: 0 }))).status === 429);
    const policy = await waitFor('TrafficPolicy status written', 30_000, async () => {
      const o = (await api.request<Policy>('GET', `${SL}/namespaces/infra/trafficpolicies/gw-wide`)).body;
      return o.status?.ancestors?.[0]?.conditions.some((c) => c.type === 'Accepted' && c.status === 'True') ? o : undefined;
    });
    const [ancestor] = policy.status!.ancestors!;
    assert.equal(ancestor!.controllerName, 'sluice.dev/gateway-controller');
    assert.ok(ancestor!.conditions.every((c) => c.observedGeneration === policy.metadata.generation && c.lastTransitionTime));
  });
});
