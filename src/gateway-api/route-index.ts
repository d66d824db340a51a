// The Gateway API part kept as an index of what each route contributes (its status, the virtual
// hosts it joins, the clusters it names), so an edit of a few routes among 10,000 rebuilds only
// the virtual hosts they leave or join, the clusters they name and their statuses, and splices
// them into the previous sorted lists. A full translation builds the same index and lists from
// every route; both build each virtual host with the same function (hostOf), so they agree.
import { isDeepStrictEqual } from 'node:util';
import type { Cluster, ObjectStatus, PortListener, Route, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import type { Attachment } from './attach.ts';
import { byAge, type GatewayView, type ServedListener } from './gateways.ts';
import { portOf, portTemplates, selects, type PortTemplate } from './ports.ts';
import { byPrecedence, type RankedRoute } from './route-rules.ts';
import type { GRPCRoute, HTTPRoute } from './types.ts';

/** What one route adds to the result. */
export interface RouteEntry {
  /** `kind namespace/name` */
  readonly id: string;
  readonly route: HTTPRoute | GRPCRoute;
  readonly status: ObjectStatus;
  /** the accepted attachments (empty: attached nowhere) */
  readonly attachments: readonly Attachment[];
  readonly ranked: readonly RankedRoute[];
  readonly clusters: readonly Cluster[];
}

interface HostEntry {
  /** the first listener (by Gateway precedence) whose own hostname this is */
  readonly own: ServedListener | undefined;
  /** route id -> the route and the first listener through which it serves this host */
  readonly routes: Map<string, { readonly entry: RouteEntry; readonly listener: ServedListener }>;
}

/** Oldest first, then kind: the order routes attach in (attach.ts) and claim hosts and clusters. */
export function routeOrder(a: HTTPRoute | GRPCRoute, b: HTTPRoute | GRPCRoute): number {
  return byAge(a, b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0);
}

export class RouteIndex {
  readonly gateways: readonly GatewayView[];
  readonly templates: ReadonlyMap<string, PortTemplate>;
  /** the listeners' certificates, sorted by name */
  readonly tls: readonly TlsCertificate[];
  readonly routes = new Map<string, RouteEntry>();
  readonly #hosts = new Map<string, Map<string, HostEntry>>();
  /** cluster name -> route id -> that route's cluster of this name */
  readonly #clusters = new Map<string, Map<string, { readonly entry: RouteEntry; readonly cluster: Cluster }>>();
  /** what add/remove touched since the last takeDirty: `port\nhost` and cluster names */
  #dirtyHosts = new Set<string>();
  #dirtyClusters = new Set<string>();

  constructor(gateways: readonly GatewayView[]) {
    this.gateways = gateways;
    const { templates, tls } = portTemplates(gateways);
    this.templates = templates;
    this.tls = tls;
    for (const [name, t] of this.templates) {
      const hosts = new Map<string, HostEntry>();
      // Every listener's own host name gets a virtual host, routes or not: a request it selects is
      // answered by its routes only (404 without any), never by a less specific listener's.
      for (const l of t.listeners) {
        const own = l.hostname ?? '*';
        if (!hosts.has(own)) hosts.set(own, { own: l, routes: new Map() });
      }
      this.#hosts.set(name, hosts);
    }
  }

  add(entry: RouteEntry): void {
    this.routes.set(entry.id, entry);
    if (entry.attachments.length === 0) return;
    for (const { listener, host } of entry.attachments) {
      const hosts = this.#hosts.get(listener.portName);
      const t = this.templates.get(listener.portName);
      if (hosts === undefined || t === undefined || !listener.programmed || !selects(t.listeners, host, listener)) continue;
      let h = hosts.get(host);
      if (h === undefined) hosts.set(host, (h = { own: undefined, routes: new Map() }));
      // A route attached through two listeners (or parentRefs) to one host is listed once.
      if (h.routes.has(entry.id)) continue;
      h.routes.set(entry.id, { entry, listener });
      this.#dirtyHosts.add(`${listener.portName}\n${host}`);
    }
    for (const c of entry.clusters) {
      let users = this.#clusters.get(c.name);
      if (users === undefined) this.#clusters.set(c.name, (users = new Map()));
      if (!users.has(entry.id)) users.set(entry.id, { entry, cluster: c });
      this.#dirtyClusters.add(c.name);
    }
  }

  /** Takes route `id` out, and its attachments out of its listeners' counts. */
  remove(id: string): RouteEntry | undefined {
    const entry = this.routes.get(id);
    if (entry === undefined) return undefined;
    this.routes.delete(id);
    for (const { listener, host } of entry.attachments) {
      listener.attached.delete(id);
      const h = this.#hosts.get(listener.portName)?.get(host);
      if (h?.routes.get(id)?.entry !== entry) continue;
      h.routes.delete(id);
      if (h.routes.size === 0 && h.own === undefined) this.#hosts.get(listener.portName)?.delete(host);
      this.#dirtyHosts.add(`${listener.portName}\n${host}`);
    }
    for (const c of entry.clusters) {
      const users = this.#clusters.get(c.name);
      if (users?.get(id)?.entry !== entry) continue;
      users.delete(id);
      if (users.size === 0) this.#clusters.delete(c.name);
      this.#dirtyClusters.add(c.name);
    }
    return entry;
  }

  /** Every port, built whole (a full translation). */
  ports(observe?: (what: string) => void): PortListener[] {
    this.#dirtyHosts = new Set();
    return [...this.templates.values()].map((t) => {
      const hosts = this.#hosts.get(t.port.name) as Map<string, HostEntry>;
      const virtualHosts = [...hosts.entries()].map(([host, h]) => this.#host(t, host, h, observe)).sort(byName);
      return portOf(t, virtualHosts);
    });
  }

  /** `before` (the ports of the last build) with the virtual hosts touched since rebuilt. */
  patchPorts(before: readonly PortListener[], observe?: (what: string) => void): readonly PortListener[] {
    if (this.#dirtyHosts.size === 0) return before;
    const byPort = new Map<string, string[]>();
    for (const d of this.#dirtyHosts) {
      const [port, host] = d.split('\n') as [string, string];
      byPort.set(port, [...(byPort.get(port) ?? []), host]);
    }
    this.#dirtyHosts = new Set();
    return before.map((p) => {
      const hosts = byPort.get(p.name);
      const t = this.templates.get(p.name);
      if (hosts === undefined || t === undefined) return p;
      const virtualHosts = [...p.virtualHosts];
      for (const host of hosts) {
        const h = this.#hosts.get(p.name)?.get(host);
        splice(virtualHosts, `${p.name}/${host}`, h === undefined ? undefined : this.#host(t, host, h, observe), (v) => v.name);
      }
      return portOf(t, virtualHosts);
    });
  }

  /** Every cluster, sorted by name (a full translation). */
  clusters(): Cluster[] {
    this.#dirtyClusters = new Set();
    return [...this.#clusters.keys()].map((name) => this.#cluster(name) as Cluster).sort(byName);
  }

  /**
   * `before` with the clusters touched since rebuilt; a cluster equal to the one it replaces (a
   * route attached again, its backends unchanged) stays that object, and an unchanged list the
   * same list, so consumers see no cluster change.
   */
  patchClusters(before: readonly Cluster[]): readonly Cluster[] {
    if (this.#dirtyClusters.size === 0) return before;
    const out = [...before];
    let changed = false;
    for (const name of this.#dirtyClusters) {
      const had = findByName(out, name);
      const now = this.#cluster(name);
      if (had === now || (had !== undefined && now !== undefined && isDeepStrictEqual(had, now))) continue;
      splice(out, name, now, (c) => c.name);
      changed = true;
    }
    this.#dirtyClusters = new Set();
    return changed ? out : before;
  }

  // The virtual host of `host` on a port: the routes of every route serving it there, by
  // precedence; it belongs to the Gateway of the listener whose own host name it is, else to that
  // of the oldest route's listener (the route that would have created it attaching oldest first).
  #host(t: PortTemplate, host: string, h: HostEntry, observe: ((what: string) => void) | undefined): VirtualHost {
    const routes = [...h.routes.values()].sort((a, b) => routeOrder(a.entry.route, b.entry.route));
    const lead = h.own ?? (routes[0]?.listener as ServedListener);
    const name = `${t.port.name}/${host}`;
    observe?.(`vhost ${name}`);
    // Policies attached to a Gateway or a listener find the routes they reach by these.
    const listeners = new Set<string>();
    for (const r of routes) {
      for (const a of r.entry.attachments) {
        if (a.host === host && a.listener.portName === t.port.name && a.listener.programmed && selects(t.listeners, host, a.listener)) listeners.add(`${a.listener.gatewayKey}/${a.listener.spec.name}`);
      }
    }
    return {
      name,
      domains: [host],
      ingress: `Gateway ${lead.gatewayKey}`,
      httpOption: 'Enabled',
      routes: routes.flatMap((r) => r.entry.ranked).sort(byPrecedence).map((x): Route => x.route),
      ...(t.https && { listenerHostname: lead.hostname ?? '*' }),
      ...(listeners.size > 0 && { listeners: [...listeners].sort() }),
    };
  }

  // The first route to name a cluster (oldest first) gives its object, as a full pass keeps the first.
  #cluster(name: string): Cluster | undefined {
    let first: { entry: RouteEntry; cluster: Cluster } | undefined;
    for (const u of this.#clusters.get(name)?.values() ?? []) if (first === undefined || routeOrder(u.entry.route, first.entry.route) < 0) first = u;
    return first?.cluster;
  }
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function findByName<T extends { name: string }>(list: readonly T[], name: string): T | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as T).name < name) lo = mid + 1;
    else hi = mid;
  }
  return list[lo]?.name === name ? list[lo] : undefined;
}

/** Sets, replaces or (value undefined) removes the element named `name` in `list`, sorted by name. */
export function splice<T>(list: T[], name: string, value: T | undefined, nameOf: (t: T) => string): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nameOf(list[mid] as T) < name) lo = mid + 1;
    else hi = mid;
  }
  const found = lo < list.length && nameOf(list[lo] as T) === name;
  if (value === undefined) {
    if (found) list.splice(lo, 1);
  } else if (found) list[lo] = value;
  else list.splice(lo, 0, value);
}
