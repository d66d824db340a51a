// The Gateway API part kept as an index of what each route contributes (its status, the virtual
// hosts it joins, the clusters it names), so an edit of a few routes among 10,000 rebuilds only
// the virtual hosts they leave or join, the clusters they name and their statuses, and splices
// them into the previous sorted lists. A full translation builds the same index and lists from
// every route; both build each virtual host with the same function (hostOf), so they agree.
import { isDeepStrictEqual } from 'node:util';
import { BoundedTable } from '../snapshot/bounded-table.ts';
import type { Cluster, ObjectStatus, PortListener, Route, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import type { Attachment } from './attach.ts';
import { bucketDelete, bucketGet, bucketSet, bucketSize, bucketValues, type Bucket } from './bucket.ts';
import { byAge, type GatewayView, type ServedListener } from './gateways.ts';
import { portOf, portTemplates, selects, type PortTemplate } from './ports.ts';
import { byPrecedence, type RankedRoute } from './route-rules.ts';
import { GATEWAY_GROUP, type GRPCRoute, type HTTPRoute } from './types.ts';

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
  /** a listener refused it a host name held by a route of the other kind (attach.ts) */
  readonly conflicted?: true;
}

/** A route listed on a host, with the first listener through which it serves the host. */
interface Listed {
  readonly entry: RouteEntry;
  readonly listener: ServedListener;
}

interface HostEntry {
  /** the first listener (by Gateway precedence) whose own hostname this is */
  own: ServedListener | undefined;
  /** route id -> the route listed here */
  routes: Bucket<Listed>;
}

const listedId = (l: Listed): string => l.entry.id;
const entryId = (e: RouteEntry): string => e.id;
const gatewayName = (key: string): string => `Gateway ${key}`;
const listenerList = (lines: string): readonly string[] => Object.freeze(lines.split('\n'));

/** Oldest first, then kind: the order routes attach in (attach.ts) and claim hosts and clusters. */
export function routeOrder(a: HTTPRoute | GRPCRoute, b: HTTPRoute | GRPCRoute): number {
  return byAge(a, b) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0);
}

export class RouteIndex {
  gateways: readonly GatewayView[];
  templates: ReadonlyMap<string, PortTemplate>;
  /** the listeners' certificates, sorted by name */
  tls: readonly TlsCertificate[];
  readonly routes = new Map<string, RouteEntry>();
  /** the routes refused a host name the other kind holds (then a patch out of age order may be wrong) */
  readonly conflicted = new Set<string>();
  /** Gateway `namespace/name` -> the routes whose parentRefs name it (served or not) */
  readonly #naming = new Map<string, Set<string>>();
  /** port name -> the routes with an attachment on it (selected or not) */
  readonly #onPort = new Map<string, Set<string>>();
  /** ports whose listeners changed since the last build: every host on them is rebuilt */
  #changedPorts = new Set<string>();
  readonly #hosts = new Map<string, Map<string, HostEntry>>();
  /** cluster name -> route id -> that route's cluster of this name */
  readonly #clusters = new Map<string, Bucket<RouteEntry>>();
  /** what add/remove touched since the last takeDirty: `port\nhost` and cluster names */
  #dirtyHosts = new Set<string>();
  #dirtyClusters = new Set<string>();
  /** what the virtual hosts repeat, one copy each: `Gateway ns/name`, lists of listener names (by their lines) */
  readonly #gatewayNames = new BoundedTable<string>(512);
  readonly #listenerLists = new BoundedTable<readonly string[]>(512);

  constructor(gateways: readonly GatewayView[]) {
    this.gateways = gateways;
    const { templates, tls } = portTemplates(gateways);
    this.templates = templates;
    this.tls = tls;
    for (const [name, t] of this.templates) {
      const hosts = new Map<string, HostEntry>();
      this.#hosts.set(name, hosts);
      this.#ownHosts(name, t);
    }
  }

