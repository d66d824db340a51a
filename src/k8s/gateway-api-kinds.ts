// The Gateway API kinds Kubernetes mode watches, and which of their versions the API server serves.
// The CRDs may be missing (not installed yet) or serve an older version: discovery says which.
import { GATEWAY_GROUP } from '../gateway-api/types.ts';
import { KubeApiError, type KubeClient } from './client.ts';

export type GatewayApiKind = 'GatewayClass' | 'Gateway' | 'HTTPRoute' | 'GRPCRoute' | 'ReferenceGrant';

export interface GatewayApiKindInfo {
  readonly kind: GatewayApiKind;
  readonly plural: string;
  readonly namespaced: boolean;
  /** served versions Sluice reads, preferred first */
  readonly versions: readonly string[];
}

export const GATEWAY_API_KINDS: readonly GatewayApiKindInfo[] = [
  { kind: 'GatewayClass', plural: 'gatewayclasses', namespaced: false, versions: ['v1', 'v1beta1'] },
  { kind: 'Gateway', plural: 'gateways', namespaced: true, versions: ['v1', 'v1beta1'] },
  { kind: 'HTTPRoute', plural: 'httproutes', namespaced: true, versions: ['v1', 'v1beta1'] },
  { kind: 'GRPCRoute', plural: 'grpcroutes', namespaced: true, versions: ['v1'] },
  { kind: 'ReferenceGrant', plural: 'referencegrants', namespaced: true, versions: ['v1', 'v1beta1'] },
];

/** `/apis/gateway.networking.k8s.io/VERSION/[namespaces/NS/]PLURAL[/NAME]` */
export function gatewayApiPath(info: GatewayApiKindInfo, version: string, namespace?: string, name?: string): string {
  const base = `/apis/${GATEWAY_GROUP}/${version}`;
  const coll = info.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}` : `${base}/${info.plural}`;
  return name ? `${coll}/${encodeURIComponent(name)}` : coll;
}

/**
 * The first of the kind's versions the server serves, or undefined when none is (the CRD is not
 * installed). Any error but 404 is thrown: the caller retries, and the server may just be restarting.
 */
export async function servedVersion(client: KubeClient, info: GatewayApiKindInfo): Promise<string | undefined> {
  for (const version of info.versions) {
    let list: { resources?: Array<{ name?: string }> };
    try {
      list = await client.get(`/apis/${GATEWAY_GROUP}/${version}`);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) continue;
      throw err;
    }
    if (list.resources?.some((r) => r.name === info.plural)) return version;
  }
  return undefined;
}
