// Compiles one virtual host's routes for the router: matchers (match.ts), split pickers as
// cumulative weight tables, each split resolved to its Cluster object, and every filter folded into
// the fields a decision reads (edits combined, rewrites and redirects compiled, mirrors resolved).
import type { Cluster, HeaderEdits, IngressInfo, Route, RouteFilter, Split, VirtualHost } from '../snapshot/types.ts';
import { compileCors } from './cors.ts';
import { compileDirectResponse, type DirectResponseFilter } from './direct-response.ts';
import { compileFault, type FaultFilter } from './fault.ts';
import { NO_EDITS, concatEdits, noEdits } from './headers.ts';
import type { ReportProblem } from './match.ts';
import { MatcherTable } from './router-matchers.ts';
import { type CompiledPathRewrite, type CompiledRedirect, compilePathRewrite, compileRedirect } from './rewrite.ts';
import type { CompiledRoute, CompiledSplit, HostEntry, Mirror } from './router.ts';
import { functionClusterName } from '../functions/calls.ts';

/** The one thing compiling needs of a map: a Map, or a binary search over a sorted list. */
export interface Lookup<T> {
  get(key: string): T | undefined;
}

/**
 * The compiled entry for `vhost`. A new entry shares the compiled route list of any virtual host
 * with the same routes whose clusters are unchanged.
 */
export function entryFor(vhost: VirtualHost, ingresses: Lookup<IngressInfo>, clusters: Lookup<Cluster>, report: ReportProblem, matchers: MatcherTable = new MatcherTable()): HostEntry {
  return { vhost, ingress: ingresses.get(vhost.ingress), routes: compileRoutes(vhost, clusters, report, matchers) };
}

// The translator shares route lists (an ingress's public and cluster-local rules usually have the
// same paths) and split lists (its paths usually split the same way); compiled lists are shared the
// same way, as long as the clusters they resolved are still the ones in the snapshot. These caches
// are the only module state, and they cannot carry behaviour from one data plane to another: they
// are keyed by immutable snapshot lists and an entry is used only when every cluster it resolved is
// the very object the caller's own snapshot has under that name (`current`), so what a plane gets
// is exactly what compiling afresh from its own snapshot would give.
const compiledRoutes = new WeakMap<readonly Route[], readonly CompiledRoute[]>();
// Keyed by the split list and then the route's own filter list: compiled splits carry both.
const compiledSplits = new WeakMap<readonly Split[], WeakMap<readonly RouteFilter[], readonly CompiledSplit[]>>();
const NONE: readonly never[] = Object.freeze([]);

/** Whether every cluster the splits resolved (theirs, their mirrors', a passthrough's) is the snapshot's. */
function current(splits: readonly CompiledSplit[], clusters: Lookup<Cluster>): boolean {
  const is = (c: Cluster | undefined): boolean => c === undefined || clusters.get(c.name) === c;
  for (const s of splits) {
    if (!is(s.cluster) || !is(s.grpcPassthrough?.cluster)) return false;
    for (const m of s.mirrors) if (!is(m.cluster)) return false;
  }
  return true;
}

function compileRoutes(vhost: VirtualHost, clusters: Lookup<Cluster>, report: ReportProblem, matchers: MatcherTable): readonly CompiledRoute[] {
  const routes = vhost.routes;
  let out = compiledRoutes.get(routes);
  if (out === undefined || !out.every((r) => current(r.splits, clusters))) {
    out = routes.map((r, i) => compileRoute(r, clusters, (p) => report(`virtual host ${vhost.name} route ${i} (${r.ingress}): ${p}`), matchers));
    compiledRoutes.set(routes, out);
  }
  return out;
}

/** A cluster by name; one not in the snapshot resolves to an empty one (503, as with no endpoints). */
function resolve(name: string, clusters: Lookup<Cluster>): Cluster {
  return clusters.get(name) ?? { name, protocol: 'http1', type: 'static', endpoints: [] };
}

/** What a filter list contributes to a split, in order; later rewrites override earlier ones. */
interface Effects {
  request: HeaderEdits;
  response: HeaderEdits;
  mirrors: readonly Mirror[];
  hostname: string | undefined;
  /** the Host is the endpoint's; a later literal hostname turns it off, a later autoHostname on */
  autoHost: boolean;
  path: CompiledPathRewrite | undefined;
  redirect: CompiledRedirect | undefined;
  /** the first of a redirect and a direct response answers; the other is ignored */
  direct: DirectResponseFilter | undefined;
  /** the last fault filter: a backend's replaces the route's */
  fault: FaultFilter | undefined;
}

