// Attached routes -> PortListeners: every programmed listener's port is bound (with no route, its
// requests get 404); each host name on a port gets one virtual host holding the routes of every
// listener that serves that name there, ordered by the API's precedence (byPrecedence).
// Listener isolation (the spec's "HTTP listener isolation"): a request goes to the most specific
// listener whose hostname matches it, so a route attached to a less specific listener does not
// serve a host name that a more specific listener on the same port covers.
import type { ClientValidation, PortListener, Route, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import type { GatewayView, ServedListener } from './gateways.ts';
import { covers, specificity } from './hostnames.ts';
import { byPrecedence, type RankedRoute } from './route-rules.ts';
import type { AttachedRoute } from './translate.ts';

interface PortDraft {
  readonly name: string;
  readonly listeners: ServedListener[];
  /** host -> the ranked routes on it, and the Gateway of its most specific listener */
  readonly hosts: Map<string, { ranked: RankedRoute[]; owner: string; listenerHostname: string; routeKeys: Set<string>; listeners: Set<string> }>;
}

export function buildPorts(gateways: readonly GatewayView[], routes: readonly AttachedRoute[]): { ports: PortListener[]; tls: TlsCertificate[] } {
  const drafts = new Map<string, PortDraft>();
  for (const g of gateways) {
    for (const l of g.listeners) {
      if (!l.programmed) continue;
      let d = drafts.get(l.portName);
      if (d === undefined) drafts.set(l.portName, (d = { name: l.portName, listeners: [], hosts: new Map() }));
      d.listeners.push(l);
      // Every listener's own host name gets a virtual host, routes or not: a request it selects is
      // answered by its routes only (404 without any), never by a less specific listener's.
      const own = l.hostname ?? '*';
      if (!d.hosts.has(own)) d.hosts.set(own, { ranked: [], owner: `Gateway ${l.gatewayKey}`, listenerHostname: own, routeKeys: new Set(), listeners: new Set() });
    }
  }
  for (const r of routes) {
    for (const { listener, host } of r.attachments) {
      const d = drafts.get(listener.portName);
      if (d === undefined || !listener.programmed) continue;
      if (!selects(d.listeners, host, listener)) continue;
      let entry = d.hosts.get(host);
      if (entry === undefined) d.hosts.set(host, (entry = { ranked: [], owner: `Gateway ${listener.gatewayKey}`, listenerHostname: listener.hostname ?? '*', routeKeys: new Set(), listeners: new Set() }));
      // Policies attached to a Gateway or a listener find the routes they reach by these.
      entry.listeners.add(`${listener.gatewayKey}/${listener.spec.name}`);
      // A route attached through two listeners (or parentRefs) to one host is listed once.
      const id = `${r.object.kind} ${r.object.key}`;
      if (entry.routeKeys.has(id)) continue;
      entry.routeKeys.add(id);
      entry.ranked.push(...r.ranked);
    }
  }
  const ports: PortListener[] = [];
  const certs = new Map<string, TlsCertificate>();
  for (const d of [...drafts.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const first = d.listeners[0] as ServedListener;
    const https = first.spec.protocol === 'HTTPS';
    const virtualHosts: VirtualHost[] = [...d.hosts.entries()]
      .map(([host, e]): VirtualHost => ({
        name: `${d.name}/${host}`,
        domains: [host],
        ingress: e.owner,
        httpOption: 'Enabled',
        routes: e.ranked.sort(byPrecedence).map((x): Route => x.route),
        ...(https && { listenerHostname: e.listenerHostname }),
        ...(e.listeners.size > 0 && { listeners: [...e.listeners].sort() }),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const portCerts = first.spec.protocol === 'HTTPS' ? certificatesOf(d.listeners, certs) : [];
    const clientValidation = https ? clientValidationOf(d.listeners) : undefined;
    ports.push({
      name: d.name,
      address: first.bindAddress,
      port: first.bindPort,
      listenerPort: first.spec.port,
      protocol: first.spec.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
      certificates: portCerts,
      virtualHosts,
      ...(clientValidation !== undefined && { clientValidation }),
    });
  }
  return { ports, tls: [...certs.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

/** Whether `listener` is (one of) the most specific listener(s) on its port for `host`. */
function selects(listeners: readonly ServedListener[], host: string, listener: ServedListener): boolean {
  const mine = specificity(listener.hostname);
  return !listeners.some((other) => other.programmed && specificity(other.hostname) > mine && (host === '*' ? false : covers(other.hostname, host)));
}

/**
 * The certificate names of a port: the Gateway created last first (it serves the handshake when
 * two claim one host name, per the file-mode contract), then listener order; the first is
 * the default. Certificates of one Secret merge their hosts.
 */
function certificatesOf(listeners: readonly ServedListener[], certs: Map<string, TlsCertificate>): string[] {
  const ordered = [...listeners].sort((a, b) => {
    const ta = a.gateway.metadata.creationTimestamp ?? '';
    const tb = b.gateway.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta > tb ? -1 : 1;
    if (a.gatewayKey !== b.gatewayKey) return a.gatewayKey < b.gatewayKey ? -1 : 1;
    return a.index - b.index;
  });
  const names: string[] = [];
  for (const l of ordered) {
    for (const c of l.certificates) {
      const had = certs.get(c.name);
      certs.set(c.name, had === undefined ? c : { ...had, hosts: [...new Set([...had.hosts, ...c.hosts])].sort() });
      if (!names.includes(c.name)) names.push(c.name);
    }
  }
  return names;
}

/**
 * One port has one TLS handshake policy, so the listeners sharing it (several Gateways in file
 * mode) share their checks: every CA any of them trusts, AllowValidOnly if any asks for it (then
 * a listener that asked for none is checked too: never looser than one asked), else
 * AllowInsecureFallback, which refuses no one.
 */
function clientValidationOf(listeners: readonly ServedListener[]): ClientValidation | undefined {
  const asked = listeners.flatMap((l) => l.clientValidation ?? []);
  if (asked.length === 0) return undefined;
  const cas = [...new Set(asked.map((v) => v.caCertificates))];
  const mode = asked.some((v) => v.mode === 'AllowValidOnly') ? 'AllowValidOnly' : 'AllowInsecureFallback';
  return { caCertificates: cas.join(''), mode };
}
