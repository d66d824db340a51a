// Against a real kube-apiserver with minimal Gloo CRDs (test/fixtures/gloo-crds): a VirtualService
// and a kube Upstream created through the API are served by `sluice serve --kubernetes` on --http
// (Gloo's default gateway), and the Gloo status Sluice writes is stored by the status subresource.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { startSluice, type SluiceProcess } from '../support/sluice.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { bins, createNamespace, createService, get, putSlice, skip, waitFor } from './cluster.ts';

const CRDS = new URL('../fixtures/gloo-crds/', import.meta.url);
type GlooStatus = { statuses?: Record<string, { state?: string; reportedBy?: string }> };

async function installGlooCrds(api: RealApiServer): Promise<void> {
  const files = readdirSync(CRDS).filter((f) => f.endsWith('.yaml'));
  assert.equal(files.length, 5);
  for (const file of files) await api.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', parse(readFileSync(new URL(file, CRDS), 'utf8')), undefined, [409]);
  await waitFor('the Gloo CRDs to be served', 30_000, async () => {
    for (const path of ['/apis/gateway.solo.io/v1/virtualservices', '/apis/gloo.solo.io/v1/upstreams']) if ((await api.request('GET', path, undefined, undefined, [404])).status !== 200) return false;
    return true;
  });
}

describe('sluice serve --kubernetes with Gloo Edge against a real API server', { skip }, () => {
  let api: RealApiServer;
  let up: Upstream;
  let gw: SluiceProcess;

  before(async () => {
    api = await startRealApiServer(bins);
    await installGlooCrds(api);
    await Promise.all(['app', 'sluice-system'].map((ns) => createNamespace(api, ns)));
    up = await startUpstream('web');
    await createService(api, 'app', 'web');
    await putSlice(api, 'app', 'web-1', 'web', up.port);
    gw = await startSluice(['serve', '--kubernetes', '--kubeconfig', api.kubeconfigPath, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--id', 'r1'], ['http', 'local', 'admin'], { boundMs: 60_000 });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await api?.stop();
  });

  it('serves a VirtualService to a kube Upstream and writes its Gloo status', async () => {
    await api.request('POST', '/apis/gloo.solo.io/v1/namespaces/app/upstreams', {
      apiVersion: 'gloo.solo.io/v1', kind: 'Upstream', metadata: { name: 'web', namespace: 'app' }, spec: { kube: { serviceName: 'web', serviceNamespace: 'app', servicePort: 80 } },
    });
    await api.request('POST', '/apis/gateway.solo.io/v1/namespaces/app/virtualservices', {
      apiVersion: 'gateway.solo.io/v1', kind: 'VirtualService', metadata: { name: 'web', namespace: 'app' },
      spec: { virtualHost: { domains: ['vs.example'], routes: [{ matchers: [{ prefix: '/' }], routeAction: { single: { upstream: { name: 'web', namespace: 'app' } } } }] } },
    });
    const http = gw.addresses.http as string;
    await waitFor('vs.example served on --http', 30_000, async () => (await get(http, 'vs.example').catch(() => ({ status: 0 }))).status === 200);
    for (const path of ['/apis/gateway.solo.io/v1/namespaces/app/virtualservices/web', '/apis/gloo.solo.io/v1/namespaces/app/upstreams/web']) {
      const status = await waitFor(`the Gloo status of ${path}`, 30_000, async () => {
        const o = (await api.request<{ status?: GlooStatus }>('GET', path)).body;
        return o.status?.statuses?.['sluice-system']?.state ? o.status : undefined;
      });
      assert.equal(status.statuses?.['sluice-system']?.state, 'Accepted', JSON.stringify(status));
    }
  });
});
