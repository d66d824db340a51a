// The data plane's compiled routing table and the per-request lookups on it. A Router is made once
// per snapshot swap (router-builder.ts, compile-routes.ts), never per request: host tables are
// Maps, matchers are compiled (match.ts), split pickers are cumulative weight tables, and every
// filter is resolved into the route's and each split's fields.
import type { Cluster, HeaderEdits, IngressInfo, ListenerKind, Route, Snapshot, VirtualHost } from '../snapshot/types.ts';
import type { CompiledCors } from './cors.ts';
import type { CompiledFault } from './fault.ts';
import type { LocalReply } from './local-reply.ts';
import { type PathMatcher, type ValueMatcher, pathMatches, queryParam, valueMatches } from './match.ts';
import { rawHeader } from './raw-headers.ts';
import type { CompiledPathRewrite, CompiledRedirect } from './rewrite.ts';
import { RouterBuilder } from './router-builder.ts';

export { rawHeader } from './raw-headers.ts';

/** A copy of the request sent to another cluster, its answer ignored. */
export interface Mirror {
  readonly cluster: Cluster;
  /** 0..100: the share of requests mirrored */
  readonly percent: number;
}

export interface CompiledSplit {
  /** undefined when the backend reference is invalid: requests picking this split get 500 */
  readonly cluster: Cluster | undefined;
  /** upper bound (exclusive) of this split on the 0..total weight line */
  readonly upTo: number;
  /** the route's and then this split's request header edits, combined once at compile time */
  readonly request: HeaderEdits;
  /** the route's and then this split's response header edits; undefined when none */
  readonly response: HeaderEdits | undefined;
  /** the route's and then this split's mirrors (a shared empty list when none) */
  readonly mirrors: readonly Mirror[];
  /** url-rewrite: the Host sent upstream (the split's over the route's); undefined: the client's */
  readonly hostname: string | undefined;
  /** url-rewrite autoHostname: the Host sent upstream is the chosen endpoint's (over `hostname`) */
  readonly autoHost: boolean;
  /** url-rewrite of the path (the split's over the route's) */
  readonly path: CompiledPathRewrite | undefined;
  /** a redirect filter of the split: answers instead of forwarding */
  readonly redirect: CompiledRedirect | undefined;
  /** a direct-response filter of the split (direct-response.ts): answers instead of forwarding */
  readonly direct: LocalReply | undefined;
  /** injected faults (fault.ts): the split's, else the route's; undefined when none */
  readonly fault: CompiledFault | undefined;
  /** a gRPC-JSON function split: the same split forwarding gRPC clients to the function's cluster unchanged */
  readonly grpcPassthrough?: CompiledSplit;
}

/** A split that forwards: the one a forward decision carries. */
export interface BackendSplit extends CompiledSplit {
  readonly cluster: Cluster;
}

export interface CompiledRoute {
  readonly route: Route;
  readonly path: PathMatcher;
  /** upper-case; undefined: any method */
  readonly method: string | undefined;
  /** all must match */
  readonly headers: readonly ValueMatcher[];
  readonly query: readonly ValueMatcher[];
  readonly splits: readonly CompiledSplit[];
  /** the sum of the split weights; 0: no backend (500) */
  readonly total: number;
  /** a route-level redirect: answers before any split is picked */
  readonly redirect: CompiledRedirect | undefined;
  /** a route-level direct response (direct-response.ts): answers before any split is picked */
  readonly direct: LocalReply | undefined;
  readonly cors: CompiledCors | undefined;
}

export interface HostEntry {
  readonly vhost: VirtualHost;
  readonly ingress: IngressInfo | undefined;
  readonly routes: readonly CompiledRoute[];
}

/** Lower-case host name, `*.suffix` wildcard or `*` -> its compiled virtual host, for one listener. */
export type HostTable = ReadonlyMap<string, HostEntry>;

/** One host table per listener: Knative's two, and one per PortListener by its name. */
export interface HostTables {
  readonly external: HostTable;
  readonly local: HostTable;
  readonly [listener: ListenerKind]: HostTable | undefined;
}

export interface Router {
  readonly snapshot: Snapshot;
  readonly version: number;
  readonly hosts: HostTables;
}

/**
 * The router for `snapshot`, compiled in full. A data plane derives each next router from its last
 * one through its own RouterBuilder; this is for one-off compiles (tests, benchmarks, tools).
 */
export function compileRouter(snapshot: Snapshot): Router {
  return new RouterBuilder().next({ snapshot, previous: undefined, diffs: undefined });
}

/**
 * The virtual host for `host` (normalised): the exact name, else the longest `*.suffix` wildcard
 * (one or more labels before the suffix, as the Gateway API has it), else `*`. Exact names, the
 * only kind Knative has, cost one lookup.
 */
export function findHost(table: HostTable, host: string): HostEntry | undefined {
  const exact = table.get(host);
  if (exact !== undefined) return exact;
  // Leftmost dot first: the longest suffix is the most specific wildcard.
  for (let dot = host.indexOf('.'); dot > 0; dot = host.indexOf('.', dot + 1)) {
    const wild = table.get(`*${host.slice(dot)}`);
    if (wild !== undefined) return wild;
  }
  return table.get('*');
}

/**
 * The first route whose path, method, headers and query parameters all match. `target` is the
 * request target whose path is `path` and whose `?` is at `q` (-1 when none).
 */
export function matchRoute(entry: HostEntry, method: string, path: string, target: string, q: number, raw: readonly string[]): CompiledRoute | undefined {
  let query: string | undefined; // cut from the target only when a route matches on it
  for (const r of entry.routes) {
    if (!pathMatches(r.path, path)) continue;
    if (r.method !== undefined && r.method !== method) continue;
    if (r.headers.length > 0 && !headersMatch(r.headers, raw)) continue;
    if (r.query.length > 0 && !queryMatches(r.query, (query ??= q >= 0 ? target.slice(q + 1) : ''))) continue;
    return r;
  }
  return undefined;
}

function headersMatch(matchers: readonly ValueMatcher[], raw: readonly string[]): boolean {
  for (let i = 0; i < matchers.length; i++) if (!valueMatches(matchers[i]!, rawHeader(raw, matchers[i]!.name))) return false;
  return true;
}

function queryMatches(matchers: readonly ValueMatcher[], query: string): boolean {
  for (let i = 0; i < matchers.length; i++) if (!valueMatches(matchers[i]!, queryParam(query, matchers[i]!.name))) return false;
  return true;
}

/** Picks a split by weight; `roll` is uniform in [0, route.total). Splits of weight 0 are never picked. */
export function pickSplit(route: CompiledRoute, roll: number): CompiledSplit | undefined {
  const splits = route.splits;
  for (let i = 0; i < splits.length; i++) if (roll < splits[i]!.upTo) return splits[i];
  // A roll at or past the total (rounding) falls to the last split with traffic.
  for (let i = splits.length - 1; i >= 0; i--) if (splits[i]!.upTo > (i > 0 ? splits[i - 1]!.upTo : 0)) return splits[i];
  return undefined;
}

/** `Host`/`:authority` lower-cased with the port removed (IPv6 literals keep their brackets). */
export function normalizeHost(host: string | undefined): string {
  if (!host) return '';
  let h = host;
  if (h.charCodeAt(0) === 91 /* [ */) {
    const end = h.indexOf(']');
    h = end >= 0 ? h.slice(0, end + 1) : h;
  } else {
    const colon = h.lastIndexOf(':');
    if (colon >= 0) h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.toLowerCase();
}
