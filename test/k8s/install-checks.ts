// Checks shared by the install tests (in process and through the `sluice` command):
// the YAML parses into Kubernetes objects, and the Knative install has what it must.
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../../src/k8s/install.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Port {
  name: string;
  port: number;
  targetPort: number;
}
interface Container {
  image: string;
  args: string[];
  env: Array<{ name: string }>;
  ports: Array<{ name: string; containerPort: number }>;
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources: { requests: { cpu?: string; memory?: string } };
}
interface Deployment {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { serviceAccountName: string; terminationGracePeriodSeconds: number; containers: Container[] } };
  };
}

/** Checks every YAML document is a Kubernetes object and returns them. */
export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text).map((d, i) => {
    assert.equal(d.errors.length, 0, `document ${i}: ${d.errors.join('; ')}`);
    const o = d.toJS() as Manifest;
    assert.match(o.apiVersion, /^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/, `document ${i} apiVersion`);
    assert.match(o.kind, /^[A-Z][A-Za-z]+$/, `document ${i} kind`);
    assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, `document ${i} metadata.name`);
    return o;
  });
}

export function checkKnativeInstall(objs: Manifest[], ns: string, image: string, replicas: number): void {
  const find = <T>(kind: string, name: string): Manifest & T => {
    const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
    assert.ok(o, `${kind} ${name} missing`);
    return o as Manifest & T;
  };
  assert.equal(objs[0]?.kind, 'Namespace', 'the namespace comes first so the rest can be applied in order');
  find('Namespace', ns);
  assert.equal(find('ServiceAccount', 'sluice').metadata.namespace, ns);
  const role = find<{ rules: Rule[] }>('ClusterRole', 'sluice');
  const verbs = (res: string) => role.rules.filter((r) => r.resources.includes(res)).flatMap((r) => r.verbs).sort();
  assert.deepEqual(verbs('ingresses'), ['get', 'list', 'watch']);
  assert.deepEqual(verbs('ingresses/status'), ['get', 'patch', 'update']);
  assert.deepEqual(verbs('endpointslices'), ['get', 'list', 'watch']);
  assert.deepEqual(verbs('services'), ['get', 'list', 'watch']);
  assert.deepEqual(verbs('secrets'), ['get', 'list', 'watch']);
  assert.ok(!role.rules.some((r) => r.verbs.includes('*') || r.resources.includes('*') || r.apiGroups.includes('*')), 'no wildcards');
  assert.equal(find<{ subjects: Array<{ namespace: string }> }>('ClusterRoleBinding', 'sluice').subjects[0]?.namespace, ns);
  const leaseRole = find<{ rules: Rule[] }>('Role', 'sluice-leader-election');
  assert.equal(leaseRole.metadata.namespace, ns);
  assert.ok(leaseRole.rules.every((r) => r.resources.join() === 'leases'), 'the namespaced Role covers Leases only');
  find('RoleBinding', 'sluice-leader-election');
  const dep = find<Deployment>('Deployment', 'sluice');
  assert.equal(dep.metadata.namespace, ns);
  assert.equal(dep.spec.replicas, replicas);
  const c = dep.spec.template.spec.containers[0]!;
  assert.equal(c.image, image);
  assert.equal(dep.spec.template.spec.serviceAccountName, 'sluice');
  assert.equal(c.readinessProbe?.httpGet?.path, '/ready');
  assert.equal(c.livenessProbe?.httpGet?.path, '/live');
  // The kubelet probes the health port; the admin endpoint (with /config) stays on loopback.
  const arg = (flag: string): string | undefined => c.args[c.args.indexOf(flag) + 1];
  const healthPort = c.ports.find((p) => p.name === 'health');
  assert.ok(healthPort, 'a container port named health');
  assert.equal(arg('--health'), `0.0.0.0:${healthPort.containerPort}`);
  for (const probe of [c.readinessProbe, c.livenessProbe]) assert.equal(probe?.httpGet?.port, 'health');
  assert.ok(!c.args.includes('--admin') || /^127\.0\.0\.1:/.test(arg('--admin')!), `admin stays on loopback (${arg('--admin')})`);
  assert.ok(!c.ports.some((p) => p.name === 'admin'), 'no container port for the admin endpoint');
  // The grace period covers the drain delay and the drain, with room to spare.
  const [delay, drain] = [Number(arg('--drain-delay')), Number(arg('--drain-timeout'))];
  assert.ok(delay > 0 && drain > 0, 'drain delay and timeout are explicit');
  assert.ok(dep.spec.template.spec.terminationGracePeriodSeconds > delay + drain, 'terminationGracePeriodSeconds covers delay + drain');
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory, 'resource requests');
  assert.deepEqual(c.env.map((e) => e.name), ['POD_NAME', 'POD_NAMESPACE']);
  assert.ok(c.args.includes(`${ns}/sluice`) && c.args.includes(`${ns}/sluice-internal`), 'gateway Services named in args');
  for (const [k, v] of Object.entries(dep.spec.selector.matchLabels)) assert.equal(dep.spec.template.metadata.labels[k], v, 'selector matches the pod labels');
  const pub = find<{ spec: { type: string; ports: Port[] } }>('Service', 'sluice');
  assert.equal(pub.spec.type, 'LoadBalancer');
  assert.deepEqual(pub.spec.ports.map((p) => p.name), ['http', 'https']);
  const local = find<{ spec: { type: string; ports: Port[] } }>('Service', 'sluice-internal');
  assert.equal(local.spec.type, 'ClusterIP');
  const containerPorts = new Set(c.ports.map((p) => p.containerPort));
  for (const p of [...pub.spec.ports, ...local.spec.ports]) assert.ok(containerPorts.has(p.targetPort), `Service port ${p.name} targets a container port`);
  const cm = find<{ data: Record<string, string> }>('ConfigMap', 'config-network');
  assert.equal(cm.metadata.namespace, 'knative-serving');
  assert.equal(cm.data['ingress-class'], 'sluice.ingress.networking.knative.dev');
}
