// The routing contract: one configuration and one table of requests with the outcome each must
// have, whoever serves it. frontends.test.ts runs the table against every front end of
// `sluice serve`; xds.test.ts runs it through an evaluator of Envoy's route matching over the xDS
// resources Sluice builds. A case that shows a real disagreement stays in the table, marked `todo`
// for the implementations that disagree, with what differs. Expected outcomes are the README's;
// where it is silent (a header sent twice), Envoy's, which Kourier, Knative's own ingress, runs on.
import { backend, ingress } from '../support/config.ts';

/** Every implementation the table runs against. */
export type Implementation = 'h1' | 'h1-node' | 'h2c' | 'h2-tls' | 'h1-tls' | 'h1-tls-node' | 'ws' | 'xds';
/** The data planes Sluice serves itself (a todo for all of them: `Object.fromEntries(DATA_PLANE.map(...))`). */
export const DATA_PLANE: readonly Implementation[] = ['h1', 'h1-node', 'h2c', 'h2-tls', 'h1-tls', 'h1-tls-node', 'ws'];

/** The echo upstreams; each answers with what it received. */
export const UPSTREAMS = ['v1', 'v2', 'tag', 'canary', 'api', 'local', 'rewrite'] as const;
export type UpstreamName = (typeof UPSTREAMS)[number];

/** Where the upstreams listen, and a port nothing listens on (connection refused). */
export type ContractPorts = Record<UpstreamName, number> & { refused: number };

export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

/** Certificates: `*.example.com` and `secure.example.com` (the exact one must win for its host). */
export interface ContractCerts {
  readonly wildcard: PemPair;
  readonly secure: PemPair;
}
export const CERT_NAMES = { wildcard: ['*.example.com'], secure: ['secure.example.com'] } as const;

/** Stands for the Knative hash of an ingress (`namespace/name`) in expected header values. */
export const hashOf = (ingressKey: string) => `$hash:${ingressKey}`;

export interface Expect {
  readonly status: number;
  /** the upstream that answered; a list: over `repeat` requests each of them answers, and no other */
  readonly upstream?: UpstreamName | readonly UpstreamName[];
  /** path and query the upstream received */
  readonly upstreamPath?: string;
  /** headers the upstream received (lower-case names; null: absent) */
  readonly upstreamHeaders?: Readonly<Record<string, string | null>>;
  /** for splits: headers the upstream received, by which upstream was picked */
  readonly upstreamHeadersBy?: Readonly<Partial<Record<UpstreamName, Readonly<Record<string, string>>>>>;
  readonly location?: string;
  /** response headers (see hashOf) */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /** TLS only: the first DNS name of the certificate served; null: the handshake fails */
  readonly certificate?: string | null;
  /** the response body, when the gateway answers itself */
  readonly body?: string;
  /** the answer came no sooner than this many ms after the request (a fault delay) */
  readonly heldMs?: number;
}

export interface ContractCase {
  readonly name: string;
  /** default `external` (--http, --https); `local` is --local, plain only */
  readonly listener?: 'external' | 'local';
  /** only over this scheme; default both */
  readonly scheme?: 'http' | 'https';
  /** `Host` / `:authority` as sent; over TLS the SNI too (less any port) */
  readonly host: string;
  /** request target as sent; default `/` */
  readonly path?: string;
  /** request headers; a list is sent as that many header lines (HTTP/2: that many fields) */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** requests to send (splits); default 1 */
  readonly repeat?: number;
  /** false: served with `--no-normalize-path` (Envoy: normalize_path and merge_slashes off) */
  readonly normalize?: false;
  /** only these implementations (a target only HTTP/1.1 can send) */
  readonly only?: readonly Implementation[];
  /** false: not run as a WebSocket upgrade (meaningless there) */
  readonly upgrade?: boolean;
  readonly expect: Expect;
  /** implementations that disagree today, with what differs */
  readonly todo?: Partial<Record<Implementation, string>>;
}

// --- the configuration ---------------------------------------------------------------------

function secret(name: string, pair: PemPair): object {
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace: 'default' }, stringData: { 'tls.crt': pair.cert, 'tls.key': pair.key } };
}

