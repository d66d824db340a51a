// Gloo Edge's configuration kinds as Sluice reads them (gateway.solo.io/v1 VirtualService,
// RouteTable, Gateway; gloo.solo.io/v1 Upstream, UpstreamGroup), with the field names of Gloo's
// protos (projects/gateway/api/v1/*.proto, projects/gloo/api/v1/*.proto) in their JSON form, so a
// Gloo user's YAML reads unchanged. Only the fields Sluice serves are typed; everything else is
// reported by known-fields-gloo.ts. Validation (src/api/validate-gloo.ts) checks the structure
// before anything here trusts it; the translator still treats odd values as absent.
import type { ObjectMeta } from '../api/types.ts';

export const GLOO_V1 = 'gloo.solo.io/v1';
export const GLOO_GATEWAY_V1 = 'gateway.solo.io/v1';

/** `{ name, namespace }`: namespace defaults to the referring object's. */
export interface ResourceRef {
  name?: string;
  namespace?: string;
}

export interface HeaderMatcher {
  name?: string;
  value?: string;
  regex?: boolean;
  invertMatch?: boolean;
}

export interface QueryParameterMatcher {
  name?: string;
  value?: string;
  regex?: boolean;
}

export interface Matcher {
  prefix?: string;
  exact?: string;
  regex?: string;
  headers?: HeaderMatcher[];
  queryParameters?: QueryParameterMatcher[];
  methods?: string[];
  caseSensitive?: boolean;
}

export interface DestinationSpec {
  rest?: { functionName?: string; parameters?: { headers?: Record<string, string>; path?: string } };
  aws?: { logicalName?: string; invocationStyle?: 'SYNC' | 'ASYNC'; unwrapAsApiGateway?: boolean; wrapAsApiGateway?: boolean };
  grpc?: { package?: string; service?: string; function?: string };
}

export interface Destination {
  upstream?: ResourceRef;
  kube?: { ref?: ResourceRef; port?: number };
  destinationSpec?: DestinationSpec;
}

export interface WeightedDestination {
  destination?: Destination;
  weight?: number;
}

export interface RouteAction {
  single?: Destination;
  multi?: { destinations?: WeightedDestination[] };
  upstreamGroup?: ResourceRef;
}

export interface RedirectAction {
  hostRedirect?: string;
  pathRedirect?: string;
  prefixRewrite?: string;
  httpsRedirect?: boolean;
  portRedirect?: number;
  stripQuery?: boolean;
  responseCode?: 'MOVED_PERMANENTLY' | 'FOUND' | 'SEE_OTHER' | 'TEMPORARY_REDIRECT' | 'PERMANENT_REDIRECT';
}

export interface DelegateAction {
  ref?: ResourceRef;
  selector?: { labels?: Record<string, string>; namespaces?: string[] };
  /** deprecated top-level ref form */
  name?: string;
  namespace?: string;
}

export interface HeaderValueOption {
  header?: { key?: string; value?: string };
  /** default true: the value is appended (set when false) */
  append?: boolean;
}

export interface HeaderManipulation {
  requestHeadersToAdd?: HeaderValueOption[];
  requestHeadersToRemove?: string[];
  responseHeadersToAdd?: HeaderValueOption[];
  responseHeadersToRemove?: string[];
}

export interface CorsPolicy {
  allowOrigin?: string[];
  allowOriginRegex?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: string;
  allowCredentials?: boolean;
  disableForRoute?: boolean;
}

export interface RetryPolicy {
  retryOn?: string;
  numRetries?: number;
  perTryTimeout?: string;
  retryBackOff?: { baseInterval?: string; maxInterval?: string };
}

/** Route and virtual-host options (RouteOptions / VirtualHostOptions), the parts Sluice serves. */
export interface Options {
  prefixRewrite?: string;
  regexRewrite?: { pattern?: { regex?: string }; substitution?: string };
  hostRewrite?: string;
  autoHostRewrite?: boolean;
  timeout?: string;
  retries?: RetryPolicy;
  headerManipulation?: HeaderManipulation;
  cors?: CorsPolicy;
  faults?: { abort?: { percentage?: number; httpStatus?: number }; delay?: { percentage?: number; fixedDelay?: string } };
  shadowing?: { upstream?: ResourceRef; percentage?: number };
  extauth?: { disable?: boolean; customAuth?: { contextExtensions?: Record<string, string>; name?: string } };
  ratelimitBasic?: { anonymousLimits?: BasicRateLimit; authorizedLimits?: BasicRateLimit };
  idleTimeout?: string;
  maxStreamDuration?: { maxStreamDuration?: string };
  /** virtual host: providers (deprecated form); route: `disable` */
  jwt?: GlooJwtProviders & { disable?: boolean };
  /** virtual host: providers per stage; route: `disable` per stage */
  jwtStaged?: { beforeExtAuth?: GlooJwtProviders & { disable?: boolean }; afterExtAuth?: GlooJwtProviders & { disable?: boolean } };
  /** route: its own providers per stage */
  jwtProvidersStaged?: { beforeExtAuth?: GlooJwtProviders; afterExtAuth?: GlooJwtProviders };
}

