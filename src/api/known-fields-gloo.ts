// The Gloo Edge fields Sluice serves, with the JSON type of each (Gloo's protos in their JSON
// form). Two readers share the table: validate-gloo.ts rejects a document whose served field has
// the wrong type, and `unsupportedFields` lists every other field (Gloo Enterprise's `waf`,
// `extauth`, `jwt`, `rateLimit`..., open-source ones Sluice does not implement, and misspellings)
// so the translator can give each a Warning naming it: never silently ignored, never fatal, since
// a Gloo user's YAML should load unchanged.
import { field, index, isObject } from './check.ts';
import { nearest } from './known-fields.ts';

export type Leaf = 'string' | 'boolean' | 'integer' | 'number' | 'strings' | 'stringMap' | 'free';
export interface ObjectShape {
  readonly type: 'object';
  readonly fields: Readonly<Record<string, Shape>>;
  /** the shape of every value of a map keyed by the user */
  readonly values?: Shape;
}
export interface ListShape {
  readonly type: 'list';
  readonly item: Shape;
}
export type Shape = Leaf | ObjectShape | ListShape;

const obj = (fields: Record<string, Shape>): ObjectShape => ({ type: 'object', fields });
const list = (item: Shape): ListShape => ({ type: 'list', item });
const mapOf = (values: Shape): ObjectShape => ({ type: 'object', fields: {}, values });

const REF = obj({ name: 'string', namespace: 'string' });
const MATCHER = obj({
  prefix: 'string',
  exact: 'string',
  regex: 'string',
  headers: list(obj({ name: 'string', value: 'string', regex: 'boolean', invertMatch: 'boolean' })),
  queryParameters: list(obj({ name: 'string', value: 'string', regex: 'boolean' })),
  methods: 'strings',
  caseSensitive: 'boolean',
});
const DESTINATION_SPEC = obj({
  rest: obj({ functionName: 'string', parameters: obj({ headers: 'stringMap', path: 'string' }) }),
  aws: obj({ logicalName: 'string', invocationStyle: 'string', unwrapAsApiGateway: 'boolean', wrapAsApiGateway: 'boolean' }),
});
const DESTINATION = obj({ upstream: REF, kube: obj({ ref: REF, port: 'integer' }), destinationSpec: DESTINATION_SPEC });
const WEIGHTED = obj({ destination: DESTINATION, weight: 'integer' });
const HEADER_OPTION = obj({ header: obj({ key: 'string', value: 'string' }), append: 'boolean' });
const HEADER_MANIPULATION = obj({
  requestHeadersToAdd: list(HEADER_OPTION),
  requestHeadersToRemove: 'strings',
  responseHeadersToAdd: list(HEADER_OPTION),
  responseHeadersToRemove: 'strings',
});
const CORS = obj({
  allowOrigin: 'strings',
  allowOriginRegex: 'strings',
  allowMethods: 'strings',
  allowHeaders: 'strings',
  exposeHeaders: 'strings',
  maxAge: 'string',
  allowCredentials: 'boolean',
  disableForRoute: 'boolean',
});
const EXTAUTH = obj({ disable: 'boolean', customAuth: obj({ contextExtensions: 'stringMap', name: 'string' }) });
const BASIC_LIMIT = obj({ unit: 'string', requestsPerUnit: 'integer' });
const RATELIMIT_BASIC = obj({ anonymousLimits: BASIC_LIMIT, authorizedLimits: BASIC_LIMIT });
const JWT_PROVIDER = obj({
  jwks: obj({ remote: obj({ url: 'string', upstreamRef: REF, cacheDuration: 'string' }), local: obj({ key: 'string' }) }),
  audiences: 'strings',
  issuer: 'string',
  tokenSource: obj({ headers: list(obj({ header: 'string', prefix: 'string' })), queryParams: 'strings' }),
  keepToken: 'boolean',
  claimsToHeaders: list(obj({ claim: 'string', header: 'string', append: 'boolean' })),
  clockSkewSeconds: 'integer',
});
const JWT_PROVIDERS = obj({ providers: mapOf(JWT_PROVIDER), allowMissingOrFailedJwt: 'boolean', validationPolicy: 'string' });
const JWT_ROUTE = obj({ disable: 'boolean' });
const RETRIES = obj({ retryOn: 'string', numRetries: 'integer', perTryTimeout: 'string', retryBackOff: obj({ baseInterval: 'string', maxInterval: 'string' }) });
const ROUTE_OPTIONS = obj({
  prefixRewrite: 'string',
  regexRewrite: obj({ pattern: obj({ regex: 'string' }), substitution: 'string' }),
  hostRewrite: 'string',
  autoHostRewrite: 'boolean',
  timeout: 'string',
  retries: RETRIES,
  headerManipulation: HEADER_MANIPULATION,
  cors: CORS,
  faults: obj({ abort: obj({ percentage: 'number', httpStatus: 'integer' }), delay: obj({ percentage: 'number', fixedDelay: 'string' }) }),
  shadowing: obj({ upstream: REF, percentage: 'number' }),
  extauth: EXTAUTH,
  ratelimitBasic: RATELIMIT_BASIC,
  idleTimeout: 'string',
  maxStreamDuration: obj({ maxStreamDuration: 'string' }),
  jwt: JWT_ROUTE,
  jwtStaged: obj({ beforeExtAuth: JWT_ROUTE, afterExtAuth: JWT_ROUTE }),
  jwtProvidersStaged: obj({ beforeExtAuth: JWT_PROVIDERS, afterExtAuth: JWT_PROVIDERS }),
});
const VIRTUAL_HOST_OPTIONS = obj({ headerManipulation: HEADER_MANIPULATION, cors: CORS, retries: RETRIES, extauth: EXTAUTH, ratelimitBasic: RATELIMIT_BASIC, jwt: JWT_PROVIDERS, jwtStaged: obj({ beforeExtAuth: JWT_PROVIDERS, afterExtAuth: JWT_PROVIDERS }) });
const ROUTE = obj({
  name: 'string',
  matchers: list(MATCHER),
  inheritableMatchers: 'boolean',
  inheritablePathMatchers: 'boolean',
  routeAction: obj({ single: DESTINATION, multi: obj({ destinations: list(WEIGHTED) }), upstreamGroup: REF }),
  redirectAction: obj({
    hostRedirect: 'string',
    pathRedirect: 'string',
    prefixRewrite: 'string',
    httpsRedirect: 'boolean',
    portRedirect: 'integer',
    stripQuery: 'boolean',
    responseCode: 'string',
  }),
  directResponseAction: obj({ status: 'integer', body: 'string' }),
  delegateAction: obj({ ref: REF, selector: obj({ labels: 'stringMap', namespaces: 'strings' }), name: 'string', namespace: 'string' }),
  options: ROUTE_OPTIONS,
});
const TRANSFORMATION = obj({ headers: mapOf(obj({ text: 'string' })), body: obj({ text: 'string' }), passthrough: 'free', mergeExtractorsToBody: 'free' });
const SERVICE_SPEC = obj({
  rest: obj({ transformations: mapOf(TRANSFORMATION) }),
  grpcJsonTranscoder: obj({
    protoDescriptorBin: 'string',
    services: 'strings',
    printOptions: obj({ alwaysPrintPrimitiveFields: 'boolean', preserveProtoFieldNames: 'boolean' }),
    ignoredQueryParameters: 'strings',
    autoMapping: 'boolean',
  }),
});

