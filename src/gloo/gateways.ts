// Gloo Gateways -> PortListeners: each Gateway binds `bindAddress:bindPort` (plus --port-offset)
// and serves the VirtualServices it selects: those its httpGateway.virtualServices names, or else
// those its virtualServiceSelector's labels pick in virtualServiceNamespaces (all by default);
// an `ssl: true` Gateway only those with an sslConfig, a plain one only those without, as Gloo does.
import { isIP } from 'node:net';
import { formatAddress } from '../net/address.ts';
import type { PortListener, TlsCertificate, VirtualHost } from '../snapshot/types.ts';
import type { TranslateOptions } from '../translate/options.ts';
import { namespaceOf, objectKey, type Reports } from './report.ts';
import type { GlooGateway } from './types.ts';
import type { TranslatedVirtualService } from './virtual-services.ts';

export interface GlooPorts {
  readonly ports: PortListener[];
  readonly tls: TlsCertificate[];
  /** keys of the VirtualServices some Gateway serves */
  readonly served: Set<string>;
}

export function glooPorts(gateways: readonly GlooGateway[], vss: readonly TranslatedVirtualService[], reports: Reports, options: TranslateOptions): GlooPorts {
  const ports: PortListener[] = [];
  const certs = new Map<string, TlsCertificate>();
  const served = new Set<string>();
  const owners = new Map<string, string>();
  for (const gw of [...gateways].sort((a, b) => cmp(objectKey(a), objectKey(b)))) {
    const address = gw.spec.bindAddress ?? options.gatewayAddress;
    if (isIP(address) === 0) {
      reports.error(gw, 'spec.bindAddress', `must be an IP address, got ${JSON.stringify(address)}`);
      continue;
    }
    const bindPort = gw.spec.bindPort;
    if (typeof bindPort !== 'number' || bindPort < 1 || bindPort > 65535 || bindPort + options.portOffset > 65535) {
      reports.error(gw, 'spec.bindPort', `must be 1..65535${options.portOffset !== 0 ? ` (with --port-offset ${options.portOffset})` : ''}`);
      continue;
    }
    const port = bindPort + options.portOffset;
    const name = `gloo/${formatAddress({ address, port })}`;
    const owner = owners.get(name);
    if (owner !== undefined) {
      reports.error(gw, 'spec.bindPort', `${formatAddress({ address, port })} is already bound by Gateway ${owner}`);
      continue;
    }
    owners.set(name, `${namespaceOf(gw)}/${gw.metadata.name}`);
    const ssl = gw.spec.ssl === true;
    const selected = vss.filter((v) => v.ssl === ssl && selects(gw, v));
    const virtualHosts: VirtualHost[] = [];
    const claimed = new Map<string, string>();
    const portCerts: string[] = [];
    for (const v of selected) {
      served.add(v.key);
      const domains = v.vhost.domains.filter((d) => {
        const other = claimed.get(d);
        if (other === undefined) {
          claimed.set(d, v.key);
          return true;
        }
        reports.warn(v.vs, 'spec.virtualHost.domains', `domain ${JSON.stringify(d)} is served by ${other} on Gateway ${owners.get(name)}: not served here`);
        return false;
      });
      if (domains.length === 0) continue;
      virtualHosts.push({ ...v.vhost, name: `${name}/${v.vhost.name}`, domains, ...(ssl && { listenerHostname: '*' }) });
      if (ssl && v.certificate !== undefined) {
        const certName = `gloo:${v.certificate.secret}`;
        const { secret: _s, ...pair } = v.certificate;
        const had = certs.get(certName);
        certs.set(certName, had === undefined ? { ...pair, name: certName, gateway: true } : { ...had, hosts: [...new Set([...had.hosts, ...pair.hosts])].sort() });
        if (!portCerts.includes(certName)) portCerts.push(certName);
      }
    }
    if (ssl && portCerts.length === 0) {
      reports.warn(gw, 'spec.ssl', 'no selected VirtualService has a usable sslConfig: the port is not served');
      continue;
    }
    ports.push({ name, address, port, listenerPort: bindPort, protocol: ssl ? 'HTTPS' : 'HTTP', certificates: portCerts, virtualHosts: virtualHosts.sort((a, b) => cmp(a.name, b.name)) });
  }
  return { ports: ports.sort((a, b) => cmp(a.name, b.name)), tls: [...certs.values()].sort((a, b) => cmp(a.name, b.name)), served };
}

function selects(gw: GlooGateway, v: TranslatedVirtualService): boolean {
  const http = gw.spec.httpGateway ?? {};
  const ns = namespaceOf(v.vs);
  if (http.virtualServices !== undefined && http.virtualServices.length > 0) {
    return http.virtualServices.some((r) => r.name === v.vs.metadata.name && (r.namespace || namespaceOf(gw)) === ns);
  }
  const namespaces = http.virtualServiceNamespaces ?? ['*'];
  if (!namespaces.includes('*') && !namespaces.includes(ns)) return false;
  const labels = v.vs.metadata.labels ?? {};
  return Object.entries(http.virtualServiceSelector ?? {}).every(([k, val]) => labels[k] === val);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
