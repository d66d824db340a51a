// The routing contract for what only the snapshot IR can say until a config API writes it (the
// Gloo translator will): direct responses, injected faults and automatic host rewrites. The
// configuration is a hand-built set of virtual hosts served on one Gateway API port, plain and
// TLS; ir-frontends.test.ts runs the table on every front end, ir-xds.test.ts through the
// evaluator of Envoy's routing. Same case shape and outcome check as the Knative table (cases.ts).
import type { Cluster, Route, RouteFilter, VirtualHost } from '../../src/snapshot/types.ts';
import type { ContractCase } from './cases.ts';

/** The echo upstreams this table routes to. */
export const IR_UPSTREAMS = ['v1', 'v2'] as const;
export type IrUpstream = (typeof IR_UPSTREAMS)[number];

export const IR_HOST = 'gloo.example.com';
/** The certificate's names (the TLS port serves `*.example.com`). */
export const IR_CERT_NAMES = ['*.example.com'] as const;

const INGRESS = 'VirtualService gloo/web';
const clusterOf = (u: IrUpstream) => `gloo/${u}:80`;

function route(path: string, filters: RouteFilter[], extra: Partial<Route> = {}): Route {
  return { ingress: INGRESS, path: { type: 'segment-prefix', value: path }, headers: [], query: [], filters, splits: [{ cluster: clusterOf('v1'), weight: 1, filters: [] }], ...extra };
}

/** The clusters, each with one endpoint on 127.0.0.1, and v2 by name too (a `dns` cluster: `localhost`). */
export function irClusters(ports: Record<IrUpstream, number>): Cluster[] {
  const byIp = IR_UPSTREAMS.map((u): Cluster => ({ name: clusterOf(u), protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: ports[u] }] }));
  return [...byIp, { name: DNS_CLUSTER, protocol: 'http1', type: 'dns', endpoints: [{ address: 'localhost', port: ports.v2 }] }];
}
const DNS_CLUSTER = 'gloo/v2-by-name:80';

/** The one virtual host of the port named `portName`. */
export function irVirtualHost(portName: string): VirtualHost {
  const routes: Route[] = [
    route('/direct/body', [{ type: 'direct-response', status: 200, body: 'hello from the route' }], { splits: [] }),
    route('/direct/empty', [{ type: 'direct-response', status: 204 }], { splits: [] }),
    route('/direct/edited', [{ type: 'direct-response', status: 403, body: 'no' }, { type: 'response-headers', edits: { set: [['x-route', 'edited']], add: [], remove: [] } }], { splits: [] }),
    route('/direct/split', [], { splits: [{ cluster: clusterOf('v2'), weight: 1, filters: [{ type: 'direct-response', status: 503, body: 'down for maintenance' }] }] }),
    route('/direct/bad', [{ type: 'direct-response', status: 99, body: 'never' }], { splits: [] }),
    route('/fault/abort', [{ type: 'fault', abort: { percent: 100, status: 503 } }]),
    route('/fault/never', [{ type: 'fault', abort: { percent: 0, status: 503 }, delay: { percent: 0, ms: 5000 } }]),
    route('/fault/delay', [{ type: 'fault', delay: { percent: 100, ms: 150 } }]),
    route('/fault/delay-abort', [{ type: 'fault', delay: { percent: 100, ms: 100 }, abort: { percent: 100, status: 429 } }]),
    route('/fault/bounded', [{ type: 'fault', delay: { percent: 100, ms: 10_000 } }], { timeout: { request: 200 } }),
    route('/auto/ip', [{ type: 'url-rewrite', hostname: 'literal.internal' }, { type: 'url-rewrite', autoHostname: true }]),
    route('/auto/dns', [{ type: 'url-rewrite', autoHostname: true }], { splits: [{ cluster: DNS_CLUSTER, weight: 1, filters: [] }] }),
    route('/auto/backend', [], { splits: [{ cluster: clusterOf('v2'), weight: 1, filters: [{ type: 'url-rewrite', autoHostname: true }] }] }),
    route('/fault/split', [{ type: 'fault', abort: { percent: 100, status: 503 } }], { splits: [{ cluster: clusterOf('v2'), weight: 1, filters: [{ type: 'fault', abort: { percent: 0, status: 500 } }] }] }),
  ];
  return { name: `${portName}/${IR_HOST}`, domains: [IR_HOST], ingress: INGRESS, httpOption: 'Enabled', routes };
}

