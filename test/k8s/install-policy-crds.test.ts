// The CRDs of Sluice's policy kinds in every install: structural schemas (every node typed, or
// keeping unknown fields), a status subresource, RBAC to read them and write their status, and an
// uninstall that leaves them (deleting a CRD would delete every policy in the cluster).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayApiInstallManifests, gatewayApiUninstallManifests } from '../../src/k8s/install-gateway-api.ts';
import { installDefaults, knativeInstallManifests, type Manifest } from '../../src/k8s/install.ts';

// biome-ignore lint/suspicious/noExplicitAny: CRD schemas are free-form JSON walked by the test
type Json = any;

/** Paths of schema nodes with neither a type nor x-kubernetes-preserve-unknown-fields (not structural). */
function untyped(schema: Json, path: string): string[] {
  const here = schema.type === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true ? [path] : [];
  const props = Object.entries(schema.properties ?? {}).flatMap(([k, v]) => untyped(v, `${path}.${k}`));
  return [...here, ...props, ...(schema.items ? untyped(schema.items, `${path}[]`) : [])];
}

const crds = (ms: Manifest[]): Json[] => ms.filter((m) => m.kind === 'CustomResourceDefinition');

describe('the sluice.dev policy CRDs in the installs', () => {
  it('are in both installs, namespaced, with a status subresource and a structural schema', () => {
    for (const install of [knativeInstallManifests(installDefaults), gatewayApiInstallManifests(installDefaults)]) {
      const found = crds(install);
      assert.deepEqual(found.map((c) => c.metadata.name).sort(), ['backendpolicies.sluice.dev', 'trafficpolicies.sluice.dev']);
      for (const c of found) {
        assert.equal(c.spec.scope, 'Namespaced');
        const [v] = c.spec.versions;
        assert.equal(v.name, 'v1alpha1');
        assert.deepEqual(v.subresources, { status: {} });
        assert.deepEqual(untyped(v.schema.openAPIV3Schema, c.spec.names.kind), []);
      }
    }
  });

  it('types targetRefs, and lists the kinds each policy may target', () => {
    const [backend, traffic] = crds(knativeInstallManifests(installDefaults)).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    const kinds = (c: Json): string[] => c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.targetRefs.items.properties.kind.enum;
    assert.deepEqual(kinds(traffic), ['Gateway', 'HTTPRoute', 'GRPCRoute']);
    assert.deepEqual(kinds(backend), ['Service', 'Upstream']);
  });

  it('lets the gateway read the policies and write only their status', () => {
    const role = knativeInstallManifests(installDefaults).find((m) => m.kind === 'ClusterRole') as Json;
    const rules = role.rules.filter((r: Json) => r.apiGroups.includes('sluice.dev'));
    assert.deepEqual(rules, [
      { apiGroups: ['sluice.dev'], resources: ['trafficpolicies', 'backendpolicies'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['sluice.dev'], resources: ['trafficpolicies/status', 'backendpolicies/status'], verbs: ['get', 'update', 'patch'] },
    ]);
  });

  it('are left in place by an uninstall', () => {
    assert.deepEqual(crds(gatewayApiUninstallManifests(installDefaults)), []);
  });
});
