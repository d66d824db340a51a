// The spec types of HTTPRoute and GRPCRoute (Gateway API v1.6.1, experimental channel), as plain
// interfaces. They describe the shape the API documents; objects read from files or the API
// server may still break it, so translators check values before trusting them.

/** A reference from a route to the Gateway (or Gateway listener) it attaches to. */
export interface ParentReference {
  /** default `gateway.networking.k8s.io` */
  readonly group?: string;
  /** default `Gateway` */
  readonly kind?: string;
  /** default: the route's namespace */
  readonly namespace?: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
}

/** A reference to a backend object (BackendObjectReference). */
export interface BackendObjectReference {
  /** default `` (core) */
  readonly group?: string;
  /** default `Service` */
  readonly kind?: string;
  readonly name: string;
  /** default: the route's namespace */
  readonly namespace?: string;
  /** required when the referent is a Service */
  readonly port?: number;
}

export interface BackendRef extends BackendObjectReference {
  /** relative weight, 0..1000000; default 1 */
  readonly weight?: number;
}

/** A reference to an object in the route's namespace (ExtensionRef filters). */
export interface LocalObjectReference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
}

export type PathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';
export type HeaderMatchType = 'Exact' | 'RegularExpression';
export type QueryParamMatchType = 'Exact' | 'RegularExpression';

export interface HTTPPathMatch {
  /** default `PathPrefix` */
  readonly type?: PathMatchType;
  /** default `/` */
  readonly value?: string;
}

export interface HTTPHeaderMatch {
  /** default `Exact` */
  readonly type?: HeaderMatchType;
  /** case-insensitive */
  readonly name: string;
  readonly value: string;
}

export interface HTTPQueryParamMatch {
  /** default `Exact` */
  readonly type?: QueryParamMatchType;
  /** case-sensitive */
  readonly name: string;
  readonly value: string;
}

export type HTTPMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

export interface HTTPRouteMatch {
  /** default `{ type: PathPrefix, value: / }` */
  readonly path?: HTTPPathMatch;
  readonly headers?: readonly HTTPHeaderMatch[];
  readonly queryParams?: readonly HTTPQueryParamMatch[];
  readonly method?: HTTPMethod;
}

export interface HTTPHeader {
  readonly name: string;
  readonly value: string;
}

export interface HTTPHeaderFilter {
  readonly set?: readonly HTTPHeader[];
  readonly add?: readonly HTTPHeader[];
  readonly remove?: readonly string[];
}

export type HTTPPathModifierType = 'ReplaceFullPath' | 'ReplacePrefixMatch';

export interface HTTPPathModifier {
  readonly type: HTTPPathModifierType;
  readonly replaceFullPath?: string;
  readonly replacePrefixMatch?: string;
}

export interface HTTPRequestRedirectFilter {
  readonly scheme?: 'http' | 'https';
  readonly hostname?: string;
  readonly path?: HTTPPathModifier;
  readonly port?: number;
  /** default 302; 303, 307, 308 are experimental */
  readonly statusCode?: 301 | 302 | 303 | 307 | 308;
}

export interface HTTPURLRewriteFilter {
  readonly hostname?: string;
  readonly path?: HTTPPathModifier;
}

export interface Fraction {
  readonly numerator: number;
  /** default 100 */
  readonly denominator?: number;
}

export interface HTTPRequestMirrorFilter {
  readonly backendRef: BackendObjectReference;
  /** 0..100; at most one of percent and fraction; neither: every request */
  readonly percent?: number;
  readonly fraction?: Fraction;
}

/** Experimental. */
export interface HTTPCORSFilter {
  readonly allowOrigins?: readonly string[];
  readonly allowCredentials?: boolean;
  readonly allowMethods?: readonly string[];
  readonly allowHeaders?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  /** seconds; default 5 */
  readonly maxAge?: number;
}

export type HTTPRouteFilterType =
  | 'RequestHeaderModifier'
  | 'ResponseHeaderModifier'
  | 'RequestMirror'
  | 'RequestRedirect'
  | 'URLRewrite'
  | 'CORS'
  | 'ExternalAuth'
  | 'ExtensionRef';