const DIRECT = { host: IR_HOST } as const;
const FAULT = { host: IR_HOST } as const;
const ABORTED = 'fault filter abort';

export const IR_CASES: readonly ContractCase[] = [
  // Direct responses (Gloo directResponseAction)
  { ...DIRECT, name: 'a direct response answers with its status and body, as text/plain', path: '/direct/body', expect: { status: 200, body: 'hello from the route', responseHeaders: { 'content-type': 'text/plain' } } },
  { ...DIRECT, name: 'a direct response may have no body', path: '/direct/empty/x', expect: { status: 204, body: '' } },
  { ...DIRECT, name: "a direct response carries the route's response header edits", path: '/direct/edited', expect: { status: 403, body: 'no', responseHeaders: { 'x-route': 'edited' } } },
  { ...DIRECT, name: "a route's one backend's direct response answers for it", path: '/direct/split', expect: { status: 503, body: 'down for maintenance' } },
  { ...DIRECT, name: 'a direct response with a status outside 200..599 answers 500', path: '/direct/bad', expect: { status: 500 } },

  // Faults (Gloo faults, Envoy's fault filter)
  { ...FAULT, name: 'a fault abort at 100% answers its status with Envoy\'s body', path: '/fault/abort', expect: { status: 503, body: ABORTED, responseHeaders: { 'content-type': 'text/plain' } } },
  {
    ...FAULT,
    name: 'a fault abort answers a gRPC request with the mapped grpc-status',
    path: '/fault/abort',
    headers: { 'content-type': 'application/grpc' },
    only: ['h2c', 'h2-tls', 'xds'],
    expect: { status: 200, responseHeaders: { 'grpc-status': '14' } },
  },
  { ...FAULT, name: 'faults at 0% never fire', path: '/fault/never', repeat: 3, expect: { status: 200, upstream: 'v1' } },
  { ...FAULT, name: 'a fault delay at 100% holds the request, then forwards it', path: '/fault/delay', expect: { status: 200, upstream: 'v1', heldMs: 150 } },
  { ...FAULT, name: 'a fault delays first, then aborts', path: '/fault/delay-abort', expect: { status: 429, body: ABORTED, heldMs: 100 } },
  {
    ...FAULT,
    name: "the route's request timeout cuts a fault delay short with 504",
    path: '/fault/bounded',
    expect: { status: 504 },
    todo: { xds: "Envoy's route timeout starts when its router gets the request, after the fault filter's delay (the 10 s delay passes, then 200)" },
  },
  { ...FAULT, name: "a backend's fault replaces the route's", path: '/fault/split', expect: { status: 200, upstream: 'v2' } },

  // Automatic host rewrites (Gloo autoHostRewrite, Envoy auto_host_rewrite)
  { host: `${IR_HOST}:8080`, name: "autoHostname sends the chosen endpoint's address as Host, after an earlier literal", path: '/auto/ip', expect: { status: 200, upstream: 'v1', upstreamHeaders: { host: '127.0.0.1' } } },
  { host: IR_HOST, name: "autoHostname sends a dns cluster's endpoint name as Host", path: '/auto/dns', expect: { status: 200, upstream: 'v2', upstreamHeaders: { host: 'localhost' } } },
  { host: IR_HOST, name: "a route's one backend's autoHostname rewrites its Host", path: '/auto/backend', expect: { status: 200, upstream: 'v2', upstreamHeaders: { host: '127.0.0.1' } } },
];
