// The install's production pieces: disruption budget, autoscaler, spreading, probes on the health
// port, Prometheus scraping, an image pinned by version, the day-2 ConfigMap; and every manifest of
// every install valid against the Kubernetes OpenAPI schema of its kind (kubernetes-models).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { installDefaults, knativeInstallManifests, type Manifest } from '../../src/k8s/install.ts';
import { gatewayApiInstallManifests } from '../../src/k8s/install-gateway-api.ts';
import { SLUICE_VERSION } from '../../src/version.ts';

interface Validatable {
  validate(): void;
}
const MODELS: Record<string, new (o: never) => Validatable> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
};

/** JSON as the manifests hold it, read loosely: a test fails on a missing field anyway. */
// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form JSON read by path in assertions
type Json = any;
const find = (objs: Manifest[], kind: string, name: string): Json => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} missing`);
  return o;
};

describe('install manifests for production', () => {
  const objs = knativeInstallManifests(installDefaults);

  it('every manifest of both installs is valid against its kind’s Kubernetes schema', () => {
    for (const m of [...objs, ...gatewayApiInstallManifests(installDefaults)]) {
      const key = `${m.apiVersion}/${m.kind}`;
      if (key === 'gateway.networking.k8s.io/v1/GatewayClass') continue; // a CRD's kind: checked against its CRD in the real-apiserver tests
      const Model = MODELS[key];
      assert.ok(Model, `no schema for ${key}`);
      assert.doesNotThrow(() => new Model(structuredClone(m) as never).validate(), `${m.kind} ${m.metadata.name}`);
    }
  });

  it('the default image is this release’s version, never :latest', () => {
    assert.equal(installDefaults.image, `sluice:${SLUICE_VERSION}`);
    assert.doesNotMatch(find(objs, 'Deployment', 'sluice').spec.template.spec.containers[0].image, /:latest$/);
  });

  it('a PodDisruptionBudget keeps all but one gateway pod through voluntary disruptions', () => {
    const pdb = find(objs, 'PodDisruptionBudget', 'sluice');
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, find(objs, 'Deployment', 'sluice').spec.selector.matchLabels);
  });

  it('a HorizontalPodAutoscaler scales the Deployment on CPU from its replicas up', () => {
    const hpa = find(objs, 'HorizontalPodAutoscaler', 'sluice');
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'sluice' });
    assert.equal(hpa.spec.minReplicas, installDefaults.replicas);
    assert.ok(hpa.spec.maxReplicas > hpa.spec.minReplicas);
    assert.equal(hpa.spec.metrics[0].resource.name, 'cpu');
  });

  it('pods spread across nodes and zones, start up behind a startup probe, and are scraped on the health port', () => {
    const pod = find(objs, 'Deployment', 'sluice').spec.template;
    const keys = pod.spec.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey).sort();
    assert.deepEqual(keys, ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    const c = pod.spec.containers[0];
    assert.equal(c.startupProbe.httpGet.port, 'health');
    assert.ok(c.resources.limits.memory && c.resources.requests.cpu);
    const health = c.ports.find((p: { name: string }) => p.name === 'health').containerPort;
    assert.deepEqual(pod.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(health), 'prometheus.io/path': '/metrics' });
  });

  it('the config-sluice ConfigMap sits in the gateway namespace, for day-2 settings', () => {
    const cm = find(objs, 'ConfigMap', 'config-sluice');
    assert.equal(cm.metadata.namespace, installDefaults.namespace);
    assert.equal(typeof cm.data._example, 'string');
  });
});
