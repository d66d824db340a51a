// The CRD-defined kinds Kubernetes mode watches (Gateway API, Knative's Ingress), and which of their
// versions the API server serves. A CRD may be missing (not installed yet) or serve an older version:
// discovery says which.
import { GATEWAY_GROUP } from '../gateway-api/types.ts';
import { KubeApiError, type KubeClient } from './client.ts';

export type GatewayApiKind = 'GatewayClass' | 'Gateway' | 'HTTPRoute' | 'GRPCRoute' | 'ReferenceGrant';

/** A kind served by a CRD that may be missing: its group, and the versions Sluice reads. */
export interface CrdKindInfo {
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** served versions Sluice reads, preferred first */
  readonly versions: readonly string[];
}

export interface GatewayApiKindInfo extends CrdKindInfo {
  readonly kind: GatewayApiKind;
  readonly plural: string;
}

const G = GATEWAY_GROUP;
export const GATEWAY_API_KINDS: readonly GatewayApiKindInfo[] = [
  { group: G, kind: 'GatewayClass', plural: 'gatewayclasses', namespaced: false, versions: ['v1', 'v1beta1'] },
  { group: G, kind: 'Gateway', plural: 'gateways', namespaced: true, versions: ['v1', 'v1beta1'] },
  { group: G, kind: 'HTTPRoute', plural: 'httproutes', namespaced: true, versions: ['v1', 'v1beta1'] },
  { group: G, kind: 'GRPCRoute', plural: 'grpcroutes', namespaced: true, versions: ['v1'] },
  { group: G, kind: 'ReferenceGrant', plural: 'referencegrants', namespaced: true, versions: ['v1', 'v1beta1'] },
];

/** Knative's internal Ingress: a Gateway API only install has no Knative Serving, so it too may be missing. */
export const KNATIVE_INGRESS_KIND: CrdKindInfo = { group: 'networking.internal.knative.dev', kind: 'Ingress', plural: 'ingresses', namespaced: true, versions: ['v1alpha1'] };

/** `/apis/GROUP/VERSION/[namespaces/NS/]PLURAL[/NAME]` */
export function crdPath(info: CrdKindInfo, version: string, namespace?: string, name?: string): string {
  const base = `/apis/${info.group}/${version}`;
  const coll = info.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}` : `${base}/${info.plural}`;
  return name ? `${coll}/${encodeURIComponent(name)}` : coll;
}

/**
 * The first of the kind's versions the server serves, or undefined when none is (the CRD is not
 * installed). Any error but 404 is thrown: the caller retries, and the server may just be restarting.
 */
export async function servedVersion(client: KubeClient, info: CrdKindInfo): Promise<string | undefined> {
  for (const version of info.versions) {
    let list: { resources?: Array<{ name?: string }> };
    try {
      list = await client.get(`/apis/${info.group}/${version}`);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) continue;
      throw err;
    }
    if (list.resources?.some((r) => r.name === info.plural)) return version;
  }
  return undefined;
}