/** The documents every implementation serves (file mode YAML, or the translator's input). */
export function contractConfig(ports: ContractPorts, certs: ContractCerts): object[] {
  const backends = UPSTREAMS.flatMap((name) => backend(`svc-${name}`, [{ ip: '127.0.0.1', port: ports[name] }]));
  return [
    ...backends,
    ...backend('svc-refused', [{ ip: '127.0.0.1', port: ports.refused }]),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-empty', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    secret('wildcard', certs.wildcard),
    secret('secure', certs.secure),
    ingress('hello', [
      {
        hosts: ['hello.example.com'],
        paths: [
          { path: '/api', appendHeaders: { 'X-Path-Level': 'api' }, splits: [{ service: 'svc-api' }] },
          { headers: { 'Knative-Serving-Tag': 'blue' }, splits: [{ service: 'svc-tag', appendHeaders: { 'Knative-Serving-Tag': 'blue' } }] },
          { headers: { 'X-Canary': '' }, splits: [{ service: 'svc-canary' }] },
          {
            path: '/',
            appendHeaders: { 'X-Path-Level': 'root', 'X-Both': 'path' },
            splits: [
              { service: 'svc-v1', percent: 100, appendHeaders: { 'Knative-Serving-Revision': 'v1', 'X-Both': 'split' } },
              { service: 'svc-v2', percent: 0, appendHeaders: { 'Knative-Serving-Revision': 'v2', 'X-Both': 'split' } },
            ],
          },
        ],
      },
      { hosts: ['hello.default.svc.cluster.local'], visibility: 'ClusterLocal', paths: [{ splits: [{ service: 'svc-v1' }] }] },
    ], { tls: [{ hosts: ['*.example.com'], secretName: 'wildcard' }] }),
    ingress('split', [
      {
        hosts: ['split.example.com'],
        paths: [{
          splits: [
            { service: 'svc-v1', percent: 50, appendHeaders: { 'Knative-Serving-Revision': 'v1' } },
            { service: 'svc-v2', percent: 50, appendHeaders: { 'Knative-Serving-Revision': 'v2' } },
          ],
        }],
      },
    ]),
    ingress('misc', [
      {
        hosts: ['misc.example.com'],
        paths: [
          { path: '/rewrite', rewriteHost: 'rewritten.internal', splits: [{ service: 'svc-rewrite' }] },
          { path: '/refused', splits: [{ service: 'svc-refused' }] },
          { path: '/host-edit', appendHeaders: { Host: 'edited.internal', 'X-Percent': '100% %REQ(x)%' }, splits: [{ service: 'svc-rewrite' }] },
          { path: '/empty', splits: [{ service: 'svc-empty' }] },
        ],
      },
    ]),
    ingress('secure', [{ hosts: ['secure.example.com'], paths: [{ path: '/', splits: [{ service: 'svc-v1' }] }] }], {
      httpOption: 'Redirected',
      tls: [{ hosts: ['secure.example.com'], secretName: 'secure' }],
    }),
    ingress('private', [{ hosts: ['private.default.svc.cluster.local'], visibility: 'ClusterLocal', paths: [{ splits: [{ service: 'svc-local' }] }] }]),
  ];
}

// --- the table -----------------------------------------------------------------------------

const HELLO = 'hello.example.com';
const ROOT = { 'x-path-level': 'root', 'x-both': 'split', 'knative-serving-revision': 'v1' } as const;