/** jwt.options.gloo.solo.io.VhostExtension */
export interface GlooJwtProviders {
  providers?: Record<string, GlooJwtProvider>;
  allowMissingOrFailedJwt?: boolean;
  validationPolicy?: string;
}

/** jwt.options.gloo.solo.io.Provider */
export interface GlooJwtProvider {
  jwks?: { remote?: { url?: string; upstreamRef?: ResourceRef; cacheDuration?: string }; local?: { key?: string } };
  audiences?: string[];
  issuer?: string;
  tokenSource?: { headers?: Array<{ header?: string; prefix?: string }>; queryParams?: string[] };
  keepToken?: boolean;
  claimsToHeaders?: Array<{ claim?: string; header?: string; append?: boolean }>;
  clockSkewSeconds?: number;
}

/** solo-io's ratelimit.api.solo.io.RateLimit */
export interface BasicRateLimit {
  unit?: string;
  requestsPerUnit?: number;
}

export interface Route {
  name?: string;
  matchers?: Matcher[];
  inheritableMatchers?: boolean;
  inheritablePathMatchers?: boolean;
  routeAction?: RouteAction;
  redirectAction?: RedirectAction;
  directResponseAction?: { status?: number; body?: string };
  delegateAction?: DelegateAction;
  options?: Options;
}

export interface SslConfig {
  secretRef?: ResourceRef;
  sniDomains?: string[];
}

export interface VirtualService {
  apiVersion: typeof GLOO_GATEWAY_V1;
  kind: 'VirtualService';
  metadata: ObjectMeta;
  spec: {
    virtualHost?: { domains?: string[]; routes?: Route[]; options?: Options };
    sslConfig?: SslConfig;
    displayName?: string;
  };
}

export interface RouteTable {
  apiVersion: typeof GLOO_GATEWAY_V1;
  kind: 'RouteTable';
  metadata: ObjectMeta;
  spec: { routes?: Route[]; weight?: number };
}

export interface GlooGateway {
  apiVersion: typeof GLOO_GATEWAY_V1;
  kind: 'Gateway';
  metadata: ObjectMeta;
  spec: {
    bindAddress?: string;
    bindPort?: number;
    ssl?: boolean;
    httpGateway?: {
      virtualServices?: ResourceRef[];
      virtualServiceSelector?: Record<string, string>;
      virtualServiceNamespaces?: string[];
    };
  };
}

/** A function of a REST service: Gloo's TransformationTemplate, the parts REST functions use. */
export interface TransformationTemplate {
  headers?: Record<string, { text?: string }>;
  body?: { text?: string };
  passthrough?: Record<string, never>;
  mergeExtractorsToBody?: Record<string, never>;
}

export interface ServiceSpec {
  rest?: { transformations?: Record<string, TransformationTemplate> };
  grpcJsonTranscoder?: {
    protoDescriptorBin?: string;
    services?: string[];
    printOptions?: { alwaysPrintPrimitiveFields?: boolean; preserveProtoFieldNames?: boolean };
    ignoredQueryParameters?: string[];
    autoMapping?: boolean;
  };
}

export interface LambdaFunctionSpec {
  logicalName?: string;
  lambdaFunctionName?: string;
  qualifier?: string;
}

export interface UpstreamHealthCheck {
  timeout?: string;
  interval?: string;
  healthyThreshold?: number;
  unhealthyThreshold?: number;
  httpHealthCheck?: { path?: string; host?: string; expectedStatuses?: Array<{ start?: number; end?: number }> };
}

/** Envoy's cluster settings an Upstream carries (gloo/upstream-policy.ts). */
export interface UpstreamBackendOptions {
  circuitBreakers?: { maxConnections?: number; maxPendingRequests?: number; maxRequests?: number };
  outlierDetection?: {
    consecutive5xx?: number;
    consecutiveGatewayFailure?: number;
    enforcingConsecutive5xx?: number;
    enforcingConsecutiveGatewayFailure?: number;
    baseEjectionTime?: string;
    maxEjectionPercent?: number;
  };
  healthChecks?: UpstreamHealthCheck[];
}

export interface Upstream {
  apiVersion: typeof GLOO_V1;
  kind: 'Upstream';
  metadata: ObjectMeta;
  spec: UpstreamBackendOptions & {
    kube?: { serviceName?: string; serviceNamespace?: string; servicePort?: number; serviceSpec?: ServiceSpec };
    static?: { hosts?: Array<{ addr?: string; port?: number }>; useTls?: boolean; serviceSpec?: ServiceSpec };
    aws?: { region?: string; secretRef?: ResourceRef; lambdaFunctions?: LambdaFunctionSpec[]; endpoint?: string };
    useHttp2?: boolean;
  };
}

export interface UpstreamGroup {
  apiVersion: typeof GLOO_V1;
  kind: 'UpstreamGroup';
  metadata: ObjectMeta;
  spec: { destinations?: WeightedDestination[] };
}

export type GlooResource = VirtualService | RouteTable | GlooGateway | Upstream | UpstreamGroup;