function effectsOf(filters: readonly RouteFilter[], clusters: Lookup<Cluster>, base?: Effects): Effects {
  const e: Effects = base ? { ...base } : { request: NO_EDITS, response: NO_EDITS, mirrors: NONE, hostname: undefined, autoHost: false, path: undefined, redirect: undefined, direct: undefined, fault: undefined };
  for (const f of filters) {
    switch (f.type) {
      case 'request-headers':
        e.request = concatEdits(e.request, f.edits);
        break;
      case 'response-headers':
        e.response = concatEdits(e.response, f.edits);
        break;
      case 'url-rewrite':
        if (f.autoHostname === true) e.autoHost = true;
        else if (f.hostname !== undefined) {
          e.hostname = f.hostname;
          e.autoHost = false;
        }
        if (f.path !== undefined) e.path = compilePathRewrite(f.path);
        break;
      case 'redirect':
        if (e.direct === undefined) e.redirect ??= compileRedirect(f);
        break;
      case 'direct-response':
        if (e.redirect === undefined) e.direct ??= f;
        break;
      case 'mirror':
        if (f.percent > 0) e.mirrors = [...e.mirrors, { cluster: resolve(f.cluster, clusters), percent: Math.min(f.percent, 100) }];
        break;
      case 'cors':
        break; // a route-level policy: compileRoute reads it
      case 'fault':
        e.fault = f;
        break;
    }
  }
  return e;
}

function compileSplits(route: Route, clusters: Lookup<Cluster>, report: ReportProblem): readonly CompiledSplit[] {
  let byFilters = compiledSplits.get(route.splits);
  if (byFilters === undefined) compiledSplits.set(route.splits, (byFilters = new WeakMap()));
  let splits = byFilters.get(route.filters);
  if (splits === undefined || !current(splits, clusters)) {
    const routeEffects = effectsOf(route.filters, clusters);
    let acc = 0;
    splits = route.splits.map((s): CompiledSplit => {
      // A negative or non-finite weight is invalid input: it takes no traffic rather than skewing the table.
      acc += Number.isFinite(s.weight) && s.weight > 0 ? s.weight : 0;
      const e = s.filters.length === 0 ? routeEffects : effectsOf(s.filters, clusters, routeEffects);
      const fn = s.function;
      const direct: CompiledSplit = {
        cluster: s.cluster === undefined ? undefined : resolve(s.cluster, clusters),
        upTo: acc,
        request: e.request,
        response: noEdits(e.response) ? undefined : e.response,
        mirrors: e.mirrors,
        hostname: e.hostname,
        autoHost: e.autoHost,
        path: e.path,
        // The route's own redirect answers before a split is picked; this is then the split's.
        redirect: e.redirect,
        direct: e.direct === undefined ? undefined : compileDirectResponse(e.direct, e.response, report),
        fault: e.fault === undefined ? undefined : compileFault(e.fault, report),
      };
      if (fn === undefined) return direct;
      // A function split's cluster runs the call in this process (src/functions/calls.ts).
      const call = { ...direct, cluster: resolve(functionClusterName(fn), clusters) };
      return s.grpcPassthrough === true && direct.cluster !== undefined ? { ...call, grpcPassthrough: direct } : call;
    });
    byFilters.set(route.filters, splits);
  }
  return splits;
}

function compileRoute(route: Route, clusters: Lookup<Cluster>, report: ReportProblem, matchers: MatcherTable): CompiledRoute {
  const splits = compileSplits(route, clusters, report);
  let redirect: CompiledRedirect | undefined;
  let direct: DirectResponseFilter | undefined;
  let cors: CompiledRoute['cors'];
  let response = NO_EDITS;
  for (const f of route.filters) {
    // The first of a redirect and a direct response answers.
    if (f.type === 'redirect') redirect ??= direct === undefined ? compileRedirect(f) : undefined;
    else if (f.type === 'direct-response') direct ??= redirect === undefined ? f : undefined;
    else if (f.type === 'cors') cors ??= compileCors(f.policy);
    else if (f.type === 'response-headers') response = concatEdits(response, f.edits);
  }
  return {
    route,
    path: matchers.path(route.path, report),
    method: route.method?.toUpperCase(),
    headers: matchers.headers(route.headers, report),
    query: matchers.query(route.query, report),
    splits,
    total: splits.length === 0 ? 0 : splits[splits.length - 1]!.upTo,
    redirect,
    direct: direct === undefined ? undefined : compileDirectResponse(direct, response, report),
    cors,
  };
}