const top = (spec: ObjectShape): ObjectShape => obj({ apiVersion: 'free', kind: 'free', metadata: 'free', status: 'free', spec });

/** The served fields of each Gloo kind (the Gateway is gateway.solo.io's). */
export const GLOO_SHAPES: ReadonlyMap<string, ObjectShape> = new Map([
  ['VirtualService', top(obj({ virtualHost: obj({ domains: 'strings', routes: list(ROUTE), options: VIRTUAL_HOST_OPTIONS }), sslConfig: obj({ secretRef: REF, sniDomains: 'strings' }), displayName: 'string' }))],
  ['RouteTable', top(obj({ routes: list(ROUTE), weight: 'integer' }))],
  [
    'Gateway',
    top(
      obj({
        bindAddress: 'string',
        bindPort: 'integer',
        ssl: 'boolean',
        // Gloo's proxy names pick which Envoy serves the Gateway: Sluice is the one proxy.
        proxyNames: 'free',
        httpGateway: obj({ virtualServices: list(REF), virtualServiceSelector: 'stringMap', virtualServiceNamespaces: 'strings' }),
      }),
    ),
  ],
  [
    'Upstream',
    top(
      obj({
        kube: obj({ serviceName: 'string', serviceNamespace: 'string', servicePort: 'integer', serviceSpec: SERVICE_SPEC }),
        static: obj({ hosts: list(obj({ addr: 'string', port: 'integer' })), useTls: 'boolean', serviceSpec: SERVICE_SPEC }),
        aws: obj({ region: 'string', secretRef: REF, lambdaFunctions: list(obj({ logicalName: 'string', lambdaFunctionName: 'string', qualifier: 'string' })), endpoint: 'string' }),
        useHttp2: 'boolean',
        circuitBreakers: obj({ maxConnections: 'integer', maxPendingRequests: 'integer', maxRequests: 'integer' }),
        outlierDetection: obj({
          consecutive5xx: 'integer',
          consecutiveGatewayFailure: 'integer',
          enforcingConsecutive5xx: 'integer',
          enforcingConsecutiveGatewayFailure: 'integer',
          baseEjectionTime: 'string',
          maxEjectionPercent: 'integer',
        }),
        healthChecks: list(
          obj({
            timeout: 'string',
            interval: 'string',
            healthyThreshold: 'integer',
            unhealthyThreshold: 'integer',
            httpHealthCheck: obj({ path: 'string', host: 'string', expectedStatuses: list(obj({ start: 'integer', end: 'integer' })) }),
          }),
        ),
      }),
    ),
  ],
  ['UpstreamGroup', top(obj({ destinations: list(WEIGHTED) }))],
]);

export interface UnsupportedField {
  /** `spec.virtualHost.options.waf` */
  readonly path: string;
  readonly message: string;
}

/** Every field of `doc` (a Gloo document of `kind`) that Sluice does not serve. */
export function unsupportedFields(doc: unknown, kind: string): UnsupportedField[] {
  const shape = GLOO_SHAPES.get(kind);
  const out: UnsupportedField[] = [];
  if (shape !== undefined) walk(doc, shape, '', out);
  return out;
}

function walk(value: unknown, shape: Shape, path: string, out: UnsupportedField[]): void {
  if (typeof shape === 'string') return;
  if (shape.type === 'list') {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, shape.item, index(path, i), out));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const at = field(path, key);
    const known = shape.values ?? (Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined);
    if (known !== undefined) {
      walk(child, known, at, out);
      continue;
    }
    const near = nearest(key, Object.keys(shape.fields));
    out.push({ path: at, message: `not supported by Sluice, ignored${near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`}` });
  }
}
