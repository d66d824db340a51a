// The field names of the Gateway API kinds (v1.6.1, experimental channel, which includes the
// standard channel's) and of v1 Namespace, for known-fields.ts: every field the CRDs define, not
// only those Sluice reads, so a manifest written for another implementation passes.
/** The known fields of an object: a nested shape, or 0 for a value not looked into. */
type Shape = { readonly [name: string]: Shape | 0 };
const free = (...names: string[]): Shape => Object.fromEntries(names.map((n) => [n, 0]));

const LABEL_SELECTOR: Shape = { matchLabels: 0, matchExpressions: free('key', 'operator', 'values') };
const OBJECT_REF = free('group', 'kind', 'name', 'namespace');
const PARENT_REF = free('group', 'kind', 'namespace', 'name', 'sectionName', 'port');

const GATEWAY_CLASS: Shape = { spec: { ...free('controllerName', 'description'), parametersRef: free('group', 'kind', 'name', 'namespace') } };

const TLS_CONFIG: Shape = { validation: { caCertificateRefs: OBJECT_REF, mode: 0 } };
const GATEWAY: Shape = {
  spec: {
    gatewayClassName: 0,
    listeners: {
      ...free('name', 'hostname', 'port', 'protocol'),
      tls: { ...free('mode', 'options'), certificateRefs: OBJECT_REF },
      allowedRoutes: { namespaces: { from: 0, selector: LABEL_SELECTOR }, kinds: free('group', 'kind') },
    },
    addresses: free('type', 'value'),
    infrastructure: { ...free('labels', 'annotations'), parametersRef: free('group', 'kind', 'name') },
    allowedListeners: { namespaces: { from: 0, selector: LABEL_SELECTOR } },
    tls: {
      backend: { clientCertificateRef: OBJECT_REF },
      frontend: { default: TLS_CONFIG, perPort: { port: 0, tls: TLS_CONFIG } },
    },
    defaultScope: 0,
  },
};

const HEADER_FILTER: Shape = { set: free('name', 'value'), add: free('name', 'value'), remove: 0 };
const PATH_MODIFIER = free('type', 'replaceFullPath', 'replacePrefixMatch');
const MIRROR: Shape = { backendRef: free('group', 'kind', 'name', 'namespace', 'port'), percent: 0, fraction: free('numerator', 'denominator') };
const HTTP_FILTER: Shape = {
  type: 0,
  requestHeaderModifier: HEADER_FILTER,
  responseHeaderModifier: HEADER_FILTER,
  requestMirror: MIRROR,
  requestRedirect: { ...free('scheme', 'hostname', 'port', 'statusCode'), path: PATH_MODIFIER },
  urlRewrite: { hostname: 0, path: PATH_MODIFIER },
  cors: free('allowOrigins', 'allowCredentials', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge'),
  // ExternalAuth is experimental and not served (the translator says so in the route's status).
  externalAuth: 0,
  extensionRef: free('group', 'kind', 'name'),
};
const SESSION_PERSISTENCE: Shape = { ...free('sessionName', 'absoluteTimeout', 'idleTimeout', 'type'), cookieConfig: free('lifetimeType') };
const MATCH_VALUE = free('type', 'name', 'value');
const HTTP_ROUTE: Shape = {
  spec: {
    parentRefs: PARENT_REF,
    hostnames: 0,
    rules: {
      name: 0,
      matches: { path: free('type', 'value'), headers: MATCH_VALUE, queryParams: MATCH_VALUE, method: 0 },
      filters: HTTP_FILTER,
      backendRefs: { ...free('group', 'kind', 'name', 'namespace', 'port', 'weight'), filters: HTTP_FILTER },
      timeouts: free('request', 'backendRequest'),
      retry: free('codes', 'attempts', 'backoff'),
      sessionPersistence: SESSION_PERSISTENCE,
    },
  },
};

const GRPC_FILTER: Shape = {
  type: 0,
  requestHeaderModifier: HEADER_FILTER,
  responseHeaderModifier: HEADER_FILTER,
  requestMirror: MIRROR,
  extensionRef: free('group', 'kind', 'name'),
};
const GRPC_ROUTE: Shape = {
  spec: {
    parentRefs: PARENT_REF,
    hostnames: 0,
    rules: {
      name: 0,
      matches: { method: free('type', 'service', 'method'), headers: MATCH_VALUE },
      filters: GRPC_FILTER,
      backendRefs: { ...free('group', 'kind', 'name', 'namespace', 'port', 'weight'), filters: GRPC_FILTER },
      sessionPersistence: SESSION_PERSISTENCE,
    },
  },
};

const REFERENCE_GRANT: Shape = { spec: { from: free('group', 'kind', 'namespace'), to: free('group', 'kind', 'name') } };
const NAMESPACE: Shape = { spec: free('finalizers') };

/** The bodies (besides apiVersion, kind, metadata, status) of each kind, by kind name. */
export const GATEWAY_API_SHAPES: ReadonlyArray<readonly [string, Shape]> = [
  ['GatewayClass', GATEWAY_CLASS],
  ['Gateway', GATEWAY],
  ['HTTPRoute', HTTP_ROUTE],
  ['GRPCRoute', GRPC_ROUTE],
  ['ReferenceGrant', REFERENCE_GRANT],
  ['Namespace', NAMESPACE],
];
