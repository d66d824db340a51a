// Hand-built routing snapshots for decide()/router tests: one external virtual host (or port
// listeners) with the routes given, every cluster named in them present with one endpoint.
import { decide, type Decision, type RequestFacts } from '../../src/proxy/decide.ts';
import { compileRouter, type Router } from '../../src/proxy/router.ts';
import type { Cluster, PortListener, Route, RouteFilter, Snapshot, Split, VirtualHost } from '../../src/snapshot/types.ts';

export const cluster = (name: string): Cluster => ({ name, protocol: 'http1', type: 'static', endpoints: [{ address: '127.0.0.1', port: 1 }] });

export const split = (c: string | undefined, weight = 1, filters: RouteFilter[] = []): Split => (c === undefined ? { weight, filters } : { cluster: c, weight, filters });

export function route(extra: Partial<Route> = {}): Route {
  return { ingress: 'HTTPRoute default/web', path: { type: 'prefix', value: '/' }, headers: [], query: [], filters: [], splits: [split('a')], ...extra };
}

export const vhost = (domains: string[], routes: Route[], name = domains[0] ?? 'vh'): VirtualHost => ({ name, domains, ingress: 'HTTPRoute default/web', httpOption: 'Enabled', routes });

export function snapshotOf(external: VirtualHost[], ports: PortListener[] = [], clusters = ['a', 'b', 'c', 'm']): Snapshot {
  return { version: 1, hash: 'x', listeners: { external, local: [] }, ports, clusters: clusters.map(cluster), tls: [], ingresses: [] };
}

/** A router serving `routes` on host `h.example.com` of the external listener. */
export function routerFor(...routes: Route[]): Router {
  return compileRouter(snapshotOf([vhost(['h.example.com'], routes)]));
}

export function ask(router: Router, facts: Partial<RequestFacts> & { url: string }, roll = 0): Decision {
  return decide(router, { listener: 'external', secure: false, method: 'GET', authority: 'h.example.com', raw: [], ...facts }, roll);
}

/** The cluster a decision forwards to, or its kind. */
export function target(d: Decision): string {
  return d.kind === 'forward' ? d.split.cluster.name : d.kind;
}
