// A VirtualService's routes with every delegation followed: the leaf routes, in Gloo's order (as
// written; the RouteTables a selector picks by ascending `weight`, then namespace and name), each
// with the matchers and options it inherits. Gloo's delegation rules:
// - a delegating route matches by prefix (none: `/`); each of a child's path matchers must start
//   with that prefix, or the child route is an error of its RouteTable;
// - `inheritableMatchers` (inherited from the parent when unset) adds the parent's header, query
//   and method matchers to the child's; `inheritablePathMatchers` gives the child the parent's path;
// - a child route without matchers takes its parent's path;
// - options: the child's own win, field by field, over its parents';
// - a RouteTable reached again on its own delegation chain is a cycle: an error of the route that
//   closes it, and that table's routes are not followed again.
import type { ResourceSet } from '../store/types.ts';
import { DEFAULT_MATCHER } from './matchers.ts';
import { namespaceOf, objectKey, type Reports } from './report.ts';
import type { DelegateAction, GlooResource, Matcher, Options, Route, RouteTable } from './types.ts';

export interface FlatRoute {
  readonly route: Route;
  /** the object the leaf route is written in (a VirtualService or a RouteTable) */
  readonly owner: GlooResource;
  /** its field path there (`spec.routes[2]`) */
  readonly path: string;
  readonly matchers: readonly Matcher[];
  readonly options: Options | undefined;
}

interface Parent {
  readonly matcher: Matcher;
  readonly options: Options | undefined;
  readonly inheritable: boolean;
  readonly inheritablePath: boolean;
}

/** At most this many tables deep: Gloo has no limit, but a chain this long is a mistake. */
const MAX_DEPTH = 16;

export function flattenRoutes(set: ResourceSet, reports: Reports, owner: GlooResource, routes: readonly Route[], basePath: string): FlatRoute[] {
  const out: FlatRoute[] = [];
  walk(set, reports, owner, routes, basePath, undefined, [objectKey(owner)], out);
  return out;
}

function walk(set: ResourceSet, reports: Reports, owner: GlooResource, routes: readonly Route[], basePath: string, parent: Parent | undefined, chain: readonly string[], out: FlatRoute[]): void {
  routes.forEach((route, i) => {
    const at = `${basePath}[${i}]`;
    const inheritable = route.inheritableMatchers ?? parent?.inheritable ?? false;
    const inheritablePath = route.inheritablePathMatchers ?? parent?.inheritablePath ?? false;
    const matchers = effectiveMatchers(reports, owner, route, at, parent, inheritable, inheritablePath);
    const options = mergeOptions(parent?.options, route.options);
    if (route.delegateAction === undefined) {
      if (matchers.length > 0) out.push({ route, owner, path: at, matchers, options });
      return;
    }
    if (chain.length > MAX_DEPTH) return reports.error(owner, `${at}.delegateAction`, `delegation deeper than ${MAX_DEPTH} tables`);
    const tables = selectTables(set, route.delegateAction, namespaceOf(owner));
    if (tables.length === 0) return reports.warn(owner, `${at}.delegateAction`, 'selects no RouteTable: the route is not served');
    const prefixes = matchers.filter((m, j) => {
      if (m.exact === undefined && m.regex === undefined) return true;
      reports.error(owner, `${at}.matchers[${j}]`, 'a delegating route matches by prefix only');
      return false;
    });
    for (const table of tables) {
      const key = objectKey(table);
      if (chain.includes(key)) {
        reports.error(owner, `${at}.delegateAction`, `delegation cycle: ${[...chain, key].join(' -> ')}`);
        continue;
      }
      for (const m of prefixes) walk(set, reports, table, table.spec.routes ?? [], 'spec.routes', { matcher: m, options, inheritable, inheritablePath }, [...chain, key], out);
    }
  });
}

function effectiveMatchers(reports: Reports, owner: GlooResource, route: Route, at: string, parent: Parent | undefined, inheritable: boolean, inheritablePath: boolean): Matcher[] {
  const own = route.matchers !== undefined && route.matchers.length > 0 ? route.matchers : undefined;
  if (parent === undefined) return own ?? [DEFAULT_MATCHER];
  const prefix = parent.matcher.prefix ?? '/';
  const parentPath = { prefix };
  const out: Matcher[] = [];
  (own ?? [{}]).forEach((m, j) => {
    const ownPath = m.prefix !== undefined || m.exact !== undefined || m.regex !== undefined;
    let withPath: Matcher = m;
    if (inheritablePath || !ownPath) withPath = { ...stripPath(m), ...parentPath };
    else {
      const value = m.prefix ?? m.exact ?? m.regex ?? '';
      if (!value.startsWith(prefix)) {
        reports.error(owner, `${at}.matchers[${j}]`, `must start with the delegating route's prefix ${JSON.stringify(prefix)}: the route is not served`);
        return;
      }
    }
    out.push(inheritable ? inherit(withPath, parent.matcher) : withPath);
  });
  return out;
}

function stripPath(m: Matcher): Matcher {
  const { prefix: _p, exact: _e, regex: _r, ...rest } = m;
  return rest;
}

function inherit(child: Matcher, parent: Matcher): Matcher {
  return {
    ...child,
    headers: [...(parent.headers ?? []), ...(child.headers ?? [])],
    queryParameters: [...(parent.queryParameters ?? []), ...(child.queryParameters ?? [])],
    ...((child.methods ?? []).length === 0 && parent.methods !== undefined && { methods: parent.methods }),
  };
}

// Field by field, the child's own option wins.
function mergeOptions(parent: Options | undefined, child: Options | undefined): Options | undefined {
  if (parent === undefined) return child;
  if (child === undefined) return parent;
  return { ...parent, ...child };
}

/** The RouteTables a delegateAction names: by ref, or by label selector over namespaces. */
export function selectTables(set: ResourceSet, d: DelegateAction, ns: string): RouteTable[] {
  const refName = d.ref?.name ?? d.name;
  if (refName !== undefined) {
    const t = set.glooRouteTables.get(`${d.ref?.namespace || d.namespace || ns}/${refName}`);
    return t === undefined ? [] : [t];
  }
  if (d.selector === undefined) return [];
  const namespaces = d.selector.namespaces ?? [ns];
  const labels = d.selector.labels ?? {};
  const picked = [...set.glooRouteTables.values()].filter((t) => {
    if (!namespaces.includes('*') && !namespaces.includes(namespaceOf(t))) return false;
    const own = t.metadata.labels ?? {};
    return Object.entries(labels).every(([k, v]) => own[k] === v);
  });
  return picked.sort((a, b) => (a.spec.weight ?? 0) - (b.spec.weight ?? 0) || cmp(objectKey(a), objectKey(b)));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
