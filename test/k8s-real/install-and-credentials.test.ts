// Against a real kube-apiserver: `sluice install knative --apply --skip-serving` refuses (applying nothing) without
// Knative, then applies cleanly and idempotently once Knative's CRD and namespace are there; `serve
// --kubernetes` finds credentials in $KUBECONFIG and ~/.kube/config, and with none exits with one line.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRealApiServer, type RealApiServer } from '../support/real-apiserver.ts';
import { runSluice, startSluice } from '../support/sluice.ts';
import { DEFAULT_INGRESS_CLASS } from '../../src/api/types.ts';
import { bins, installKnative, skip, waitFor } from './cluster.ts';

describe('sluice install knative --apply and credential lookup, against a real API server', { skip }, () => {
  let api: RealApiServer;
  const homes: string[] = [];
  const install = () => runSluice(['install', 'knative', '--apply', '--skip-serving', '--kubeconfig', api.kubeconfigPath, '--replicas', '2'], { boundMs: 60_000 });
  const exists = async (path: string) => (await api.request('GET', path, undefined, undefined, [404])).status === 200;

  before(async () => {
    api = await startRealApiServer(bins);
    console.log(`# kube-apiserver ready ${api.startupMs} ms after etcd was started`);
  });
  after(async () => {
    await api?.stop();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  });

  it('refuses without Knative Serving and applies nothing', async () => {
    const { code, stderr } = await install();
    assert.notEqual(code, 0);
    assert.match(stderr, /Knative Serving is not installed: missing the knative-serving namespace and the CRD ingresses\.networking\.internal\.knative\.dev/);
    assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
    assert.equal(await exists('/api/v1/namespaces/sluice-system'), false, 'nothing applied');
    assert.equal(await exists('/apis/rbac.authorization.k8s.io/v1/clusterroles/sluice'), false, 'nothing applied');
  });

  it('applies cleanly once Knative is installed, and again without change', async () => {
    await installKnative(api);
    const first = await install();
    assert.equal(first.code, 0, first.stderr);
    const deployment = (await api.request<{ metadata: { resourceVersion: string; managedFields: Array<{ manager: string; operation: string }> }; spec: { replicas: number } }>('GET', '/apis/apps/v1/namespaces/sluice-system/deployments/sluice')).body;
    assert.equal(deployment.spec.replicas, 2);
    assert.ok(deployment.metadata.managedFields.some((f) => f.manager === 'sluice' && f.operation === 'Apply'), JSON.stringify(deployment.metadata.managedFields));
    const cm = (await api.request<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/knative-serving/configmaps/config-network')).body;
    assert.equal(cm.data['ingress-class'], DEFAULT_INGRESS_CLASS);
    for (const p of ['/api/v1/namespaces/sluice-system/serviceaccounts/sluice', '/api/v1/namespaces/sluice-system/services/sluice', '/api/v1/namespaces/sluice-system/services/sluice-internal', '/apis/rbac.authorization.k8s.io/v1/clusterroles/sluice', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/sluice']) {
      assert.ok(await exists(p), p);
    }
    // Idempotent: a second apply succeeds and changes no object (same resourceVersions).
    const second = await install();
    assert.equal(second.code, 0, second.stderr);
    const again = (await api.request<{ metadata: { resourceVersion: string } }>('GET', '/apis/apps/v1/namespaces/sluice-system/deployments/sluice')).body;
    assert.equal(again.metadata.resourceVersion, deployment.metadata.resourceVersion);
  });

  const serveWith = async (env: NodeJS.ProcessEnv) => {
    const proc = await startSluice(['serve', '--kubernetes', '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--id', 'creds'], ['http', 'local', 'admin'], { boundMs: 60_000, env });
    try {
      // /ready turns 200 once the first full list from the cluster is served.
      await waitFor('the gateway to read the cluster', 30_000, async () => (await fetch(`http://${proc.addresses.admin}/ready`)).status === 200);
    } finally {
      await proc.stop();
    }
  };

  it('serve --kubernetes finds the kubeconfig in $KUBECONFIG', async () => {
    await serveWith({ KUBECONFIG: api.kubeconfigPath, KUBERNETES_SERVICE_HOST: '' });
  });

  it('serve --kubernetes finds ~/.kube/config', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sluice-home-'));
    homes.push(home);
    mkdirSync(join(home, '.kube'));
    copyFileSync(api.kubeconfigPath, join(home, '.kube', 'config'));
    await serveWith({ HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' });
  });

  it('serve --kubernetes with no credentials exits with one clear line', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sluice-home-'));
    homes.push(home);
    const { code, stderr } = await runSluice(['serve', '--kubernetes', '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'], { env: { HOME: home, KUBECONFIG: '', KUBERNETES_SERVICE_HOST: '' }, boundMs: 30_000 });
    assert.notEqual(code, 0);
    assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
    assert.match(stderr, /no Kubernetes credentials found/);
  });
});