export interface HTTPRouteFilter {
  readonly type: HTTPRouteFilterType;
  readonly requestHeaderModifier?: HTTPHeaderFilter;
  readonly responseHeaderModifier?: HTTPHeaderFilter;
  readonly requestMirror?: HTTPRequestMirrorFilter;
  readonly requestRedirect?: HTTPRequestRedirectFilter;
  readonly urlRewrite?: HTTPURLRewriteFilter;
  readonly cors?: HTTPCORSFilter;
  /** experimental; not supported by Sluice */
  readonly externalAuth?: Readonly<Record<string, unknown>>;
  readonly extensionRef?: LocalObjectReference;
}

export interface HTTPBackendRef extends BackendRef {
  /** run only when this backend is chosen */
  readonly filters?: readonly HTTPRouteFilter[];
}

/** Gateway API durations: one or more `<number><unit>` with units h, m, s, ms (`1h`, `10s`, `500ms`, `1m30s`). */
export type Duration = string;

export interface HTTPRouteTimeouts {
  /** whole exchange, from the gateway receiving the request; `0s`: none */
  readonly request?: Duration;
  /** one request to a backend (each retry gets its own) */
  readonly backendRequest?: Duration;
}

/** Experimental. */
export interface HTTPRouteRetry {
  /** HTTP status codes (400..599) that are retried */
  readonly codes?: readonly number[];
  /** how many times a request may be retried (after the first try) */
  readonly attempts?: number;
  readonly backoff?: Duration;
}

export interface SessionPersistence {
  readonly sessionName?: string;
  readonly absoluteTimeout?: Duration;
  readonly idleTimeout?: Duration;
  readonly type?: 'Cookie' | 'Header';
  readonly cookieConfig?: { readonly lifetimeType?: 'Permanent' | 'Session' };
}

export interface HTTPRouteRule {
  readonly name?: string;
  /** default: one match, PathPrefix `/` */
  readonly matches?: readonly HTTPRouteMatch[];
  readonly filters?: readonly HTTPRouteFilter[];
  readonly backendRefs?: readonly HTTPBackendRef[];
  readonly timeouts?: HTTPRouteTimeouts;
  readonly retry?: HTTPRouteRetry;
  /** experimental; not supported by Sluice */
  readonly sessionPersistence?: SessionPersistence;
}

export interface HTTPRouteSpec {
  readonly parentRefs?: readonly ParentReference[];
  readonly hostnames?: readonly string[];
  /** default: one rule with the default match and no backends */
  readonly rules?: readonly HTTPRouteRule[];
}

export type GRPCMethodMatchType = 'Exact' | 'RegularExpression';

export interface GRPCMethodMatch {
  /** default `Exact` */
  readonly type?: GRPCMethodMatchType;
  /** fully qualified service name (`package.Service`); absent: any service */
  readonly service?: string;
  /** absent: any method */
  readonly method?: string;
}

export interface GRPCHeaderMatch {
  /** default `Exact` */
  readonly type?: HeaderMatchType;
  readonly name: string;
  readonly value: string;
}

export interface GRPCRouteMatch {
  /** absent: every method */
  readonly method?: GRPCMethodMatch;
  readonly headers?: readonly GRPCHeaderMatch[];
}

export type GRPCRouteFilterType = 'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestMirror' | 'ExtensionRef';

export interface GRPCRouteFilter {
  readonly type: GRPCRouteFilterType;
  readonly requestHeaderModifier?: HTTPHeaderFilter;
  readonly responseHeaderModifier?: HTTPHeaderFilter;
  readonly requestMirror?: HTTPRequestMirrorFilter;
  readonly extensionRef?: LocalObjectReference;
}

export interface GRPCBackendRef extends BackendRef {
  readonly filters?: readonly GRPCRouteFilter[];
}

export interface GRPCRouteRule {
  readonly name?: string;
  /** default: one match of every method */
  readonly matches?: readonly GRPCRouteMatch[];
  readonly filters?: readonly GRPCRouteFilter[];
  readonly backendRefs?: readonly GRPCBackendRef[];
  /** experimental; not supported by Sluice */
  readonly sessionPersistence?: SessionPersistence;
}

export interface GRPCRouteSpec {
  readonly parentRefs?: readonly ParentReference[];
  readonly hostnames?: readonly string[];
  readonly rules?: readonly GRPCRouteRule[];
}
