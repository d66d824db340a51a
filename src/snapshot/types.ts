// The routing snapshot: the one immutable value every consumer serves from
// (the Node data plane, the xDS server, the admin endpoint, the Kubernetes status writer).
// It is plain JSON-able data; consumers compile it into their own fast structures once per swap.
import type { BackendPolicy } from './backend-policy.ts';
import type { Condition, HTTPOption, LoadBalancerStatus } from '../api/types.ts';
import type { FunctionBinding } from '../functions/types.ts';
import type { ContentDiffs } from './change.ts';

/**
 * Which listener a virtual host table belongs to: `external` (--http and --https), `local`
 * (--local), or the `name` of a PortListener (a Gateway API port).
 */
export type ListenerKind = string;

/** The listeners Knative's virtual hosts are served on (SnapshotContent.listeners). */
export type KnativeListener = 'external' | 'local';

/** A header name (lower-case) and a value. */
export type HeaderPair = readonly [name: string, value: string];

/**
 * How a route matches the request path (normalised, without the query). Matching is
 * case-sensitive, as in Envoy and the Gateway API.
 */
export type PathMatch =
  /** literal string prefix: `/foo` matches `/foobar` (Knative's paths, Envoy `prefix`) */
  | { readonly type: 'prefix'; readonly value: string }
  /**
   * whole path segments (Gateway API `PathPrefix`, Envoy `path_separated_prefix`): `/foo` matches
   * `/foo`, `/foo/` and `/foo/bar`, not `/foobar`; a trailing `/` in the value is ignored; `/`
   * matches every path
   */
  | { readonly type: 'segment-prefix'; readonly value: string }
  | { readonly type: 'exact'; readonly value: string }
  /** RE2 syntax, matched against the whole path (Envoy `safe_regex`) */
  | { readonly type: 'regex'; readonly value: string };

/** How a header or query parameter value matches. */
export type ValueMatch =
  | { readonly type: 'exact'; readonly value: string }
  /** RE2 syntax, matched against the whole value */
  | { readonly type: 'regex'; readonly value: string }
  /** present with any value (net-kourier writes Knative's empty exact value this way) */
  | { readonly type: 'present' };

export interface HeaderMatch {
  /** lower-case header name; a header sent several times is matched as its values joined by `,` */
  readonly name: string;
  readonly match: ValueMatch;
  /**
   * the result is inverted (Envoy `invert_match`, Gloo `invertMatch`): a present header matches when
   * its value does not; an absent header matches only an inverted `present` match
   */
  readonly invert?: boolean;
}

export interface QueryMatch {
  /** exact (case-sensitive) parameter name; the first occurrence is matched, as Envoy does */
  readonly name: string;
  readonly match: ValueMatch;
}

/** Header edits, applied in this order: set (replace), add (append), remove. */
export interface HeaderEdits {
  /** lower-case names */
  readonly set: readonly HeaderPair[];
  readonly add: readonly HeaderPair[];
  /** lower-case names */
  readonly remove: readonly string[];
}

/** How a rewrite or redirect changes the path. */
export type PathRewrite =
  /** the whole path becomes `value` (the query is kept) */
  | { readonly type: 'full'; readonly value: string }
  /**
   * the part the route's `prefix`/`segment-prefix` match matched is replaced by `value` (Gateway API
   * `ReplacePrefixMatch`); only on routes with such a match
   */
  | { readonly type: 'prefix'; readonly value: string }
  /**
   * every match of the RE2 `pattern` in the path is replaced by `substitution` (`\\1` names a
   * group), Envoy `regex_rewrite` (Gloo `regexRewrite`); the query is kept
   */
  | { readonly type: 'regex'; readonly pattern: string; readonly substitution: string };

export interface CorsPolicy {
  /** exact origins, `*`, or wildcard patterns like `https://*.example.com` */
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** seconds; absent: no Access-Control-Max-Age */
  readonly maxAge?: number;
  readonly allowCredentials: boolean;
}

/**
 * What a route (or one backend of it) does to an exchange, in order. The translators produce
 * them; the data plane's exchange core and the xDS translator each implement every kind.
 */