export const CASES: readonly ContractCase[] = [
  // Hosts
  { name: 'a host routes to its ingress, with path and split headers set', host: HELLO, expect: { status: 200, upstream: 'v1', upstreamPath: '/', upstreamHeaders: { ...ROOT, host: HELLO } } },
  { name: 'hosts match case-insensitively', host: 'HELLO.Example.COM', expect: { status: 200, upstream: 'v1' } },
  {
    name: 'a port in Host is ignored for matching and sent upstream as sent',
    host: `${HELLO}:8080`,
    expect: { status: 200, upstream: 'v1', upstreamHeaders: { host: `${HELLO}:8080` } },
  },
  { name: 'an unknown host is 404', host: 'nobody.example.com', expect: { status: 404 } },
  {
    name: 'a fully qualified host (trailing dot) is its host',
    host: 'hello.example.com.',
    scheme: 'http',
    expect: { status: 200, upstream: 'v1' },
  },
  { name: 'external hosts are served on the cluster-local listener too', listener: 'local', host: HELLO, expect: { status: 200, upstream: 'v1' } },

  // Short .svc hosts and visibility
  { name: 'a cluster-local rule serves its full .svc.cluster.local host on --local', listener: 'local', host: 'hello.default.svc.cluster.local', expect: { status: 200, upstream: 'v1', upstreamHeaders: { 'x-path-level': null } } },
  { name: 'a cluster-local rule serves the short name.ns.svc host', listener: 'local', host: 'hello.default.svc', expect: { status: 200, upstream: 'v1' } },
  { name: 'a cluster-local rule serves the short name.ns host', listener: 'local', host: 'hello.default', expect: { status: 200, upstream: 'v1', upstreamHeaders: { host: 'hello.default' } } },
  { name: 'a ClusterLocal ingress is served on --local', listener: 'local', host: 'private.default.svc.cluster.local', expect: { status: 200, upstream: 'local' } },
  { name: 'a ClusterLocal ingress is not served on the external listeners', host: 'private.default.svc.cluster.local', scheme: 'http', expect: { status: 404 } },
  { name: 'a ClusterLocal rule of an ingress with external rules is not served externally', host: 'hello.default.svc', scheme: 'http', expect: { status: 404 } },

  // Paths
  { name: 'paths are tried in order: the /api path wins', host: HELLO, path: '/api/users', expect: { status: 200, upstream: 'api', upstreamPath: '/api/users', upstreamHeaders: { 'x-path-level': 'api' } } },
  { name: 'a path is a literal string prefix', host: HELLO, path: '/apiary', expect: { status: 200, upstream: 'api', upstreamPath: '/apiary' } },
  { name: 'the query passes untouched', host: HELLO, path: '/api/x?b=2&a=%2F&c=/../', expect: { status: 200, upstream: 'api', upstreamPath: '/api/x?b=2&a=%2F&c=/../' } },
  { name: 'dot-segments are removed before matching and forwarding', host: HELLO, path: '/static/../api/x', expect: { status: 200, upstream: 'api', upstreamPath: '/api/x' } },
  { name: 'percent-encoded dot-segments are removed too', host: HELLO, path: '/static/%2e%2E/api/x', expect: { status: 200, upstream: 'api', upstreamPath: '/api/x' } },
  { name: 'runs of slashes are merged', host: HELLO, path: '//api//x', expect: { status: 200, upstream: 'api', upstreamPath: '/api/x' } },
  { name: 'percent-encoded unreserved characters are decoded', host: HELLO, path: '/%61pi/x', expect: { status: 200, upstream: 'api', upstreamPath: '/api/x' } },
  { name: 'other percent-encodings are forwarded as sent (no case normalisation, as Envoy)', host: HELLO, path: '/api%2fx', expect: { status: 200, upstream: 'api', upstreamPath: '/api%2fx' } },
  { name: 'paths match case-sensitively', host: HELLO, path: '/API/x', expect: { status: 200, upstream: 'v1', upstreamPath: '/API/x' } },
  { name: 'a ; in a segment is part of it (dot-segments still removed)', host: HELLO, path: '/api;x=1/../y', expect: { status: 200, upstream: 'v1', upstreamPath: '/y' } },
  { name: 'escapes in the query are left alone', host: HELLO, path: '/api?%2e%2e=%61', expect: { status: 200, upstream: 'api', upstreamPath: '/api?%2e%2e=%61' } },
  { name: 'an encoded backslash is no separator', host: HELLO, path: '/static/..%5Capi', expect: { status: 200, upstream: 'v1', upstreamPath: '/static/..%5Capi' } },
  { name: 'a trailing .. removes the last segment and leaves a slash', host: HELLO, path: '/api/..', expect: { status: 200, upstream: 'v1', upstreamPath: '/' } },
  { name: 'a trailing . segment leaves a slash', host: HELLO, path: '/api/x/.', expect: { status: 200, upstream: 'api', upstreamPath: '/api/x/' } },
  { name: 'a #fragment in the target is refused with 400, as Envoy does', host: HELLO, path: '/api/x#frag', expect: { status: 400 } },
  { name: 'an encoded slash stays encoded', host: HELLO, path: '/api%2Fx', expect: { status: 200, upstream: 'api', upstreamPath: '/api%2Fx' } },
  { name: '.. never climbs above the root', host: HELLO, path: '/../../api', expect: { status: 200, upstream: 'api', upstreamPath: '/api' } },
  { name: '--no-normalize-path routes and forwards dot-segments as sent', normalize: false, host: HELLO, path: '/static/../api/x', expect: { status: 200, upstream: 'v1', upstreamPath: '/static/../api/x' } },
  { name: '--no-normalize-path leaves runs of slashes and escapes alone', normalize: false, host: HELLO, path: '//api//x/%61', expect: { status: 200, upstream: 'v1', upstreamPath: '//api//x/%61' } },
  { name: '--no-normalize-path still matches a prefix as sent', normalize: false, host: HELLO, path: '/api/../x', expect: { status: 200, upstream: 'api', upstreamPath: '/api/../x' } },
  {
    name: 'an absolute-form target is routed by its own host, which is the Host sent upstream',
    host: 'misc.example.com',
    path: 'http://hello.example.com/api/x?q=1',
    only: ['h1', 'h1-node', 'h1-tls', 'h1-tls-node', 'ws', 'xds'],
    expect: { status: 200, upstream: 'api', upstreamPath: '/api/x?q=1', upstreamHeaders: { host: 'hello.example.com' } },
  },
  { name: 'a path no route matches is 404', host: 'misc.example.com', path: '/nothing', expect: { status: 404 } },

  // Header matches
  { name: 'an exact header match picks its route and sets its headers', host: HELLO, headers: { 'Knative-Serving-Tag': 'blue' }, expect: { status: 200, upstream: 'tag', upstreamHeaders: { 'knative-serving-tag': 'blue', 'x-path-level': null } } },
  { name: 'header values match case-sensitively', host: HELLO, headers: { 'Knative-Serving-Tag': 'BLUE' }, expect: { status: 200, upstream: 'v1' } },
  { name: 'header names match case-insensitively', host: HELLO, headers: { 'knative-serving-tag': 'blue' }, expect: { status: 200, upstream: 'tag' } },
  { name: 'exact "" matches a header that is present', host: HELLO, headers: { 'X-Canary': 'anything' }, expect: { status: 200, upstream: 'canary', upstreamHeaders: { 'x-canary': 'anything' } } },
  { name: 'exact "" matches a header present with an empty value', host: HELLO, headers: { 'X-Canary': '' }, expect: { status: 200, upstream: 'canary' } },
  {
    name: 'a header sent twice is matched as its values joined by ","',
    host: HELLO,
    headers: { 'Knative-Serving-Tag': ['blue', 'blue'] },
    expect: { status: 200, upstream: 'v1' },
  },
  { name: 'a header set by the route replaces every value the client sent', host: HELLO, headers: { 'X-Path-Level': ['a', 'b'] }, expect: { status: 200, upstream: 'v1', upstreamHeaders: { 'x-path-level': 'root' } } },
  { name: 'a path route listed first wins over a header route', host: HELLO, path: '/api', headers: { 'Knative-Serving-Tag': 'blue' }, expect: { status: 200, upstream: 'api' } },

  // Splits
  { name: 'a 100/0 split always picks the 100% side', host: HELLO, repeat: 20, expect: { status: 200, upstream: ['v1'], upstreamHeaders: { 'knative-serving-revision': 'v1' } } },
  {
    name: 'a 50/50 split reaches both sides, each with its own headers',
    host: 'split.example.com',
    repeat: 40,
    expect: { status: 200, upstream: ['v1', 'v2'], upstreamHeadersBy: { v1: { 'knative-serving-revision': 'v1' }, v2: { 'knative-serving-revision': 'v2' } } },
  },

  // Header edits and host rewrites
  { name: 'path appendHeaders replace what the client sent', host: HELLO, headers: { 'X-Path-Level': 'client', 'Knative-Serving-Revision': 'client' }, expect: { status: 200, upstream: 'v1', upstreamHeaders: ROOT } },
  { name: 'appendHeaders may set Host, and values are sent literally (no % formatting)', host: 'misc.example.com', path: '/host-edit', headers: { x: 'client' }, expect: { status: 200, upstream: 'rewrite', upstreamHeaders: { host: 'edited.internal', 'x-percent': '100% %REQ(x)%' } } },
  { name: 'X-Forwarded-Proto is set to http, whatever the client sent', host: HELLO, scheme: 'http', headers: { 'X-Forwarded-Proto': 'https' }, expect: { status: 200, upstream: 'v1', upstreamHeaders: { 'x-forwarded-proto': 'http' } } },
  { name: 'X-Forwarded-Proto is set to https over TLS, whatever the client sent', host: HELLO, scheme: 'https', headers: { 'X-Forwarded-Proto': 'http' }, expect: { status: 200, upstream: 'v1', upstreamHeaders: { 'x-forwarded-proto': 'https' } } },
  { name: 'rewriteHost replaces the Host sent upstream', host: 'misc.example.com', path: '/rewrite/x', expect: { status: 200, upstream: 'rewrite', upstreamPath: '/rewrite/x', upstreamHeaders: { host: 'rewritten.internal' } } },

  // Redirects
  { name: 'a Redirected ingress answers plain HTTP with 301 to https', host: 'secure.example.com', scheme: 'http', path: '/a/../b?q=1', expect: { status: 301, location: 'https://secure.example.com/b?q=1' } },
  { name: 'the redirect names the normalised path and keeps the query as sent', host: 'secure.example.com:80', scheme: 'http', path: '//a/./b?x=/../', expect: { status: 301, location: 'https://secure.example.com/a/b?x=/../' } },
  { name: 'the redirect drops :80', host: 'secure.example.com:80', scheme: 'http', path: '/x', expect: { status: 301, location: 'https://secure.example.com/x' } },
  {
    name: 'the redirect keeps another port',
    host: 'secure.example.com:8080',
    scheme: 'http',
    path: '/x',
    expect: { status: 301, location: 'https://secure.example.com:8080/x' },
  },
  { name: 'a Redirected ingress redirects on --local too', listener: 'local', host: 'secure.example.com', path: '/x', expect: { status: 301, location: 'https://secure.example.com/x' } },
  { name: 'a Redirected ingress is served over TLS', host: 'secure.example.com', scheme: 'https', path: '/x', expect: { status: 200, upstream: 'v1', upstreamPath: '/x' } },
  { name: 'a probe of a Redirected ingress is answered, not redirected', host: 'secure.example.com', scheme: 'http', headers: { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'abc' }, expect: { status: 200, responseHeaders: { 'k-network-hash': 'abc' } } },

  // Knative probes
  { name: 'a probe with hash override is answered with the ingress hash', host: HELLO, headers: { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'override' }, expect: { status: 200, responseHeaders: { 'k-network-hash': hashOf('default/hello') } } },
  { name: 'a probe echoes the hash it was sent', host: HELLO, path: '/healthz', headers: { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'abc123' }, expect: { status: 200, responseHeaders: { 'k-network-hash': 'abc123' } } },
  { name: 'a probe on the cluster-local listener answers for its ingress', listener: 'local', host: 'private.default.svc', headers: { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'override' }, expect: { status: 200, responseHeaders: { 'k-network-hash': hashOf('default/private') } } },
  { name: 'a probe is answered whatever the path', host: 'misc.example.com', path: '/nothing', headers: { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'x' }, expect: { status: 200, responseHeaders: { 'k-network-hash': 'x' } } },
  {
    name: 'K-Network-Probe sent twice is no probe',
    host: HELLO,
    headers: { 'K-Network-Probe': ['probe', 'probe'], 'K-Network-Hash': 'x' },
    expect: { status: 200, upstream: 'v1' },
  },
  { name: 'a probe without K-Network-Hash is 400', host: HELLO, headers: { 'K-Network-Probe': 'probe' }, expect: { status: 400 } },
  { name: 'a probe with an empty K-Network-Hash is 400', host: HELLO, headers: { 'K-Network-Probe': 'probe', 'K-Network-Hash': '' }, expect: { status: 400 } },
  { name: 'a probe for an unknown host is 404', host: 'nobody.example.com', headers: { 'K-Network-Probe': 'probe', 'K-Network-Hash': 'override' }, expect: { status: 404 } },
  { name: 'another K-Network-Probe value is routed as usual', host: HELLO, headers: { 'K-Network-Probe': 'queue', 'K-Network-Hash': 'override' }, expect: { status: 200, upstream: 'v1' } },

  // Failures
  { name: 'a Service with no endpoints is 503', host: 'misc.example.com', path: '/empty', expect: { status: 503 } },
  { name: 'a refused connection is 503', host: 'misc.example.com', path: '/refused', expect: { status: 503 } },

  // TLS: the certificate by SNI
  { name: 'SNI picks the exact certificate over a wildcard', host: 'secure.example.com', scheme: 'https', upgrade: false, expect: { status: 200, certificate: 'secure.example.com' } },
  { name: 'SNI falls back to the wildcard certificate one level up', host: HELLO, scheme: 'https', upgrade: false, expect: { status: 200, upstream: 'v1', certificate: '*.example.com' } },
  {
    name: 'SNI two levels below a wildcard gets no certificate',
    host: 'a.b.example.com',
    scheme: 'https',
    upgrade: false,
    expect: { status: 0, certificate: null },
    todo: { xds: 'Envoy matches server_names "*.example.com" for any depth (a.b.example.com gets the wildcard chain, then 404); the data plane, as TLS wildcards do, only one level up' },
  },
];
