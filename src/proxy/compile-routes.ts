// Compiles one virtual host's routes for the router: header matchers as flat arrays, split
// pickers as cumulative percent tables, each split resolved to its Cluster object.
import type { Cluster, HeaderEdits, IngressInfo, Route, RouteFilter, Split, VirtualHost } from '../snapshot/types.ts';
import { NO_EDITS, concatEdits } from './headers.ts';
import type { CompiledRoute, CompiledSplit, HostEntry } from './router.ts';

/** The one thing compiling needs of a map: a Map, or a binary search over a sorted list. */
export interface Lookup<T> {
  get(key: string): T | undefined;
}

/**
 * The compiled entry for `vhost`. A new entry shares the compiled route list of any virtual host
 * with the same routes whose clusters are unchanged.
 */
export function entryFor(vhost: VirtualHost, ingresses: Lookup<IngressInfo>, clusters: Lookup<Cluster>): HostEntry {
  return { vhost, ingress: ingresses.get(vhost.ingress), routes: compileRoutes(vhost.routes, clusters) };
}

// The translator shares route lists (an ingress's public and cluster-local rules usually have the
// same paths) and split lists (its paths usually split the same way); compiled lists are shared the
// same way, as long as the clusters they resolved are still the ones in the snapshot. These caches
// are the only module state, and they cannot carry behaviour from one data plane to another: they
// are keyed by immutable snapshot lists and an entry is used only when every cluster it resolved is
// the very object the caller's own snapshot has under that name (`current`), so what a plane gets
// is exactly what compiling afresh from its own snapshot would give.
const compiledRoutes = new WeakMap<readonly Route[], readonly CompiledRoute[]>();
// Keyed by the split list and then the route's own header list: compiled splits carry both edits.
const compiledSplits = new WeakMap<readonly Split[], WeakMap<readonly RouteFilter[], readonly CompiledSplit[]>>();
const NO_HEADERS: readonly string[] = Object.freeze([]);

function current(splits: readonly CompiledSplit[], clusters: Lookup<Cluster>): boolean {
  for (const sp of splits) if (clusters.get(sp.cluster.name) !== sp.cluster) return false;
  return true;
}

function compileRoutes(routes: readonly Route[], clusters: Lookup<Cluster>): readonly CompiledRoute[] {
  let out = compiledRoutes.get(routes);
  if (out === undefined || !out.every((r) => current(r.splits, clusters))) {
    out = routes.map((r) => compileRoute(r, clusters));
    compiledRoutes.set(routes, out);
  }
  return out;
}

function requestEdits(filters: readonly RouteFilter[]): HeaderEdits {
  let edits = NO_EDITS;
  for (const f of filters) if (f.type === 'request-headers') edits = concatEdits(edits, f.edits);
  return edits;
}

function compileRoute(route: Route, clusters: Lookup<Cluster>): CompiledRoute {
  let byHeaders = compiledSplits.get(route.splits);
  if (byHeaders === undefined) compiledSplits.set(route.splits, (byHeaders = new WeakMap()));
  let splits = byHeaders.get(route.filters);
  if (splits === undefined || !current(splits, clusters)) {
    let acc = 0;
    const routeEdits = requestEdits(route.filters);
    splits = route.splits.map((s): CompiledSplit => {
      acc += s.weight;
      const name = s.cluster ?? '';
      const cluster = clusters.get(name) ?? { name, protocol: 'http1', type: 'static', endpoints: [] };
      return { cluster, upTo: acc, request: concatEdits(routeEdits, requestEdits(s.filters)), response: undefined };
    });
    byHeaders.set(route.filters, splits);
  }
  const rewrite = route.filters.find((f) => f.type === 'url-rewrite');
  return {
    route,
    pathPrefix: route.path.type === 'prefix' ? route.path.value : '\0',
    headerNames: route.headers.length === 0 ? NO_HEADERS : route.headers.map((h) => h.name),
    headerValues: route.headers.length === 0 ? NO_HEADERS : route.headers.map((h) => (h.match.type === 'exact' ? h.match.value : '')),
    splits,
    rewriteHost: rewrite?.hostname,
  };
}
