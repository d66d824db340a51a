// `sluice install knative`: the manifests, their YAML, flag checks, and --apply (server-side apply)
// against the fake API server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { runInstallKnative, type InstallFlags } from '../../src/cli/commands/install.ts';
import { checkKnativeInstall, parseManifests } from './install-checks.ts';

const flags = (over: Partial<InstallFlags> = {}): InstallFlags => ({ namespace: 'gw', image: 'registry.example/sluice:1.2.3', replicas: '3', ingressClass: 'sluice.ingress.networking.knative.dev', ...over });

async function capture(f: InstallFlags): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await runInstallKnative(f, out);
  return Buffer.concat(chunks).toString('utf8');
}

describe('install knative', () => {
  let api: FakeApiServer;
  before(async () => {
    api = await FakeApiServer.start();
    // What Knative Serving brings, which --apply checks for first (install-preconditions.test.ts).
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'knative-serving' } });
    api.put({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'ingresses.networking.internal.knative.dev' } });
  });
  after(async () => {
    await api.close();
  });

  it('prints multi-document YAML of valid Kubernetes objects with the flags applied', async () => {
    checkKnativeInstall(parseManifests(await capture(flags())), 'gw', 'registry.example/sluice:1.2.3', 3);
  });

  it('rejects bad flags with one clear message', async () => {
    await assert.rejects(capture(flags({ replicas: '0' })), /--replicas: "0" must be a whole number/);
    await assert.rejects(capture(flags({ namespace: 'Bad_NS' })), /--namespace: "Bad_NS" is not a valid namespace name/);
  });

  it('--apply creates every object with server-side apply (config-network: a merge patch of its one key), and applying again changes nothing', async () => {
    await capture(flags({ apply: true, kubeconfig: api.kubeconfigPath }));
    const applies = api.requests.filter((r) => r.method === 'PATCH');
    const cn = (r: { path: string }) => r.path.endsWith('/configmaps/config-network');
    assert.ok(applies.length >= 10 && applies.filter((r) => !cn(r)).every((r) => r.contentType === 'application/apply-patch+yaml'));
    // Merge patch first; created by apply only because this stand-in for Serving has no config-network yet.
    assert.equal(applies.find(cn)?.contentType, 'application/merge-patch+json');
    const dep = api.get('apps/v1', 'Deployment', 'gw', 'sluice') as { spec: { replicas: number } };
    assert.equal(dep.spec.replicas, 3);
    assert.equal((api.get('v1', 'ConfigMap', 'knative-serving', 'config-network') as { data: Record<string, string> }).data['ingress-class'], 'sluice.ingress.networking.knative.dev');
    assert.ok(api.get('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'sluice'));
    const rv = api.resourceVersion;
    await capture(flags({ apply: true, kubeconfig: api.kubeconfigPath }));
    assert.equal(api.resourceVersion, rv, 'a second apply is a no-op');
  });

  it('--apply keeps other config-network keys (apply merges, it does not replace)', async () => {
    api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-network', namespace: 'knative-serving' }, data: { 'ingress-class': 'kourier.ingress.networking.knative.dev', 'domain-template': '{{.Name}}.{{.Namespace}}.{{.Domain}}' } });
    await capture(flags({ apply: true, kubeconfig: api.kubeconfigPath }));
    assert.deepEqual((api.get('v1', 'ConfigMap', 'knative-serving', 'config-network') as { data: Record<string, string> }).data, {
      'ingress-class': 'sluice.ingress.networking.knative.dev',
      'domain-template': '{{.Name}}.{{.Namespace}}.{{.Domain}}',
    });
  });
});
