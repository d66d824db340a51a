// `sluice install gateway-api` and `sluice uninstall gateway-api`: the printed manifests (GatewayClass,
// RBAC for the Gateway API kinds and their status, Deployment and Services), the exact CRD command,
// --apply against the fake API server (refused without the CRDs), and uninstall removing it all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, type Writable } from 'node:stream';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { runSluice } from '../support/sluice.ts';
import { runInstallGatewayApi, type InstallFlags } from '../../src/cli/commands/install.ts';
import { runUninstallGatewayApi } from '../../src/cli/commands/uninstall.ts';
import { parseManifests } from './install-checks.ts';

const CRDS = 'kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.1/experimental-install.yaml';
const flags = (over: Partial<InstallFlags> = {}): InstallFlags => ({ namespace: 'gw', image: 'registry.example/sluice:1.2.3', replicas: '2', ingressClass: 'sluice.ingress.networking.knative.dev', ...over });
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

async function capture(run: (out: Writable) => Promise<void>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await run(out);
  return Buffer.concat(chunks).toString('utf8');
}

describe('install gateway-api', () => {
  let api: FakeApiServer;
  before(async () => {
    api = await FakeApiServer.start();
  });
  after(async () => {
    await api.close();
  });

  it('prints the CRD command, the GatewayClass sluice, RBAC for the kinds and their status, and the Deployment', async () => {
    const text = await capture((out) => runInstallGatewayApi(flags(), out));
    assert.ok(text.split('\n').includes(`# ${CRDS}`), 'the exact CRD command, as a comment');
    const objs = parseManifests(text);
    const cls = objs.find((o) => o.kind === 'GatewayClass') as unknown as { metadata: { name: string }; spec: { controllerName: string } };
    assert.deepEqual([cls.metadata.name, cls.spec.controllerName], ['sluice', 'sluice.dev/gateway-controller']);
    const role = objs.find((o) => o.kind === 'ClusterRole') as unknown as { rules: Rule[] };
    // By group: Gloo's gateway.solo.io has `gateways` too.
    const verbs = (res: string) => role.rules.filter((r) => r.resources.includes(res) && (r.apiGroups.includes('gateway.networking.k8s.io') || res === 'namespaces')).flatMap((r) => r.verbs).sort();
    for (const res of ['gatewayclasses', 'gateways', 'httproutes', 'grpcroutes', 'referencegrants', 'namespaces']) assert.deepEqual(verbs(res), ['get', 'list', 'watch'], res);
    for (const res of ['gatewayclasses/status', 'gateways/status', 'httproutes/status', 'grpcroutes/status']) assert.deepEqual(verbs(res), ['get', 'patch', 'update'], res);
    assert.ok(!role.rules.some((r) => r.verbs.includes('*') || r.resources.includes('*')), 'no wildcards');
    const dep = objs.find((o) => o.kind === 'Deployment') as unknown as { metadata: { namespace: string }; spec: { template: { spec: { containers: Array<{ args: string[]; image: string }> } } } };
    const c = dep.spec.template.spec.containers[0]!;
    assert.equal(dep.metadata.namespace, 'gw');
    assert.equal(c.args[c.args.indexOf('--port-offset') + 1], '10000');
    const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === 'sluice-gateway') as unknown as { spec: { type: string; ports: Array<{ port: number; targetPort: number }> } };
    assert.deepEqual(svc.spec.ports.map((p) => [p.port, p.targetPort]), [[80, 10080], [443, 10443]]);
    assert.equal(objs.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'config-network'), false, 'Knative’s config-network is not touched');
  });

  it('--apply without the Gateway API CRDs applies nothing and says how to install them', async () => {
    await assert.rejects(capture((out) => runInstallGatewayApi(flags({ apply: true, kubeconfig: api.kubeconfigPath }), out)), (err: Error) => err.message.includes(CRDS) && err.message.includes('nothing was applied'));
    assert.equal(api.requests.filter((r) => r.method === 'PATCH').length, 0);
  });

  it('--apply applies everything once the CRDs are there; uninstall deletes it all and leaves the CRDs', async () => {
    api.installGatewayApi();
    api.put({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gatewayclasses.gateway.networking.k8s.io' } });
    const applied = await capture((out) => runInstallGatewayApi(flags({ apply: true, kubeconfig: api.kubeconfigPath }), out));
    assert.match(applied, /GatewayClass sluice applied/);
    assert.equal((api.get('gateway.networking.k8s.io/v1', 'GatewayClass', undefined, 'sluice')?.spec as { controllerName?: string } | undefined)?.controllerName, 'sluice.dev/gateway-controller');
    assert.ok(api.get('apps/v1', 'Deployment', 'gw', 'sluice'));
    const removed = await capture((out) => runUninstallGatewayApi({ namespace: 'gw', kubeconfig: api.kubeconfigPath }, out));
    assert.match(removed, /GatewayClass sluice deleted/);
    assert.match(removed, /Namespace gw deleted\n/);
    assert.equal(api.get('gateway.networking.k8s.io/v1', 'GatewayClass', undefined, 'sluice'), undefined);
    assert.equal(api.get('apps/v1', 'Deployment', 'gw', 'sluice'), undefined);
    assert.equal(api.get('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'sluice'), undefined);
    assert.ok(api.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'gatewayclasses.gateway.networking.k8s.io'), 'the CRDs stay');
    // Again: nothing left to delete is no error.
    assert.match(await capture((out) => runUninstallGatewayApi({ namespace: 'gw', kubeconfig: api.kubeconfigPath }, out)), /GatewayClass sluice was not there/);
  });

  it('is a `sluice` command', async () => {
    const r = await runSluice(['install', 'gateway-api', '--namespace', 'edge']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(parseManifests(r.stdout).some((o) => o.kind === 'GatewayClass'));
    const bad = await runSluice(['uninstall', 'gateway-api', '--namespace', 'Bad_NS']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--namespace: "Bad_NS" is not a valid namespace name/);
  });
});
