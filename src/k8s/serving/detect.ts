// Is Knative Serving already in the cluster, and which release? Its namespace and the KIngress CRD
// both present mean installed; the version is the `app.kubernetes.io/version` label Serving's release
// puts on both (the namespace's first).
import { SluiceError } from '../../errors.ts';
import { getIfExists, type KubeClient, type KubeObject } from '../client.ts';

export const SERVING_NAMESPACE = 'knative-serving';
export const KINGRESS_CRD = 'ingresses.networking.internal.knative.dev';
const VERSION_LABEL = 'app.kubernetes.io/version';

export type ServingFound = { readonly installed: false } | { readonly installed: true; readonly version: string | undefined };

export async function detectServing(client: KubeClient): Promise<ServingFound> {
  const ns = await getOrUndefined(client, `/api/v1/namespaces/${SERVING_NAMESPACE}`, `the ${SERVING_NAMESPACE} namespace`);
  const crd = await getOrUndefined(client, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${KINGRESS_CRD}`, `the CRD ${KINGRESS_CRD}`);
  if (!ns || !crd) return { installed: false };
  return { installed: true, version: ns.metadata?.labels?.[VERSION_LABEL] ?? crd.metadata?.labels?.[VERSION_LABEL] };
}

async function getOrUndefined(client: KubeClient, path: string, what: string): Promise<KubeObject | undefined> {
  try {
    return await getIfExists(client, path);
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_KUBERNETES', `cannot check for ${what}: ${(err as Error).message}; nothing was applied`, { cause: err });
  }
}