  // Every listener's own host name gets a virtual host, routes or not: a request it selects is
  // answered by its routes only (404 without any), never by a less specific listener's.
  #ownHosts(port: string, t: PortTemplate): void {
    const hosts = this.#hosts.get(port) as Map<string, HostEntry>;
    for (const h of hosts.values()) h.own = undefined;
    for (const l of t.listeners) {
      const own = l.hostname ?? '*';
      const h = hosts.get(own);
      if (h === undefined) hosts.set(own, { own: l, routes: undefined });
      else h.own ??= l;
    }
    for (const [host, h] of hosts) if (h.own === undefined && h.routes === undefined) hosts.delete(host);
  }

  /**
   * Takes the Gateways of a new resolution: a Gateway whose resolution did not change must be the
   * very view indexed before (its listeners hold the attached routes). A port whose listeners
   * changed has its hosts rebuilt, and the routes attached on it are added again (a more or less
   * specific listener changes which of them serve a host); the routes naming a changed Gateway
   * are the caller's to attach again (routesNaming).
   */
  setGateways(gateways: readonly GatewayView[]): void {
    this.gateways = gateways;
    const { templates, tls } = portTemplates(gateways);
    if (!isDeepStrictEqual(tls, this.tls)) this.tls = tls;
    const next = new Map<string, PortTemplate>();
    const again = new Set<string>();
    for (const [name, t] of templates) {
      const had = this.templates.get(name);
      if (had !== undefined && portSignature(had) === portSignature(t)) {
        next.set(name, had);
        continue;
      }
      next.set(name, t);
      this.#changedPorts.add(name);
      for (const id of this.#onPort.get(name) ?? []) again.add(id);
    }
    for (const name of this.templates.keys()) {
      if (templates.has(name)) continue;
      this.#changedPorts.add(name);
      this.#hosts.delete(name);
      for (const id of this.#onPort.get(name) ?? []) again.add(id);
    }
    this.templates = next;
    for (const name of this.#changedPorts) {
      const t = next.get(name);
      if (t === undefined) continue;
      if (!this.#hosts.has(name)) this.#hosts.set(name, new Map());
      this.#ownHosts(name, t);
    }
    for (const id of again) this.replace(this.routes.get(id) as RouteEntry);
  }

  /** Adds to `into` the routes of the namespaces `namespaces`. */
  routesIn(namespaces: ReadonlySet<string>, into: Set<string>): void {
    for (const id of this.routes.keys()) {
      const from = id.indexOf(' ') + 1;
      if (namespaces.has(id.slice(from, id.indexOf('/', from)))) into.add(id);
    }
  }

  /** Adds to `into` the routes whose parentRefs name one of `gateways` (`namespace/name`) and that `where` keeps. */
  routesNaming(gateways: Iterable<string>, into: Set<string>, where?: (route: HTTPRoute | GRPCRoute) => boolean): void {
    for (const g of gateways) {
      for (const id of this.#naming.get(g) ?? []) if (where === undefined || where((this.routes.get(id) as RouteEntry).route)) into.add(id);
    }
  }

  /**
   * Puts `entry` in place of the route's last one. A host it stays on through listeners of the
   * same name and hostname, with the very same rules, is not rebuilt (a Gateway edit attaches its
   * routes again, and most of them serve as before); nor are its clusters, when the very same.
   */
  replace(entry: RouteEntry): void {
    const old = this.routes.get(entry.id);
    if (old !== undefined && this.#swappable(old, entry)) return this.#swap(old, entry);
    const same = old !== undefined && old.route === entry.route && old.ranked === entry.ranked;
    const before = same ? this.#listings(old) : undefined;
    const sameClusters = old !== undefined && (old.clusters === entry.clusters || (old.clusters.length === 0 && entry.clusters.length === 0));
    const dirtyHosts = before === undefined ? undefined : new Set([...before.keys()].filter((k) => this.#dirtyHosts.has(k)));
    const dirtyClusters = sameClusters ? new Set(entry.clusters.map((c) => c.name).filter((n) => this.#dirtyClusters.has(n))) : undefined;
    this.remove(entry.id);
    this.add(entry);
    if (before !== undefined && dirtyHosts !== undefined) {
      for (const [key, listing] of this.#listings(entry)) if (before.get(key) === listing && !dirtyHosts.has(key)) this.#dirtyHosts.delete(key);
    }
    if (dirtyClusters !== undefined) for (const c of entry.clusters) if (!dirtyClusters.has(c.name)) this.#dirtyClusters.delete(c.name);
  }

  // The common case of a Gateway edit: the same rules attached through listeners of the same
  // name, hostname and state on unchanged ports, one for one. The entry then takes the old one's
  // places, nothing is rebuilt, and no index but the listeners' counts is touched.
  #swappable(old: RouteEntry, entry: RouteEntry): boolean {
    if (old.route !== entry.route || old.ranked !== entry.ranked || old.attachments.length !== entry.attachments.length) return false;
    if (old.clusters !== entry.clusters && (old.clusters.length > 0 || entry.clusters.length > 0)) return false;
    return old.attachments.every((a, i) => {
      const b = entry.attachments[i] as Attachment;
      const [x, y] = [a.listener, b.listener];
      return a.host === b.host && x.portName === y.portName && !this.#changedPorts.has(y.portName) && x.gatewayKey === y.gatewayKey && x.spec.name === y.spec.name && x.hostname === y.hostname && x.programmed === y.programmed;
    });
  }

  #swap(old: RouteEntry, entry: RouteEntry): void {
    this.routes.set(entry.id, entry);
    if (entry.conflicted === true) this.conflicted.add(entry.id);
    else this.conflicted.delete(entry.id);
    entry.attachments.forEach(({ listener, host }, i) => {
      listener.attached.add(entry.id);
      const h = this.#hosts.get(listener.portName)?.get(host);
      const at = bucketGet(h?.routes, entry.id, listedId);
      if (h !== undefined && at !== undefined && at.entry === old && at.listener === old.attachments[i]?.listener) h.routes = bucketSet(h.routes, entry.id, { entry, listener }, listedId);
    });
    for (const c of entry.clusters) {
      const users = this.#clusters.get(c.name);
      if (bucketGet(users, entry.id, entryId) === old) this.#clusters.set(c.name, bucketSet(users, entry.id, entry, entryId));
    }
  }

  // The hosts `entry` is listed on (`port\nhost`), with what its virtual host takes from the
  // route's attachments there: the listener it is listed through and every listener it is selected by.
  #listings(entry: RouteEntry): Map<string, string> {
    const out = new Map<string, string>();
    for (const { listener, host } of entry.attachments) {
      const key = `${listener.portName}\n${host}`;
      if (out.has(key) || this.#changedPorts.has(listener.portName)) continue;
      const at = bucketGet(this.#hosts.get(listener.portName)?.get(host)?.routes, entry.id, listedId);
      if (at?.entry !== entry) continue;
      const selected = entry.attachments.filter((a) => a.host === host && a.listener.portName === listener.portName && this.#selected(a.listener, host));
      out.set(key, [`${at.listener.gatewayKey}/${at.listener.spec.name}/${at.listener.hostname ?? ''}`, ...selected.map((a) => `${a.listener.gatewayKey}/${a.listener.spec.name}`)].join(' '));
    }
    return out;
  }

  #selected(listener: ServedListener, host: string): boolean {
    const t = this.templates.get(listener.portName);
    return t !== undefined && listener.programmed && selects(t.listeners, host, listener);
  }

  add(entry: RouteEntry): void {
    this.routes.set(entry.id, entry);
    if (entry.conflicted === true) this.conflicted.add(entry.id);
    for (const g of namedGateways(entry.route)) {
      let ids = this.#naming.get(g);
      if (ids === undefined) this.#naming.set(g, (ids = new Set()));
      ids.add(entry.id);
    }
    if (entry.attachments.length === 0) return;
    for (const { listener, host } of entry.attachments) {
      listener.attached.add(entry.id);
      let ids = this.#onPort.get(listener.portName);
      if (ids === undefined) this.#onPort.set(listener.portName, (ids = new Set()));
      ids.add(entry.id);
      const hosts = this.#hosts.get(listener.portName);
      if (hosts === undefined || !this.#selected(listener, host)) continue;
      let h = hosts.get(host);
      if (h === undefined) hosts.set(host, (h = { own: undefined, routes: undefined }));
      // A route attached through two listeners (or parentRefs) to one host is listed once.
      if (bucketGet(h.routes, entry.id, listedId) !== undefined) continue;
      h.routes = bucketSet(h.routes, entry.id, { entry, listener }, listedId);
      this.#dirtyHosts.add(`${listener.portName}\n${host}`);
    }
    for (const c of entry.clusters) {
      const users = this.#clusters.get(c.name);
      if (bucketGet(users, entry.id, entryId) === undefined) this.#clusters.set(c.name, bucketSet(users, entry.id, entry, entryId));
      this.#dirtyClusters.add(c.name);
    }
  }

  /** Takes route `id` out, and its attachments out of its listeners' counts. */
  remove(id: string): RouteEntry | undefined {
    const entry = this.routes.get(id);
    if (entry === undefined) return undefined;
    this.routes.delete(id);
    this.conflicted.delete(id);
    for (const g of namedGateways(entry.route)) {
      const ids = this.#naming.get(g);
      ids?.delete(id);
      if (ids?.size === 0) this.#naming.delete(g);
    }
    for (const { listener, host } of entry.attachments) {
      listener.attached.delete(id);
      const ids = this.#onPort.get(listener.portName);
      ids?.delete(id);
      if (ids?.size === 0) this.#onPort.delete(listener.portName);
      const h = this.#hosts.get(listener.portName)?.get(host);
      if (h === undefined || bucketGet(h.routes, id, listedId)?.entry !== entry) continue;
      h.routes = bucketDelete(h.routes, id, listedId);
      if (h.routes === undefined && h.own === undefined) this.#hosts.get(listener.portName)?.delete(host);
      this.#dirtyHosts.add(`${listener.portName}\n${host}`);
    }
    for (const c of entry.clusters) {
      const users = this.#clusters.get(c.name);
      if (bucketGet(users, id, entryId) !== entry) continue;
      const left = bucketDelete(users, id, entryId);
      if (left === undefined) this.#clusters.delete(c.name);
      else this.#clusters.set(c.name, left);
      this.#dirtyClusters.add(c.name);
    }
    return entry;
  }

  /** How many hosts and clusters hold a collection of routes (several routes share them): what the size tests count. */
  collections(): number {
    let n = 0;
    for (const hosts of this.#hosts.values()) for (const h of hosts.values()) if (bucketSize(h.routes) > 1) n++;
    for (const users of this.#clusters.values()) if (bucketSize(users) > 1) n++;
    return n;
  }

  /** Every port, built whole (a full translation). */
  ports(observe?: (what: string) => void): PortListener[] {
    this.#dirtyHosts = new Set();
    this.#changedPorts = new Set();
    return [...this.templates.values()].map((t) => this.#port(t, observe));
  }

  #port(t: PortTemplate, observe: ((what: string) => void) | undefined): PortListener {
    const hosts = this.#hosts.get(t.port.name) as Map<string, HostEntry>;
    const virtualHosts = [...hosts.entries()].map(([host, h]) => this.#host(t, host, h, observe)).sort(byName);
    return portOf(t, virtualHosts);
  }

  /**
   * `before` (the ports of the last build) with the virtual hosts touched since rebuilt, and the
   * ports whose listeners changed built whole; an untouched port is the object it was.
   */
  patchPorts(before: readonly PortListener[], observe?: (what: string) => void): readonly PortListener[] {
    if (this.#dirtyHosts.size === 0 && this.#changedPorts.size === 0) return before;
    const byPort = new Map<string, string[]>();
    for (const d of this.#dirtyHosts) {
      const [port, host] = d.split('\n') as [string, string];
      byPort.set(port, [...(byPort.get(port) ?? []), host]);
    }
    const changedPorts = this.#changedPorts;
    this.#dirtyHosts = new Set();
    this.#changedPorts = new Set();
    const previous = new Map(before.map((p) => [p.name, p]));
    let changed = before.length !== this.templates.size;
    const out = [...this.templates.values()].map((t, i) => {
      const name = t.port.name;
      const p = previous.get(name);
      const hosts = byPort.get(name);
      let port: PortListener;
      if (p === undefined || changedPorts.has(name)) port = this.#port(t, observe);
      else if (hosts === undefined) port = p;
      else {
        const virtualHosts = [...p.virtualHosts];
        for (const host of hosts) {
          const h = this.#hosts.get(name)?.get(host);
          splice(virtualHosts, `${name}/${host}`, h === undefined ? undefined : this.#host(t, host, h, observe), (v) => v.name);
        }
        port = portOf(t, virtualHosts);
      }
      if (port !== before[i]) changed = true;
      return port;
    });
    return changed ? out : before;
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
    const routes = [...bucketValues(h.routes)].sort((a, b) => routeOrder(a.entry.route, b.entry.route));
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
      ingress: this.#gatewayNames.make(lead.gatewayKey, gatewayName),
      httpOption: 'Enabled',
      routes: routes.flatMap((r) => r.entry.ranked).sort(byPrecedence).map((x): Route => x.route),
      ...(t.https && { listenerHostname: lead.hostname ?? '*' }),
      ...(listeners.size > 0 && { listeners: this.#listenerLists.make([...listeners].sort().join('\n'), listenerList) }),
    };
  }

  // The first route to name a cluster (oldest first) gives its object, as a full pass keeps the first.
  #cluster(name: string): Cluster | undefined {
    let first: RouteEntry | undefined;
    for (const u of bucketValues(this.#clusters.get(name))) if (first === undefined || routeOrder(u.route, first.route) < 0) first = u;
    return first?.clusters.find((c) => c.name === name);
  }
}

// What decides how a port is served and which listener selects a host: equal signatures, equal ports.
function portSignature(t: PortTemplate): string {
  return JSON.stringify([t.https, t.port, t.clientValidation ?? null, t.listeners.map((l) => [l.gatewayKey, l.spec.name, l.index, l.hostname ?? null, l.programmed])]);
}

/** The Gateways (`namespace/name`) a route's parentRefs name. */
function namedGateways(route: HTTPRoute | GRPCRoute): string[] {
  const ns = route.metadata.namespace ?? 'default';
  const out: string[] = [];
  for (const ref of route.spec.parentRefs ?? []) {
    if ((ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (ref.kind ?? 'Gateway') === 'Gateway') out.push(`${ref.namespace ?? ns}/${ref.name}`);
  }
  return out;
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