export type RouteFilter =
  | { readonly type: 'request-headers'; readonly edits: HeaderEdits }
  | { readonly type: 'response-headers'; readonly edits: HeaderEdits }
  /** rewrites the request sent upstream */
  | {
      readonly type: 'url-rewrite';
      readonly hostname?: string;
      /** Host becomes the chosen endpoint's name (a `dns` cluster's) or address (Gloo `autoHostRewrite`) */
      readonly autoHostname?: boolean;
      readonly path?: PathRewrite;
    }
  /**
   * answers with a redirect instead of forwarding; unset parts keep the request's (the port: the
   * default port of the scheme is left out of Location, as the Gateway API requires)
   */
  | {
      readonly type: 'redirect';
      readonly scheme?: 'http' | 'https';
      readonly hostname?: string;
      readonly port?: number;
      readonly path?: PathRewrite;
      readonly statusCode: 301 | 302 | 303 | 307 | 308;
    }
  /** copies the request to another cluster, ignoring its answer; `percent` 0..100 of requests */
  | { readonly type: 'mirror'; readonly cluster: string; readonly percent: number }
  | { readonly type: 'cors'; readonly policy: CorsPolicy }
  /** answers with this status (and body) instead of forwarding (Gloo `directResponseAction`) */
  | { readonly type: 'direct-response'; readonly status: number; readonly body?: string }
  /**
   * injected faults (Gloo `faults`, Envoy's fault filter): `percent` (0..100) of requests are
   * answered `status` without reaching the upstream, or delayed `ms` before going on
   */
  | {
      readonly type: 'fault';
      readonly abort?: { readonly percent: number; readonly status: number };
      readonly delay?: { readonly percent: number; readonly ms: number };
    };

export interface Split {
  /**
   * name of a Cluster in Snapshot.clusters; absent when the backend reference is invalid, and the
   * requests this split would take get 500 (the Gateway API's rule)
   */
  readonly cluster?: string;
  /** relative weight (Knative's percent); 0 never receives traffic */
  readonly weight: number;
  /** run after the route's filters when this split is chosen */
  readonly filters: readonly RouteFilter[];
  /**
   * name of a FunctionBinding in Snapshot.functions: the request is a call of that function
   * (src/functions/types.ts) rather than forwarded to the cluster as it is
   */
  readonly function?: string;
  /**
   * with `function` and `cluster`: requests of gRPC clients (content-type application/grpc...) are
   * forwarded to `cluster` as they are rather than called as the function, the way Envoy's
   * grpc_json_transcoder passes gRPC through (set for gRPC-JSON functions)
   */
  readonly grpcPassthrough?: boolean;
}

export interface RetryPolicy {
  /** attempts after the first */
  readonly attempts: number;
  /** upstream status codes that are retried */
  readonly codes: readonly number[];
  /** base backoff in ms (exponential with jitter, as Envoy) */
  readonly backoffMs?: number;
  /** the longest backoff in ms; absent: 10 times the base (Envoy's default) */
  readonly maxBackoffMs?: number;
  /** failures before a response head that are retried; absent: all three */
  readonly on?: readonly RetryOn[];
  /** at most `percent` of the cluster's active requests may be retries, and always `minConcurrency`; absent: 20% and 3 (Envoy's retry_budget defaults) */
  readonly budget?: RetryBudget;
  /** bytes of a request body held so that it can be sent again; absent: 64 KiB; 0: requests with a body are not retried */
  readonly bodyLimit?: number;
}

/** Envoy's retry_on conditions for failures before a response head. */
export type RetryOn = 'connect-failure' | 'reset' | 'refused-stream';

export interface RetryBudget {
  /** 0..100 */
  readonly percent: number;
  readonly minConcurrency: number;
}

