// `install --apply`: check that the cluster has what the manifests need, then server-side apply them in
// order. Preconditions come first so that a cluster without Knative Serving gets nothing at all, rather
// than every object up to the first one that needs it.
import { SluiceError } from '../errors.ts';
import { KubeApiError, type KubeClient } from './client.ts';
import type { Manifest } from './install.ts';

/** REST collection of each kind the install manifests hold. */
const COLLECTIONS: Record<string, { readonly prefix: string; readonly plural: string; readonly namespaced: boolean }> = {
  'v1/Namespace': { prefix: '/api/v1', plural: 'namespaces', namespaced: false },
  'v1/ServiceAccount': { prefix: '/api/v1', plural: 'serviceaccounts', namespaced: true },
  'v1/Service': { prefix: '/api/v1', plural: 'services', namespaced: true },
  'v1/ConfigMap': { prefix: '/api/v1', plural: 'configmaps', namespaced: true },
  'apps/v1/Deployment': { prefix: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  'policy/v1/PodDisruptionBudget': { prefix: '/apis/policy/v1', plural: 'poddisruptionbudgets', namespaced: true },
  'autoscaling/v2/HorizontalPodAutoscaler': { prefix: '/apis/autoscaling/v2', plural: 'horizontalpodautoscalers', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  'rbac.authorization.k8s.io/v1/Role': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  'gateway.networking.k8s.io/v1/GatewayClass': { prefix: '/apis/gateway.networking.k8s.io/v1', plural: 'gatewayclasses', namespaced: false },
};

/** The object's own REST path (`.../namespaces/NS/PLURAL/NAME`). */
export function manifestPath(m: Manifest): string {
  const c = COLLECTIONS[`${m.apiVersion}/${m.kind}`];
  if (!c) throw new SluiceError('SLUICE_ERR_KUBERNETES', `no REST path known for ${m.apiVersion} ${m.kind}`);
  const ns = c.namespaced ? `/namespaces/${encodeURIComponent(m.metadata.namespace ?? 'default')}` : '';
  return `${c.prefix}${ns}/${c.plural}/${encodeURIComponent(m.metadata.name)}`;
}

/** Something the cluster must already have, named as the error line names it. */
export interface Precondition {
  readonly what: string;
  readonly path: string;
}

/** Knative Serving's namespace (config-network lives there) and the KIngress CRD Sluice reads. */
export const knativePreconditions: readonly Precondition[] = [
  { what: 'the knative-serving namespace', path: '/api/v1/namespaces/knative-serving' },
  { what: 'the CRD ingresses.networking.internal.knative.dev', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/ingresses.networking.internal.knative.dev' },
];

/** The Gateway API CRDs, GatewayClass's first: the GatewayClass `sluice` cannot be applied without it. */
export const gatewayApiPreconditions: readonly Precondition[] = [
  { what: 'the CRD gatewayclasses.gateway.networking.k8s.io', path: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gatewayclasses.gateway.networking.k8s.io' },
];

/** What is missing and how to get it, for the error line. */
export interface Prerequisite {
  readonly name: string;
  readonly hint: string;
}
const KNATIVE: Prerequisite = { name: 'Knative Serving', hint: 'install Knative Serving first' };

/** Resolves when every precondition exists; otherwise one error naming all that are missing. */
export async function checkPreconditions(client: KubeClient, checks: readonly Precondition[], needs: Prerequisite = KNATIVE): Promise<void> {
  const missing: string[] = [];
  for (const c of checks) {
    try {
      await client.get(c.path);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) missing.push(c.what);
      else throw new SluiceError('SLUICE_ERR_KUBERNETES', `cannot check for ${c.what}: ${(err as Error).message}; nothing was applied`, { cause: err });
    }
  }
  if (missing.length) {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `${needs.name} is not installed: missing ${missing.join(' and ')}; ${needs.hint} (nothing was applied)`);
  }
}

/** Server-side apply of each manifest in order, one line per object; a failure names the object. */
export async function applyManifests(client: KubeClient, manifests: readonly Manifest[], done: (what: string) => void): Promise<void> {
  for (const m of manifests) {
    const what = `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
    try {
      await client.apply(manifestPath(m), m);
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_KUBERNETES', `applying ${what}: ${(err as Error).message}`, { cause: err });
    }
    done(what);
  }
}

/** Deletes each manifest's object in order, one line per object; one already gone is no error. */
export async function deleteManifests(client: KubeClient, manifests: readonly Manifest[], done: (what: string, gone: boolean) => void): Promise<void> {
  for (const m of manifests) {
    const what = `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
    try {
      await client.delete(manifestPath(m));
      done(what, false);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) done(what, true);
      else throw new SluiceError('SLUICE_ERR_KUBERNETES', `deleting ${what}: ${(err as Error).message}`, { cause: err });
    }
  }
}
