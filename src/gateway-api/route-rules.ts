// The Gateway API route translator's contract (gwshared.md): a route's rules become ranked IR
// routes plus the clusters they name and what its status must say. Hostnames, listeners and
// statuses are the caller's (gateway translation); this part only reads one route's rules.
import type { UpstreamResolver } from './gloo-upstreams.ts';
import type { SharedValues } from '../snapshot/shared-values.ts';
import type { Cluster, Route } from '../snapshot/types.ts';
import type { Lookups } from '../translate/lookups.ts';

export interface RuleContext {
  /** `HTTPRoute ns/name` or `GRPCRoute ns/name`: becomes Route.ingress */
  readonly routeKey: string;
  /** the route's `ns/name` (the RankedRoute key; absent: taken from routeKey) */
  readonly key?: string;
  readonly kind: 'HTTPRoute' | 'GRPCRoute';
  /** the route's namespace (backendRefs default to it) */
  readonly namespace: string;
  /** Services, EndpointSlices, Endpoints (src/translate/lookups.ts) */
  readonly lookups: Lookups;
  /** ReferenceGrant check for a cross-namespace reference from this route */
  readonly refAllowed: (to: { group: string; kind: string; namespace: string; name: string }) => boolean;
  /** Gloo Upstreams named as backends (gloo-upstreams.ts); absent: none can be */
  readonly glooUpstream?: UpstreamResolver;
  /** equal match values (paths, header and query match lists) of one translation pass, shared; absent: not shared */
  readonly shared?: SharedValues;
}

/** What a GRPCRoute match named, for GRPCRoute precedence (characters of service, then method). */
export interface GrpcMethodRank {
  readonly service: string;
  readonly method: string;
  readonly regex: boolean;
}

export interface RankedRoute {
  readonly route: Route;
  /** for precedence ties: the route object's creationTimestamp (RFC 3339, '' when absent) and `ns/name` */
  readonly created: string;
  readonly key: string;
  readonly ruleIndex: number;
  readonly matchIndex: number;
  /** set on GRPCRoute routes (an addition to the contract, optional): what the method match named */
  readonly grpc?: GrpcMethodRank;
}

export type UnresolvedReason = 'BackendNotFound' | 'RefNotPermitted' | 'InvalidKind' | 'UnsupportedProtocol';

export interface RouteRulesResult {
  /** one per (rule, match); a rule without matches gets one `/` segment-prefix match */
  readonly routes: readonly RankedRoute[];
  /** the clusters the splits name (`namespace/service:port`, as Knative's translator names them, so they merge) */
  readonly clusters: readonly Cluster[];
  /** the condition ResolvedRefs=False (first bad reference), undefined when every ref resolves */
  readonly unresolved?: { readonly reason: UnresolvedReason; readonly message: string };
  /** Accepted=False with this reason when the route uses something unsupported (e.g. an unknown filter type) */
  readonly unsupported?: { readonly reason: 'UnsupportedValue'; readonly message: string };
}

export { httpRouteRules } from './http-rules.ts';
export { grpcRouteRules } from './grpc-rules.ts';
export { byPrecedence } from './precedence.ts';
