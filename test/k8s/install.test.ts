// `sluice install knative`: the manifests, their YAML, flag checks, and --apply (server-side apply)
// against the fake API server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parseAllDocuments } from 'yaml';
import { FakeApiServer } from '../support/fake-apiserver.ts';
import { runInstallKnative, type InstallFlags } from '../../src/cli/commands/install.ts';
import type { Manifest } from '../../src/k8s/install.ts';

const flags = (over: Partial<InstallFlags> = {}): InstallFlags => ({ namespace: 'gw', image: 'registry.example/sluice:1.2.3', replicas: '3', ingressClass: 'sluice.ingress.networking.knative.dev', ...over });

async function capture(f: InstallFlags): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await runInstallKnative(f, out);
  return Buffer.concat(chunks).toString('utf8');
}

/** Checks every YAML document is a Kubernetes object and returns them. */
export function parseManifests(text: string): Manifest[] {
  const docs = parseAllDocuments(text);
  return docs.map((d, i) => {
    assert.equal(d.errors.length, 0, `document ${i}: ${d.errors.join('; ')}`);
    const o = d.toJS() as Manifest;
    assert.match(o.apiVersion, /^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/, `document ${i} apiVersion`);
    assert.match(o.kind, /^[A-Z][A-Za-z]+$/, `document ${i} kind`);
    assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, `document ${i} metadata.name`);
    return o;
  });
}

export function checkKnativeInstall(objs: Manifest[], ns: string, image: string, replicas: number): void {
  const find = (kind: string, name: string) => {
    const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(o, `${kind} ${name} missing`);
    return o as Manifest & Record<string, any>;
  };
  assert.equal(objs[0]?.kind, 'Namespace', 'the namespace comes first so the rest can be applied in order');
  find('Namespace', ns);
  assert.equal(find('ServiceAccount', 'sluice').metadata.namespace, ns);
  const role = find('ClusterRole', 'sluice');
  const verbs = (res: string) => role.rules.filter((r: any) => r.resources.includes(res)).flatMap((r: any) => r.verbs).sort();
  assert.deepEqual(verbs('ingresses'), ['get', 'list', 'watch']);
  assert.deepEqual(verbs('ingresses/status'), ['get', 'patch', 'update']);
  assert.deepEqual(verbs('endpointslices'), ['get', 'list', 'watch']);
  assert.deepEqual(verbs('secrets'), ['get', 'list', 'watch']);
  assert.ok(!role.rules.some((r: any) => r.verbs.includes('*') || r.resources.includes('*')), 'no wildcards');
  assert.equal(find('ClusterRoleBinding', 'sluice').subjects[0].namespace, ns);
  const leaseRole = find('Role', 'sluice-leader-election');
  assert.equal(leaseRole.metadata.namespace, ns);
  assert.ok(leaseRole.rules.every((r: any) => r.resources.join() === 'leases'));
  find('RoleBinding', 'sluice-leader-election');
  const dep = find('Deployment', 'sluice');
  assert.equal(dep.metadata.namespace, ns);
  assert.equal(dep.spec.replicas, replicas);
  const c = dep.spec.template.spec.containers[0];
  assert.equal(c.image, image);
  assert.equal(dep.spec.template.spec.serviceAccountName, 'sluice');
  assert.ok(c.readinessProbe?.httpGet?.path === '/ready');
  assert.ok(c.livenessProbe?.httpGet);
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory);
  assert.deepEqual(c.env.map((e: any) => e.name), ['POD_NAME', 'POD_NAMESPACE']);
  assert.ok(c.args.includes(`${ns}/sluice`) && c.args.includes(`${ns}/sluice-internal`));
  assert.deepEqual(dep.spec.selector.matchLabels, Object.fromEntries(Object.entries(dep.spec.template.metadata.labels).filter(([k]) => k in dep.spec.selector.matchLabels)));
  const pub = find('Service', 'sluice');
  assert.equal(pub.spec.type, 'LoadBalancer');
  assert.deepEqual(pub.spec.ports.map((p: any) => p.name), ['http', 'https']);
  const local = find('Service', 'sluice-internal');
  assert.equal(local.spec.type, 'ClusterIP');
  const containerPorts = new Map(c.ports.map((p: any) => [p.containerPort, p.name]));
  for (const p of [...pub.spec.ports, ...local.spec.ports]) assert.ok(containerPorts.has(p.targetPort), `Service port ${p.name} targets a container port`);
  const cm = find('ConfigMap', 'config-network');
  assert.equal(cm.metadata.namespace, 'knative-serving');
  assert.equal(cm.data['ingress-class'], 'sluice.ingress.networking.knative.dev');
}

describe('install knative', () => {
  let api: FakeApiServer;
  before(async () => {
    api = await FakeApiServer.start();
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

  it('--apply creates every object with server-side apply, and applying again changes nothing', async () => {
    await capture(flags({ apply: true, kubeconfig: api.kubeconfigPath }));
    const applies = api.requests.filter((r) => r.method === 'PATCH');
    assert.ok(applies.length >= 10 && applies.every((r) => r.contentType === 'application/apply-patch+yaml'));
    const dep = api.get('apps/v1', 'Deployment', 'gw', 'sluice') as Record<string, any>;
    assert.equal(dep.spec.replicas, 3);
    assert.equal((api.get('v1', 'ConfigMap', 'knative-serving', 'config-network') as Record<string, any>).data['ingress-class'], 'sluice.ingress.networking.knative.dev');
    assert.ok(api.get('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'sluice'));
    const rv = api.resourceVersion;
    await capture(flags({ apply: true, kubeconfig: api.kubeconfigPath }));
    assert.equal(api.resourceVersion, rv, 'a second apply is a no-op');
  });

  it('--apply keeps other config-network keys (apply merges, it does not replace)', async () => {
    api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-network', namespace: 'knative-serving' }, data: { 'ingress-class': 'kourier.ingress.networking.knative.dev', 'domain-template': '{{.Name}}.{{.Namespace}}.{{.Domain}}' } });
    await capture(flags({ apply: true, kubeconfig: api.kubeconfigPath }));
    assert.deepEqual((api.get('v1', 'ConfigMap', 'knative-serving', 'config-network') as Record<string, any>).data, {
      'ingress-class': 'sluice.ingress.networking.knative.dev',
      'domain-template': '{{.Name}}.{{.Namespace}}.{{.Domain}}',
    });
  });
});
