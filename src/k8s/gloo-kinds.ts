// The Gloo Edge kinds Kubernetes mode watches when their CRDs are served (gateway.solo.io and
// gloo.solo.io, v1), keyed by store kind (storeKind: Gloo's Gateway apart from the Gateway API's).
import type { CrdKindInfo } from './gateway-api-kinds.ts';

export interface GlooKindInfo extends CrdKindInfo {
  /** the kind the store files it under */
  readonly storeKind: string;
}

export const GLOO_KINDS: readonly GlooKindInfo[] = [
  { group: 'gateway.solo.io', kind: 'VirtualService', storeKind: 'VirtualService', plural: 'virtualservices', namespaced: true, versions: ['v1'] },
  { group: 'gateway.solo.io', kind: 'RouteTable', storeKind: 'RouteTable', plural: 'routetables', namespaced: true, versions: ['v1'] },
  { group: 'gateway.solo.io', kind: 'Gateway', storeKind: 'Gateway.gateway.solo.io', plural: 'gateways', namespaced: true, versions: ['v1'] },
  { group: 'gloo.solo.io', kind: 'Upstream', storeKind: 'Upstream', plural: 'upstreams', namespaced: true, versions: ['v1'] },
  { group: 'gloo.solo.io', kind: 'UpstreamGroup', storeKind: 'UpstreamGroup', plural: 'upstreamgroups', namespaced: true, versions: ['v1'] },
];
