// The data plane's compiled routing table and the per-request lookups on it. A Router is made once
// per snapshot swap (router-builder.ts, compile-routes.ts), never per request: host tables are
// Maps, header matchers are flat arrays, split pickers are cumulative percent tables.
import type { Cluster, HeaderEdits, IngressInfo, ListenerKind, Route, Snapshot, VirtualHost } from '../snapshot/types.ts';
import { RouterBuilder } from './router-builder.ts';

export interface CompiledSplit {
  readonly cluster: Cluster;
  /** upper bound (exclusive) of this split on the 0..100 line */
  readonly upTo: number;
  /** the route's and then this split's request header edits, combined once at compile time */
  readonly request: HeaderEdits;
  /** response header edits; undefined when none */
  readonly response: HeaderEdits | undefined;
}

export interface CompiledRoute {
  readonly route: Route;
  readonly pathPrefix: string;
  /** lower-case names and exact values (empty: the header must be present); all must match */
  readonly headerNames: readonly string[];
  readonly headerValues: readonly string[];
  readonly splits: readonly CompiledSplit[];
  readonly rewriteHost: string | undefined;
}

export interface HostEntry {
  readonly vhost: VirtualHost;
  readonly ingress: IngressInfo | undefined;
  readonly routes: readonly CompiledRoute[];
}

/** Lower-case host name (or `*`) -> its compiled virtual host, for one listener. */
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
 * A header's value by lower-case name in a raw [name, value, ...] array; a header sent several
 * times is its values joined by `,` (RFC 9110 5.3), which is what Envoy's header matchers compare,
 * so `X: blue` twice is `blue,blue` and matches neither `blue` nor a route meant for one value.
 */
export function rawHeader(raw: readonly string[], lowerName: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    if (n.length === lowerName.length && n.toLowerCase() === lowerName) value = value === undefined ? raw[i + 1] : `${value},${raw[i + 1]}`;
  }
  return value;
}

/** Routes in order; a route matches when its prefix matches and every header matches exactly (or, for an empty value, is present). */
export function matchRoute(entry: HostEntry, path: string, raw: readonly string[]): CompiledRoute | undefined {
  for (const r of entry.routes) {
    if (!path.startsWith(r.pathPrefix)) continue;
    let ok = true;
    for (let i = 0; i < r.headerNames.length; i++) {
      const value = rawHeader(raw, r.headerNames[i]!);
      // An empty exact value means "present", as net-kourier writes it (an Envoy matcher with no value).
      const want = r.headerValues[i]!;
      if (want === '' ? value === undefined : value !== want) {
        ok = false;
        break;
      }
    }
    if (ok) return r;
  }
  return undefined;
}

/** Picks a split by percent; `roll` is uniform in [0, 100). */
export function pickSplit(route: CompiledRoute, roll: number): CompiledSplit | undefined {
  const splits = route.splits;
  for (let i = 0; i < splits.length; i++) if (roll < splits[i]!.upTo) return splits[i];
  // Percents that sum below 100 (not valid input) fall to the last split rather than failing.
  return splits[splits.length - 1];
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
