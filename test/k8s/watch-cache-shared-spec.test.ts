// What the ingress cache keeps of each ingress at scale: Knative writes the same paths and splits
// under its ExternalIP and its ClusterLocal rule, and JSON makes a new object (and string) for every
// occurrence; the cache keeps one object per distinct part of a spec, at receipt from a list and
// from a watch event, and the ingress still translates and serves as written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeApiServer, type KObject } from '../support/fake-apiserver.ts';
import { KubeClient } from '../../src/k8s/client.ts';
import { KubernetesSource } from '../../src/k8s/source.ts';
import { DEFAULT_INGRESS_CLASS, INGRESS_CLASS_ANNOTATION, type KIngress } from '../../src/api/types.ts';
import type { SourceState } from '../../src/sources/types.ts';
import { service, slice, waitFor } from './helpers.ts';

/** An ingress as Knative writes a revision split: the same paths under both rules. */
function knativeIngress(name: string, host: string): KObject {
  const split = (rev: string, percent: number) => ({ serviceNamespace: 'app', serviceName: `${name}-${rev}`, servicePort: 80, percent, appendHeaders: { 'Knative-Serving-Revision': `${name}-${rev}`, 'Knative-Serving-Namespace': 'app' } });
  const paths = () => ['/api', '/'].map((path) => ({ path, splits: [split('a', 90), split('b', 10)] }));
  return {
    apiVersion: 'networking.internal.knative.dev/v1alpha1',
    kind: 'Ingress',
    metadata: { name, namespace: 'app', annotations: { [INGRESS_CLASS_ANNOTATION]: DEFAULT_INGRESS_CLASS } },
    spec: {
      httpOption: 'Enabled',
      rules: [
        { hosts: [host], visibility: 'ExternalIP', http: { paths: paths() } },
        { hosts: [`${name}.app.svc.cluster.local`], visibility: 'ClusterLocal', http: { paths: paths() } },
      ],
    },
  };
}

/** Distinct objects and arrays reachable from `v`. */
function distinctObjects(v: unknown, seen = new Set<object>()): number {
  if (v === null || typeof v !== 'object' || seen.has(v)) return seen.size;
  seen.add(v);
  for (const x of Object.values(v)) distinctObjects(x, seen);
  return seen.size;
}

describe('the ingress cache keeps each distinct part of a spec once', () => {
  let api: FakeApiServer;
  let source: KubernetesSource;
  let state: SourceState | undefined;
  before(async () => {
    api = await FakeApiServer.start();
    api.put(knativeIngress('listed', 'listed.example'));
    for (const rev of ['a', 'b']) {
      for (const name of ['listed', 'watched']) {
        api.put(service('app', `${name}-${rev}`, 80));
        api.put(slice('app', `${name}-${rev}-x`, `${name}-${rev}`, ['10.0.0.1'], 8080));
      }
    }
    source = new KubernetesSource(KubeClient.load(api.kubeconfigPath), { ingressClass: DEFAULT_INGRESS_CLASS, coalesceMs: 0 });
    await source.start((s) => (state = s));
  });
  after(async () => {
    await source.stop();
    await api.close();
  });

  // As written: spec, 2 rules (array + 2), 2 hosts arrays, 2 http, 2 paths arrays of 2 paths, each
  // with a splits array of 2 splits with appendHeaders: 1 + 3 + 2 + 2 + 2 * (1 + 2 * (1 + 1 + 2 * 2)) = 34.
  // Shared: both rules hold one http object, whose paths hold one splits array (the same splits under
  // both paths): spec, rules (1 + 2), hosts 2, http 1, paths 1 + 2, splits 1 + 2, appendHeaders 2 = 15.
  const sharedParts = 15;

  it('a listed ingress: the ClusterLocal rule holds the ExternalIP rule paths', () => {
    const cached = source.ingress('app', 'listed')!;
    const [external, local] = cached.spec.rules!;
    assert.equal(local!.http!.paths, external!.http!.paths, 'one paths array for both rules');
    assert.equal(distinctObjects(cached.spec), sharedParts);
  });

  it('a watched ingress too, and it is pushed and translated as written', async () => {
    api.put(knativeIngress('watched', 'watched.example'));
    await waitFor(() => state?.resources.some((r) => r.resource.kind === 'Ingress' && r.resource.metadata.name === 'watched') === true, 5000, 'the watched ingress pushed');
    const cached = source.ingress('app', 'watched')!;
    assert.equal(distinctObjects(cached.spec), sharedParts);
    const pushed = state!.resources.find((r) => r.resource.kind === 'Ingress' && r.resource.metadata.name === 'watched')!.resource as KIngress;
    assert.deepEqual(JSON.parse(JSON.stringify(pushed.spec)), knativeIngress('watched', 'watched.example').spec);
  });
});
