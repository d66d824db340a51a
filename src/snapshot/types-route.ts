// A route as every consumer reads it: its matches (path, method, headers, query), filters (header
// edits, rewrites, redirects, CORS), weighted splits, retries and timeouts.
import type { TrafficPolicies } from './types-policies.ts';

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