export interface Route {
  /**
   * key of the object this route came from, the `ingress` label of the metrics: `namespace/name`
   * for a Knative Ingress, `Kind namespace/name` for others (`HTTPRoute default/web`)
   */
  readonly ingress: string;
  readonly path: PathMatch;
  /** upper-case method; absent: any */
  readonly method?: string;
  /** every entry must match */
  readonly headers: readonly HeaderMatch[];
  /** every entry must match */
  readonly query: readonly QueryMatch[];
  readonly filters: readonly RouteFilter[];
  /**
   * weighted backends. Empty with a `redirect` filter: the route answers itself; empty otherwise,
   * or all weights 0: 500 (no backend to send to)
   */
  readonly splits: readonly Split[];
  /** ms; absent: none. `idle`: no bytes either way for that long ends the exchange */
  readonly timeout?: { readonly request?: number; readonly backendRequest?: number; readonly idle?: number };
  readonly retry?: RetryPolicy;
  /** traffic policies attached to this route (a TrafficPolicy, src/gateway-api/traffic-policy*.ts); absent: none */
  readonly policies?: TrafficPolicies;
  /** Gateway API: the name of the route rule this route comes from, when it has one (a policy's sectionName) */
  readonly rule?: string;
}

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

export interface VirtualHost {
  /** stable unique name: `<ingress ns/name>/<rule index>`, or `<listener name>/<host>` for Gateway ports */
  readonly name: string;
  /**
   * lower-case host names without port; includes Knative's short `.svc` forms. `*.example.com`
   * matches any name ending in `.example.com` (one or more labels, the Gateway API's rule), a more
   * specific name winning; `*` alone matches any host not matched otherwise
   */
  readonly domains: readonly string[];
  /** key of the object owning this host (an ingress's key for Knative: probes and redirects read IngressInfo by it) */
  readonly ingress: string;
  /** `Redirected`: plain-HTTP requests on the external listener get 301 to https */
  readonly httpOption: HTTPOption;
  /** routes in match order (translators sort them by their API's precedence) */
  readonly routes: readonly Route[];
  /**
   * HTTPS Gateway ports: the hostname (`*` for none) of the listener this host belongs to. A request
   * whose Host and SNI belong to different listeners is misdirected (421).
   */
  readonly listenerHostname?: string;
  /**
   * Gateway ports: the listeners (`namespace/gateway/listener`, sorted) whose routes this host
   * holds; a policy attached to a Gateway or a listener reaches its routes through them
   */
  readonly listeners?: readonly string[];
}

/**
 * One address and port a Gateway API listener (or several listeners, of one Gateway or many)
 * is served on. Knative's listeners (--http, --https, --local) are not PortListeners.
 */
export interface PortListener {
  /** stable unique name, `gateway/<address>:<port>`; the router's listener key for it */
  readonly name: string;
  /** bind address (--gateway-address) and port (the listener's port plus --port-offset) */
  readonly address: string;
  readonly port: number;
  /**
   * the port the Gateway's listeners declare (before --port-offset): what clients and routes see,
   * so a redirect without a port names it; undefined: `port`
   */
  readonly listenerPort?: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** HTTPS: names of Snapshot.tls certificates, chosen by SNI against each one's `hosts`; the first is the default */
  readonly certificates: readonly string[];
  /** sorted by name; each domain in at most one virtual host */
  readonly virtualHosts: readonly VirtualHost[];
  /** HTTPS: ask clients for a certificate and verify it (Gateway spec.tls.frontend); absent: none asked */
  readonly clientValidation?: ClientValidation;
}

/** Client certificate validation on a port. */
export interface ClientValidation {
  /** PEM, one or more CA certificates a client certificate must chain to */
  readonly caCertificates: string;
  /** AllowValidOnly: no valid certificate, no connection; AllowInsecureFallback: verified, never refused */
  readonly mode: 'AllowValidOnly' | 'AllowInsecureFallback';
}

export interface Endpoint {
  /** IP address, or DNS name when the cluster is of type `dns` */
  readonly address: string;
  readonly port: number;
}

export interface Cluster {
  /** `namespace/service:port` (port as written in the ingress: a number or a port name) */
  readonly name: string;
  /** wire protocol to the upstream */
  readonly protocol: 'http1' | 'h2c';
  /** `static`: endpoints are IPs from EndpointSlices/Endpoints; `dns`: an ExternalName resolved by DNS */
  readonly type: 'static' | 'dns';
  /** ready endpoints; empty means requests get 503 */
  readonly endpoints: readonly Endpoint[];
  /** circuit breakers, outlier detection, health checks (a BackendPolicy); absent: none */
  readonly policy?: BackendPolicy;
}

