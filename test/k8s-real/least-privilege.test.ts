// Against a real kube-apiserver, which enforces RBAC: a gateway running as the service account that
// `sluice install knative --apply` creates, with only the permissions granted there, reads everything it
// needs, holds the Lease and writes ingress status, and is refused nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeconfigText } from '../support/fake-apiserver-tls.ts';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { runSluice, type SluiceProcess } from '../support/sluice.ts';
import { bins, createIngress, createNamespace, createService, get, getIngress, installKnative, kingress, leaseHolder, putSlice, readyNow, skip, startReplica, waitFor } from './cluster.ts';

const SERVICE_ACCOUNT = 'system:serviceaccount:sluice-system:sluice';

describe('the gateway as its installed service account, against a real API server', { skip }, () => {
  let api: RealApiServer;
  let up: Upstream;
  let gw: SluiceProcess | undefined;

  before(async () => {
    api = await startRealApiServer(bins);
    await installKnative(api);
    const installed = await runSluice(['install', 'knative', '--apply', '--kubeconfig', api.kubeconfigPath], { boundMs: 60_000 });
    assert.equal(installed.code, 0, installed.stderr);
    await createNamespace(api, 'app');
    up = await startUpstream('web');
    await createService(api, 'app', 'web');
    await putSlice(api, 'app', 'web-1', 'web', up.port);
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await api?.stop();
  });

  it('serves, leads and writes status with only the installed RBAC', async () => {
    // A bound token for the installed service account, as the kubelet would mount it in the pod.
    const { body } = await api.request<{ status: { token: string } }>('POST', '/api/v1/namespaces/sluice-system/serviceaccounts/sluice/token', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 },
    });
    const kubeconfig = join(api.dir, 'sluice-sa.kubeconfig');
    writeFileSync(kubeconfig, kubeconfigText(api.server, api.caCert, body.status.token));
    gw = await startReplica(api, 'sa', { kubeconfig });
    await waitFor('the service account to hold the Lease', 20_000, async () => (await leaseHolder(api)) === 'sa');
    await createIngress(api, kingress('app', 'web', 'web.example', [{ service: 'web', percent: 100 }]));
    await waitFor('web Ready', 30_000, async () => readyNow(await getIngress(api, 'app', 'web')));
    assert.equal((await get(gw.addresses.http!, 'web.example')).status, 200);

    const mine = api.auditEvents().filter((e) => e.stage === 'ResponseComplete' && e.user.username === SERVICE_ACCOUNT);
    assert.ok(mine.some((e) => e.objectRef?.subresource === 'status' && e.verb === 'update'), 'status written as the service account');
    const refused = mine.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.verb} ${e.requestURI}`);
    assert.deepEqual(refused, [], 'nothing refused');
  });
});
