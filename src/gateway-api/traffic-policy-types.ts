// The `sluice.dev/v1alpha1` TrafficPolicy kind: traffic policies attached to Gateway API routes by
// `targetRefs` (Gateway API policy attachment, GEP-713) or to a Knative Ingress by its
// `sluice.dev/traffic-policy` annotation. Validated by src/api/validate-traffic-policy.ts.
import type { ObjectMeta } from '../api/types.ts';
import type { CorsSpec } from '../policies/cors-spec.ts';

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
  /** the local limit's; with `global` alone there is no local limit */
  requests?: number;
  unit?: 'second' | 'minute' | 'hour';
  /** default: `requests` */
  burst?: number;
  /** `route` (default), `client`, or `header:<name>` */
  key?: string;
  global?: GlobalRateLimitSpec;
}

/** One descriptor entry: `key` with exactly one of `value`, `fromHeader`, `clientAddress`, `route`. */
export interface DescriptorEntrySpec {
  /** required, except for `clientAddress` (whose key is `remote_address`, as Envoy fixes it) */
  key?: string;
  value?: string;
  fromHeader?: string;
  clientAddress?: true;
  route?: true;
}

export interface GlobalRateLimitSpec {
  /** the rate limit service's gRPC address, `host:port` */
  service: string;
  domain: string;
  descriptors: DescriptorEntrySpec[][];
  /** a Gateway API duration; default 20ms (Envoy's) */
  timeout?: string;
  /** default allow (Envoy's: failure_mode_deny false) */
  failureMode?: 'allow' | 'deny';
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
  /** Envoy's with_request_body: the body's first bytes go to the server */
  withRequestBody?: { maxRequestBytes: number; allowPartialMessage?: boolean; packAsBytes?: boolean };
  /** gRPC only: sent as the Check's context_extensions */
  contextExtensions?: Record<string, string>;
}

/** Route retries (src/proxy/retry.ts); durations are Gateway API durations. */
export interface RetrySpec {
  /** retries after the first attempt */
  attempts: number;
  /** each attempt's own deadline (the backend request timeout) */
  perTryTimeout?: string;
  /** failures before a response head to retry: connect-failure, reset, refused-stream; default all */
  retryOn?: Array<'connect-failure' | 'reset' | 'refused-stream'>;
  /** upstream statuses to retry; default none */
  codes?: number[];
  backoff?: { base?: string; max?: string };
  budget?: { percent?: number; minConcurrency?: number };
  /** bytes of a request body held for a resend; default 64 KiB; 0: bodies are not retried */
  bodyLimit?: number;
}

export interface TimeoutsSpec {
  request?: string;
  idle?: string;
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
    retry?: RetrySpec;
    timeouts?: TimeoutsSpec;
    ipAccess?: IpAccessSpec;
    jwt?: JwtSpec;
    requestBody?: { maxBytes: number };
    /** the Gateway API CORS filter's fields; a route's own CORS filter wins */
    cors?: CorsSpec;
  };
}
