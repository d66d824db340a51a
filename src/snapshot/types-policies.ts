// The traffic policies a TrafficPolicy attaches to a route (Route.policies): rate limits, external
// authorization, JWT, IP lists and request body limits.
import type { CorsPolicy, RetryPolicy } from './types-route.ts';

/** The policies a TrafficPolicy attaches to a route; each absent: not applied. */
export interface TrafficPolicies {
  readonly rateLimit?: RateLimitPolicy;
  readonly globalRateLimit?: GlobalRateLimitPolicy;
  readonly extAuthz?: ExtAuthzPolicy;
  /** replaces the route's retry policy */
  readonly retry?: RetryPolicy;
  /** replaces the route's timeouts of the same names (ms) */
  readonly timeout?: { readonly request?: number; readonly backendRequest?: number; readonly idle?: number };
  readonly ipAccess?: IpAccessPolicy;
  readonly jwt?: JwtPolicy;
  readonly requestBody?: RequestBodyPolicy;
  /** served as the route's `cors` filter when the route has none of its own (policyFilters, traffic-policy-ir.ts) */
  readonly cors?: CorsPolicy;
}

/** A request body over `maxBytes` gets 413 (src/policies/body-limit.ts). */
export interface RequestBodyPolicy {
  readonly maxBytes: number;
}

/** JWT authentication: a token any provider verifies lets the request through. */
export interface JwtPolicy {
  /** true: switched off for this route (a more specific policy turning off a wider one) */
  readonly disabled?: boolean;
  /** true: a request without a token gets 401; false: it goes on (a bad token still gets 401) */
  readonly required: boolean;
  readonly providers: readonly JwtProvider[];
}

export interface JwtProvider {
  readonly name: string;
  /** the `iss` claim required; absent: any */
  readonly issuer?: string;
  /** one of these must be in `aud`; empty: any */
  readonly audiences: readonly string[];
  /** exactly one of remoteJwks and localJwks */
  readonly remoteJwks?: { readonly uri: string; readonly timeoutMs: number; readonly cacheMs: number };
  /** the key set as JSON text */
  readonly localJwks?: string;
  /** where the token is looked for, in order; `prefix` is cut from the value (case-insensitive) */
  readonly fromHeaders: readonly { readonly name: string; readonly prefix: string }[];
  readonly fromParams: readonly string[];
  /** claims (dotted paths for nested ones) set as upstream request headers (lower-case names) */
  readonly claimsToHeaders: readonly { readonly claim: string; readonly header: string }[];
  /** the token's payload (base64url) set on this upstream header */
  readonly forwardPayloadHeader?: string;
  /** seconds of clock skew allowed on exp and nbf */
  readonly clockSkewSeconds: number;
}

/** Client addresses let through (allow: only these) or refused (deny: wins over allow); 403 otherwise. */
export interface IpAccessPolicy {
  /** CIDRs (IPv4 or IPv6; a bare address is a /32 or /128); absent: any address not denied */
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
}

/** A local token bucket: `requests` tokens per `unit`, holding at most `burst`. */
export interface RateLimitPolicy {
  readonly requests: number;
  readonly unit: 'second' | 'minute' | 'hour';
  /** bucket size: the most requests allowed at once after a quiet spell (at least `requests`) */
  readonly burst: number;
  /** one bucket for the route, one per client address, or one per value of a request header */
  readonly key: 'route' | 'client' | `header:${string}`;
}

/**
 * A limit shared by every replica: each request asks a rate limit service (Envoy's
 * envoy.service.ratelimit.v3 protocol) whether its descriptors are over their limits.
 */
export interface GlobalRateLimitPolicy {
  /** the service's gRPC address, `host:port` */
  readonly service: string;
  readonly domain: string;
  /** each descriptor a list of entries; a descriptor with an entry that has no value is not sent */
  readonly descriptors: readonly (readonly RateLimitDescriptorEntry[])[];
  /** ms for the service's answer */
  readonly timeout: number;
  /** what to do when the service cannot be reached or answers nonsense (deny: 500, as Envoy) */
  readonly failureMode: 'allow' | 'deny';
}

/**
 * One entry of a descriptor and where its value comes from: a literal, a request header (absent:
 * the descriptor is not sent), the client's address (key `remote_address`, as Envoy fixes it), or
 * the route (its owner key, `Route.ingress`).
 */
export type RateLimitDescriptorEntry =
  | { readonly key: string; readonly value: string }
  | { readonly key: string; readonly fromHeader: string }
  | { readonly key: 'remote_address'; readonly clientAddress: true }
  | { readonly key: string; readonly route: true };

/** External authorization (Envoy's ext_authz protocols) before the request goes upstream. */
export interface ExtAuthzPolicy {
  /** true: switched off for this route (a more specific policy turning off a wider one) */
  readonly disabled?: boolean;
  /** `grpc`: envoy.service.auth.v3.Authorization/Check; `http`: the request's head sent to `url` */
  readonly protocol: 'grpc' | 'http';
  /** `http://host:port[/prefix]` for http, `host:port` for grpc */
  readonly url: string;
  /** ms for the auth server's answer */
  readonly timeout: number;
  /** what to do when the auth server cannot be reached or answers nonsense */
  readonly failureMode: 'allow' | 'deny';
  /** lower-case names of the client's headers sent to the auth server */
  readonly headersToSend: readonly string[];
  /** lower-case names of the auth server's headers added to the upstream request on allow */
  readonly headersToUpstream: readonly string[];
  /** the body's first `maxBytes` go to the server (Envoy's with_request_body); absent: no body */
  readonly withRequestBody?: ExtAuthzBody;
  /**
   * the gateway-wide server (config-sluice's extauthz-*) with this policy's contextExtensions (Gloo's
   * customAuth); resolved by policies/route-defaults.ts, and off where the gateway sets none
   */
  readonly fromGateway?: boolean;
  /** gRPC: the Check's context_extensions (Gloo's customAuth); absent: none */
  readonly contextExtensions?: Readonly<Record<string, string>>;
}

/** What of the request body an ext_authz check carries. */
export interface ExtAuthzBody {
  readonly maxBytes: number;
  /** false: a longer body gets 413; true: its first maxBytes are sent, marked partial */
  readonly allowPartial: boolean;
  /** gRPC: the body as `raw_body` bytes rather than the `body` string */
  readonly packAsBytes: boolean;
}
