// Against a real kube-apiserver with the Gateway API v1.6.1 experimental CRDs (test/fixtures/gateway-api-crds):
// a Gateway and an HTTPRoute applied through the API are served by `sluice serve --kubernetes`, and the
// statuses Sluice writes pass the CRDs' own schema and validation rules, with the objects' generations.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { bins, createNamespace, createService, get, putSlice, skip, waitFor } from './cluster.ts';

const GW = '/apis/gateway.networking.k8s.io/v1';
const CRDS = new URL('../fixtures/gateway-api-crds/', import.meta.url);
type Cond = { type: string; status: string; observedGeneration?: number; lastTransitionTime?: string };
type Obj = { metadata: { generation: number }; status?: { conditions?: Cond[]; parents?: Array<{ controllerName: string; conditions: Cond[] }> } };

async function installGatewayApiCrds(api: RealApiServer): Promise<void> {
  const names: string[] = [];
  for (const file of readdirSync(CRDS).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(new URL(file, CRDS), 'utf8')) as { metadata: { name: string } };
    names.push(crd.metadata.name);
    await api.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd, undefined, [409]);
  }
  await waitFor('the Gateway API CRDs to be served', 30_000, async () => {
    for (const plural of ['gatewayclasses', 'gateways', 'httproutes']) if ((await api.request('GET', `${GW}/${plural}`, undefined, undefined, [404])).status !== 200) return false;
    return true;
  });
  assert.equal(names.length, 5);
}

describe('sluice serve --kubernetes with the Gateway API against a real API server', { skip }, () => {
  let api: RealApiServer;
  let up: Upstream;
  let gw: SluiceProcess;
  let address: string;
  const read = async (path: string): Promise<Obj> => (await api.request<Obj>('GET', path)).body;

  before(async () => {
    api = await startRealApiServer(bins);
    await installGatewayApiCrds(api);
    await Promise.all(['app', 'infra', 'sluice-system'].map((ns) => createNamespace(api, ns)));
    up = await startUpstream('web');
    await createService(api, 'app', 'web');
    await putSlice(api, 'app', 'web-1', 'web', up.port);
    const bound = await freePort();
    address = `127.0.0.1:${bound}`;
    gw = await startSluice(['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--id', 'r1', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)], ['http', 'local', 'admin'], { boundMs: 60_000 });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await api?.stop();
  });

  it('serves an HTTPRoute and writes statuses the CRDs accept, with each object’s generation', async () => {
    await api.request('POST', `${GW}/gatewayclasses`, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'sluice' }, spec: { controllerName: 'sluice.dev/gateway-controller' } });
    await api.request('POST', `${GW}/namespaces/infra/gateways`, {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'infra' },
      spec: { gatewayClassName: 'sluice', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
    });
    await api.request('POST', `${GW}/namespaces/app/httproutes`, {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'app' },
      spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }], hostnames: ['web.example'], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
    });
    await waitFor('web.example served on the Gateway listener', 30_000, async () => (await get(address, 'web.example').catch(() => ({ status: 0 }))).status === 200);
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
