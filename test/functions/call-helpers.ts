// A data plane serving a hand-built snapshot whose routes call functions: one plain Gateway port
// (HTTP/1.1 fast path or node:http, and h2c) with a route `/fn/<binding>` for each binding and
// `/plain` to an ordinary cluster. Stub handlers are registered by the tests themselves.
import type { FunctionBinding, FunctionCall } from '../../src/functions/types.ts';
import type { Cluster, Route, Snapshot, VirtualHost } from '../../src/snapshot/types.ts';
import { freePort, port, portName, startPorts, type PortsUnderTest } from '../proxy/gateway-ports-helpers.ts';

export const HOST = 'fn.example.com';

export interface FunctionPlane extends PortsUnderTest {
  /** `127.0.0.1:<port>` of the gateway port */
  readonly addr: string;
  /** publishes another snapshot with these bindings and clusters (same routes shape) */
  republish(bindings: readonly FunctionBinding[], clusters: readonly Cluster[]): Promise<void>;
}

export const rest = (fn = 'f'): FunctionCall => ({ type: 'rest', function: fn, template: { headers: [], body: { type: 'passthrough' } }, parameters: { headers: [] } });

export const binding = (name: string, call: FunctionCall, cluster?: string): FunctionBinding => (cluster === undefined ? { name, call } : { name, call, cluster });

function routeTo(path: string, split: Route['splits'][number], extra: Partial<Route> = {}): Route {
  return { ingress: 'HTTPRoute default/fn', path: { type: 'prefix', value: path }, headers: [], query: [], filters: [], splits: [split], ...extra };
}

/** Starts the plane; `plain` is the cluster `/plain` goes to; `routeExtra` is merged into every function route. */
export async function startFunctionPlane(opts: { fastPath?: boolean; bindings: readonly FunctionBinding[]; clusters: readonly Cluster[]; plain?: string; routeExtra?: Partial<Route> }): Promise<FunctionPlane> {
  const t = startPorts({ fastPath: opts.fastPath });
  const p = await freePort();
  let version = 0;
  const publish = async (bindings: readonly FunctionBinding[], clusters: readonly Cluster[]): Promise<void> => {
    const routes = bindings.map((b) => routeTo(`/fn/${b.name}`, { weight: 1, filters: [], function: b.name }, opts.routeExtra));
    if (opts.plain !== undefined) routes.push(routeTo('/plain', { cluster: opts.plain, weight: 1, filters: [] }));
    const vh: VirtualHost = { name: `${portName(p)}/${HOST}`, domains: [HOST], ingress: 'HTTPRoute default/fn', httpOption: 'Enabled', routes };
    version += 1;
    const snapshot: Snapshot = {
      version,
      hash: `h${version}`,
      listeners: { external: [], local: [] },
      ports: [port(p, 'HTTP', [vh])],
      clusters: [...clusters].sort((a, b) => a.name.localeCompare(b.name)),
      tls: [],
      ingresses: [],
      functions: [...bindings].sort((a, b) => a.name.localeCompare(b.name)),
    };
    t.feed.publish(snapshot, { snapshot, statuses: [], diagnostics: [] });
    await t.ports.settled();
  };
  try {
    await publish(opts.bindings, opts.clusters);
  } catch (err) {
    await t.stop();
    throw err;
  }
  return { ...t, addr: `127.0.0.1:${p}`, republish: publish };
}

/** A promise with its resolver, for handlers and tests to hand each other a moment. */
export function gate<T = void>(): { promise: Promise<T>; open: (v: T) => void } {
  let open!: (v: T) => void;
  const promise = new Promise<T>((r) => (open = r));
  return { promise, open };
}

/** Rejects after `ms`: every wait in these tests is bounded. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
