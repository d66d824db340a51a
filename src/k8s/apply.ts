// `install --apply`: check that the cluster has what the manifests need, then server-side apply them in
// order. Preconditions come first so that a cluster without Knative Serving gets nothing at all, rather
// than every object up to the first one that needs it.
import { SluiceError } from '../errors.ts';
import { KubeApiError, type KubeClient } from './client.ts';
import type { Manifest } from './install.ts';
import { RestMapper } from './rest-mapper.ts';

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

/** `Kind ns/name` or `Kind name`, as every progress and error line names an object. */
export const objectName = (m: Manifest): string => `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

/**
 * Server-side apply of each manifest in order, one line per object; a failure names the object. Paths come
 * from API discovery, so any kind the server serves applies, a CRD's kinds once the CRD is there.
 */
export async function applyManifests(client: KubeClient, manifests: readonly Manifest[], done: (what: string) => void, mapper = new RestMapper(client)): Promise<void> {
  for (const m of manifests) {
    const what = objectName(m);
    try {
      await client.apply(await mapper.path(m), m);
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_KUBERNETES', `applying ${what}: ${(err as Error).message}`, { cause: err });
    }
    done(what);
  }
}

/** Deletes each manifest's object in order, one line per object; one already gone is no error. */
export async function deleteManifests(client: KubeClient, manifests: readonly Manifest[], done: (what: string, gone: boolean) => void, mapper = new RestMapper(client)): Promise<void> {
  for (const m of manifests) {
    const what = objectName(m);
    try {
      await client.delete(await mapper.path(m));
      done(what, false);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) done(what, true);
      else throw new SluiceError('SLUICE_ERR_KUBERNETES', `deleting ${what}: ${(err as Error).message}`, { cause: err });
    }
  }
}
