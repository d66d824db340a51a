// Shared pieces of the real-API-server Gateway API tests: the Gateway API CRDs from
// test/fixtures/gateway-api-crds, a `sluice serve --kubernetes` whose Gateway listener on port 80 is
// served at a free loopback port, and the Gateway and HTTPRoute both tests start from.
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { RealApiServer } from '../support/real-apiserver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { freePort } from '../proxy/gateway-ports-helpers.ts';
import { createNamespace, createService, get, putSlice, waitFor } from './cluster.ts';

export const GW = '/apis/gateway.networking.k8s.io/v1';
const CRDS = new URL('../fixtures/gateway-api-crds/', import.meta.url);

/** Applies the Gateway API CRDs (those already there are kept) and waits until they are served; returns their names. */
export async function installGatewayApiCrds(api: RealApiServer): Promise<string[]> {
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
  return names;
}

export interface GatewayServing {
  readonly up: Upstream;
  readonly gw: SluiceProcess;
  /** where the Gateway's port-80 listener is served */
  readonly address: string;
}

/** Namespaces `app`, `infra` and `sluice-system`, Service app/web with its upstream, and `sluice serve --kubernetes`. */
export async function startGatewayServing(api: RealApiServer): Promise<GatewayServing> {
  await Promise.all(['app', 'infra', 'sluice-system'].map((ns) => createNamespace(api, ns)));
  const up = await startUpstream('web');
  await createService(api, 'app', 'web');
  await putSlice(api, 'app', 'web-1', 'web', up.port);
  const bound = await freePort();
  const gw = await startSluice(
    ['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--id', 'r1', '--gateway-address', '127.0.0.1', '--port-offset', String(bound - 80)],
    ['http', 'local', 'admin'],
    { boundMs: 60_000 },
  );
  return { up, gw, address: `127.0.0.1:${bound}` };
}

/** GatewayClass `sluice`, Gateway infra/gw (HTTP on 80, routes from all namespaces), HTTPRoute app/web for web.example; waits until it is served. */
export async function applyWebRoute(api: RealApiServer, address: string): Promise<void> {
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
}
