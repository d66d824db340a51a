// One ingress rule -> the routes of its virtual host. Routes keep the order of spec paths: Knative
// says "if there are multiple matching paths, the first match takes precedence", and Serving relies
// on it by listing each tag's header route (`Knative-Serving-Tag`) before the default route.
import type { HTTPIngressPath, IngressRule } from '../api/types.ts';
import type { Cluster, HeaderMatch, HeaderPair, Route, RouteFilter, Split } from '../snapshot/types.ts';
import { clusterName, resolveBackend, type ResolvedBackend } from './backends.ts';
import type { Lookups } from './lookups.ts';
import type { Problem } from './problems.ts';

export interface RuleRoutes {
  readonly routes: Route[];
  readonly clusters: Cluster[];
  readonly problems: Problem[];
  /** `namespace/name` of Services that splits with traffic (percent > 0) send to, and that have no ready endpoints */
  readonly waiting: string[];
}

/**
 * What the paths of one ingress share, made once per ingress: the paths of an ingress mostly send
 * to the same backends with the same split headers, so the resolved backends and the split lists
 * are kept once (at 10,000 ingresses that is a few hundred thousand fewer objects).
 */
export interface RouteMemo {
  /** by cluster name */
  readonly backends: Map<string, ResolvedBackend>;
  /** by the content of the split list */
  readonly splits: Map<string, readonly Split[]>;
}

/** Routes of rule `ruleIndex`, with the clusters their splits use. `ingressKey` is `namespace/name`. */
export function ruleRoutes(
  rule: IngressRule,
  ruleIndex: number,
  ingressKey: string,
  set: Lookups,
  memo: RouteMemo = { backends: new Map(), splits: new Map() },
): RuleRoutes {
  const out: RuleRoutes = { routes: [], clusters: [], problems: [], waiting: [] };
  (rule.http?.paths ?? []).forEach((path, pathIndex) => {
    out.routes.push(pathRoute(path, ruleIndex, pathIndex, ingressKey, set, out, memo));
  });
  return out;
}

function pathRoute(
  path: HTTPIngressPath,
  ruleIndex: number,
  pathIndex: number,
  ingressKey: string,
  set: Lookups,
  out: RuleRoutes,
  memo: RouteMemo,
): Route {
  const where = (i: number) => `spec.rules[${ruleIndex}].http.paths[${pathIndex}].splits[${i}]`;
  let splitsKey = '';
  const made: Split[] = (path.splits ?? []).map((split, i) => {
    const name = clusterName(split);
    let resolved = memo.backends.get(name);
    // A problem names the split it was found at, so each split with one gets its own message.
    if (resolved === undefined || resolved.problem !== undefined) memo.backends.set(name, (resolved = resolveBackend(split, set, where(i))));
    const { cluster, problem } = resolved;
    out.clusters.push(cluster);
    if (problem) out.problems.push(problem);
    // A missing Service or port is a problem of its own; an ExternalName needs no endpoints.
    else if ((split.percent ?? 0) > 0 && cluster.type === 'static' && cluster.endpoints.length === 0) {
      out.waiting.push(`${split.serviceNamespace}/${split.serviceName}`);
    }
    const weight = split.percent ?? 0;
    const pairs = headerPairs(split.appendHeaders);
    splitsKey += splitKey(cluster.name, weight, pairs);
    return { cluster: cluster.name, weight, filters: setHeaders(pairs) };
  });
  let splits = memo.splits.get(splitsKey);
  if (splits === undefined) memo.splits.set(splitsKey, (splits = made));
  return {
    ingress: ingressKey,
    path: { type: 'prefix', value: path.path || '/' },
    headers: headerMatches(path.headers),
    query: NONE,
    filters: pathFilters(headerPairs(path.appendHeaders), path.rewriteHost),
    splits,
  };
}

/**
 * A split's content as part of its list's memo key: all that makes a split here (its cluster, its
 * weight, the headers it sets), each string prefixed by its length so that no two different
 * splits give one key. Serializing the made list (JSON) cost twice as much.
 */
function splitKey(cluster: string, weight: number, pairs: readonly HeaderPair[]): string {
  let key = `${cluster.length}:${cluster}${weight};${pairs.length};`;
  for (const [name, value] of pairs) key += `${name.length}:${name}${value.length}:${value}`;
  return key;
}

/** A path's appendHeaders (set, replacing client values) and then its rewriteHost. */
function pathFilters(set: readonly HeaderPair[], rewriteHost: string | undefined): readonly RouteFilter[] {
  if (!rewriteHost) return setHeaders(set);
  const rewrite: RouteFilter = { type: 'url-rewrite', hostname: rewriteHost };
  return set.length === 0 ? [rewrite] : [...setHeaders(set), rewrite];
}

/** Knative's appendHeaders as a filter: they replace what the client sent (as net-kourier sets them). */
function setHeaders(set: readonly HeaderPair[]): readonly RouteFilter[] {
  return set.length === 0 ? NONE : [{ type: 'request-headers', edits: { set, add: NONE, remove: NONE } }];
}

// HTTP header names are case-insensitive; the data plane compares lower-case names.
// When two spellings of one name collide, the one sorting last in the original spelling wins,
// so the result does not depend on the order keys were written in.
function lowerCaseEntries<T>(map: Record<string, T> | undefined): Array<[string, T]> {
  const byName = new Map<string, T>();
  for (const key of Object.keys(map ?? {}).sort()) byName.set(key.toLowerCase(), (map as Record<string, T>)[key]);
  return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// Most routes and splits set and match no headers: they share one frozen empty list (at 10,000
// ingresses that is a few hundred thousand fewer arrays kept).
const NONE: readonly never[] = Object.freeze([]);
const PRESENT = Object.freeze({ type: 'present' } as const);

export function headerPairs(map: Record<string, string> | undefined): readonly HeaderPair[] {
  if (map === undefined || map === null) return NONE;
  const keys = Object.keys(map);
  if (keys.length === 0) return NONE;
  // The usual case (Knative sets one header per split): no collisions to settle, nothing to sort.
  if (keys.length === 1) return [[(keys[0] as string).toLowerCase(), String(map[keys[0] as string])]];
  return lowerCaseEntries(map).map(([name, value]) => [name, String(value)] as const);
}

function headerMatches(map: Record<string, { exact: string }> | undefined): readonly HeaderMatch[] {
  if (map === undefined || map === null || Object.keys(map).length === 0) return NONE;
  return lowerCaseEntries(map).map(([name, m]): HeaderMatch => {
    // An empty exact value means "present", as net-kourier reads it (an Envoy matcher with no value).
    const exact = String(m?.exact ?? '');
    return { name, match: exact === '' ? PRESENT : { type: 'exact', value: exact } };
  });
}