export interface TlsCertificate {
  /** `namespace/secretName`; `gateway:namespace/secretName` for a Gateway listener's */
  readonly name: string;
  /**
   * a Gateway listener's certificate: served only on the ports that name it
   * (PortListener.certificates), never on Knative's --https listener
   */
  readonly gateway?: boolean;
  /** lower-case SNI names served with this certificate */
  readonly hosts: readonly string[];
  /** PEM certificate chain */
  readonly certChain: string;
  /** PEM private key */
  readonly privateKey: string;
}

/** What the data plane needs to know about each served ingress (probes, redirects). */
export interface IngressInfo {
  /** `namespace/name` */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** Knative's ingress hash (see translate/hash.ts) */
  readonly hash: string;
  readonly httpOption: HTTPOption;
  /** hosts per listener, as in the virtual hosts (expanded) */
  readonly externalHosts: readonly string[];
  readonly localHosts: readonly string[];
}

/** Translator output, before the pipeline gives it a version. */
export interface SnapshotContent {
  /** SHA-256 over the content, independent of input order */
  readonly hash: string;
  readonly listeners: { readonly external: readonly VirtualHost[]; readonly local: readonly VirtualHost[] };
  /** Gateway API ports, sorted by name (empty when no Gateway is served) */
  readonly ports: readonly PortListener[];
  /** sorted by name */
  readonly clusters: readonly Cluster[];
  /** sorted by name */
  readonly tls: readonly TlsCertificate[];
  /** sorted by key */
  readonly ingresses: readonly IngressInfo[];
  /** function calls splits make (Split.function), sorted by name; absent: none */
  readonly functions?: readonly FunctionBinding[];
  /** the gateway-wide settings the `config-sluice` ConfigMap sets (src/sources/config-sluice.ts); absent: none */
  readonly gatewayDefaults?: GatewayDefaults;
}

/** Gateway-wide listener settings from `config-sluice`: each one set overrides its `serve` flag. */
export interface GatewayDefaults {
  /** listeners that require a PROXY protocol header: http, https, local, gateway */
  readonly proxyProtocol?: readonly string[];
  readonly trustedHops?: number;
  readonly tlsMinVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly cipherSuites?: readonly string[];
  /** `namespace/name` of the TlsCertificate (in `tls`, with no hosts) served to TLS clients whose SNI names no certificate */
  readonly defaultCertificate?: string;
  /** ms: the idle timeout of every route without one of its own (policies/route-defaults.ts) */
  readonly streamIdleTimeout?: number;
  /** ext_authz for every route whose policies do not set their own (or disable it) */
  readonly extAuthz?: ExtAuthzPolicy;
}

export interface Snapshot extends SnapshotContent {
  /** increases by one with every served change */
  readonly version: number;
}

/** Knative status of one ingress, as the translator computes it. */
export interface IngressStatusReport {
  readonly namespace: string;
  readonly name: string;
  /** ingress hash; empty when the ingress has never had a valid spec */
  readonly hash: string;
  readonly generation?: number;
  readonly conditions: readonly Condition[];
  readonly publicLoadBalancer: LoadBalancerStatus;
  readonly privateLoadBalancer: LoadBalancerStatus;
}

/** A problem found while translating, tied to the ingress (or resource) it belongs to. */
export interface Diagnostic {
  readonly level: 'warning' | 'error';
  /** `Kind namespace/name` */
  readonly subject: string;
  readonly message: string;
}

/**
 * The status of one object of another config API (Gateway API, Gloo), exactly what Kubernetes
 * mode writes to its status subresource; `/status` lists these too.
 */
export interface ObjectStatus {
  readonly apiVersion: string;
  readonly kind: string;
  /** empty for cluster-scoped kinds (GatewayClass) */
  readonly namespace: string;
  readonly name: string;
  readonly generation: number;
  readonly status: Readonly<Record<string, unknown>>;
}

export interface TranslateResult {
  readonly snapshot: SnapshotContent;
  readonly statuses: readonly IngressStatusReport[];
  /** Gateway API (and later Gloo) objects' statuses, sorted by kind, namespace, name */
  readonly objectStatuses?: readonly ObjectStatus[];
  readonly diagnostics: readonly Diagnostic[];
  /**
   * how the snapshot's lists were made from those of the result before (same translator state);
   * absent when the translation started over
   */
  readonly diffs?: ContentDiffs;
}
