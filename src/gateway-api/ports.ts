// Programmed listeners -> the ports they bind (PortListeners but for their virtual hosts, which
// route-index.ts builds from the attached routes): every programmed listener's port is bound (with no route, its
// requests get 404); each host name on a port gets one virtual host holding the routes of every
// listener that serves that name there, ordered by the API's precedence (byPrecedence).
// Listener isolation (the spec's "HTTP listener isolation"): a request goes to the most specific
// listener whose hostname matches it, so a route attached to a less specific listener does not
// serve a host name that a more specific listener on the same port covers.
import type { ClientValidation, PortListener, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import type { GatewayView, ServedListener } from './gateways.ts';
import { covers, specificity } from './hostnames.ts';

/** A port's listeners and its PortListener but for the virtual hosts (route-index.ts adds them). */
export interface PortTemplate {
  readonly listeners: readonly ServedListener[];
  readonly https: boolean;
  readonly port: Omit<PortListener, 'virtualHosts' | 'clientValidation'>;
  readonly clientValidation: ClientValidation | undefined;
}

/** The PortListener of `t` with `virtualHosts` (fields in the order a snapshot dump shows them). */
export function portOf(t: PortTemplate, virtualHosts: readonly VirtualHost[]): PortListener {
  return { ...t.port, virtualHosts, ...(t.clientValidation !== undefined && { clientValidation: t.clientValidation }) };
}

/** The ports every programmed listener binds, by name in name order, and their certificates (sorted by name). */
export function portTemplates(gateways: readonly GatewayView[]): { templates: Map<string, PortTemplate>; tls: TlsCertificate[] } {
  const byPort = new Map<string, ServedListener[]>();
  for (const g of gateways) {
    for (const l of g.listeners) {
      if (!l.programmed) continue;
      const list = byPort.get(l.portName);
      if (list === undefined) byPort.set(l.portName, [l]);
      else list.push(l);
    }
  }
  const templates = new Map<string, PortTemplate>();
  const certs = new Map<string, TlsCertificate>();
  for (const [name, listeners] of [...byPort.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const first = listeners[0] as ServedListener;
    const https = first.spec.protocol === 'HTTPS';
    const clientValidation = https ? clientValidationOf(listeners) : undefined;
    const port = {
      name,
      address: first.bindAddress,
      port: first.bindPort,
      listenerPort: first.spec.port,
      protocol: https ? ('HTTPS' as const) : ('HTTP' as const),
      certificates: https ? certificatesOf(listeners, certs) : [],
    };
    templates.set(name, { listeners, https, port, clientValidation });
  }
  return { templates, tls: [...certs.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

/** Whether `listener` is (one of) the most specific listener(s) on its port for `host`. */
export function selects(listeners: readonly ServedListener[], host: string, listener: ServedListener): boolean {
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
