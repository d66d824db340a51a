// Against a real kube-apiserver with the Gateway API v1.6.1 experimental CRDs (test/fixtures/gateway-api-crds):
// a Gateway and an HTTPRoute applied through the API are served by `sluice serve --kubernetes`, and the
// statuses Sluice writes pass the CRDs' own schema and validation rules, with the objects' generations.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import type { Upstream } from '../support/upstream.ts';
import { bins, skip, waitFor } from './cluster.ts';
import { applyWebRoute, GW, installGatewayApiCrds, startGatewayServing } from './gateway-api-serving.ts';
type Cond = { type: string; status: string; observedGeneration?: number; lastTransitionTime?: string };
type Obj = { metadata: { generation: number }; status?: { conditions?: Cond[]; parents?: Array<{ controllerName: string; conditions: Cond[] }> } };

describe('sluice serve --kubernetes with the Gateway API against a real API server', { skip }, () => {
  let api: RealApiServer;
  let up: Upstream;
  let gw: SluiceProcess;
  let address: string;
  const read = async (path: string): Promise<Obj> => (await api.request<Obj>('GET', path)).body;

  before(async () => {
    api = await startRealApiServer(bins);
    assert.equal((await installGatewayApiCrds(api)).length, 5);
    ({ up, gw, address } = await startGatewayServing(api));
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await api?.stop();
  });

  it('serves an HTTPRoute and writes statuses the CRDs accept, with each object’s generation', async () => {
    await applyWebRoute(api, address);
    const accepted = (o: Obj, type: string) => o.status?.conditions?.find((c) => c.type === type);
    const cls = await waitFor('GatewayClass Accepted', 30_000, async () => { const o = await read(`${GW}/gatewayclasses/sluice`); return accepted(o, 'Accepted')?.status === 'True' ? o : undefined; });
    const gateway = await waitFor('Gateway Programmed', 30_000, async () => { const o = await read(`${GW}/namespaces/infra/gateways/gw`); return accepted(o, 'Programmed')?.status === 'True' ? o : undefined; });
    const route = await waitFor('HTTPRoute Accepted by Sluice', 30_000, async () => {
      const o = await read(`${GW}/namespaces/app/httproutes/web`);
      return o.status?.parents?.some((p) => p.controllerName === 'sluice.dev/gateway-controller' && p.conditions.some((c) => c.type === 'Accepted' && c.status === 'True')) ? o : undefined;
    });
    for (const o of [cls, gateway]) assert.ok(o.status!.conditions!.every((c) => c.observedGeneration === o.metadata.generation && c.lastTransitionTime));
    assert.ok(route.status!.parents![0]!.conditions.every((c) => c.observedGeneration === route.metadata.generation && c.lastTransitionTime));
  });
});
