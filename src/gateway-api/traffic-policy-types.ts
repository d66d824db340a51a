// The `sluice.dev/v1alpha1` TrafficPolicy kind: traffic policies attached to Gateway API routes by
// `targetRefs` (Gateway API policy attachment, GEP-713) or to a Knative Ingress by its
// `sluice.dev/traffic-policy` annotation. Validated by src/api/validate-traffic-policy.ts.
import type { ObjectMeta } from '../api/types.ts';

export const SLUICE_API_V1ALPHA1 = 'sluice.dev/v1alpha1';
export const SLUICE_GROUP = 'sluice.dev';
/** the Knative Ingress annotation naming a TrafficPolicy in the Ingress's namespace */
export const TRAFFIC_POLICY_ANNOTATION = 'sluice.dev/traffic-policy';

export interface PolicyTargetRef {
  group: string;
  kind: 'Gateway' | 'HTTPRoute' | 'GRPCRoute';
  name: string;
  sectionName?: string;
}

export interface RateLimitSpec {
  requests: number;
  unit: 'second' | 'minute' | 'hour';
  /** default: `requests` */
  burst?: number;
  /** `route` (default), `client`, or `header:<name>` */
  key?: string;
}

export interface ExtAuthzSpec {
  disabled?: boolean;
  grpc?: { address: string };
  http?: { url: string };
  /** a Gateway API duration; default 200ms (Envoy's) */
  timeout?: string;
  failureMode?: 'allow' | 'deny';
  headersToSend?: string[];
  headersToUpstream?: string[];
}

/** CIDR lists; a bare address is a single host */
export interface IpAccessSpec {
  allow?: string[];
  deny?: string[];
}

export interface JwtProviderSpec {
  name: string;
  issuer?: string;
  audiences?: string[];
  remoteJwks?: { uri: string; timeout?: string; cacheDuration?: string };
  /** a JSON Web Key Set, inline */
  localJwks?: { keys: object[] };
  fromHeaders?: Array<{ name: string; prefix?: string }>;
  fromParams?: string[];
  claimsToHeaders?: Array<{ claim: string; header: string }>;
  forwardPayloadHeader?: string;
  clockSkew?: string;
}

export interface JwtSpec {
  disabled?: boolean;
  /** default true */
  required?: boolean;
  providers?: JwtProviderSpec[];
}

export interface TrafficPolicy {
  apiVersion: typeof SLUICE_API_V1ALPHA1;
  kind: 'TrafficPolicy';
  metadata: ObjectMeta;
  spec: {
    targetRefs?: PolicyTargetRef[];
    rateLimit?: RateLimitSpec;
    extAuthz?: ExtAuthzSpec;
    ipAccess?: IpAccessSpec;
    jwt?: JwtSpec;
    requestBody?: { maxBytes: number };
  };
}
