// Gateway API ports (Snapshot.ports) -> Envoy listeners: one per port at its own address, each
// loading the route configuration named after it. An HTTPS port inspects TLS and has one filter
// chain per certificate chosen by SNI, the first certificate also serving any other name (and
// clients that send none); certificates and keys come over SDS as for `external-tls`. A port with
// client validation has it on every chain (validation_context with the CAs inline).
import type { PortListener, Snapshot } from '../snapshot/types.ts';
import { parseHostPort, socketAddress, type ListenerAddresses } from './common.ts';
import type { ProtoObject } from './encode.ts';
import { type HcmOptions, httpConnectionManager, TLS_INSPECTOR, tlsFilterChain, tlsFilterChains } from './listeners.ts';
import type { NamedResource } from './routes.ts';
import { listenerFilters } from './listener-settings.ts';

function httpsListener(port: PortListener, snapshot: Snapshot, hcm: HcmOptions): ProtoObject | null {
  const byName = new Map(snapshot.tls.map((c) => [c.name, c]));
  const certs = port.certificates.flatMap((n) => byName.get(n) ?? []);
  if (certs.length === 0) return null; // Envoy refuses a listener that can serve no connection
  return {
    listener_filters: hcm.settings ? listenerFilters(hcm.settings, 'gateway', [TLS_INSPECTOR]) : [TLS_INSPECTOR],
    filter_chains: tlsFilterChains(certs, port.name, hcm, port.clientValidation),
    default_filter_chain: tlsFilterChain(certs[0]!, undefined, port.name, hcm, port.clientValidation),
  };
}

function portListener(port: PortListener, snapshot: Snapshot, hcm: HcmOptions): NamedResource | null {
  const chains =
    port.protocol === 'HTTPS'
      ? httpsListener(port, snapshot, hcm)
      : { listener_filters: hcm.settings && listenerFilters(hcm.settings, 'gateway', []), filter_chains: [{ filters: [httpConnectionManager(port.name, hcm)] }] };
  if (!chains) return null;
  return { name: port.name, resource: { name: port.name, address: socketAddress(port.address, port.port), ...chains } };
}

/**
 * Two listeners on one port (the same address, or either on every address) make Envoy refuse
 * the whole listener update, so a port that would clash with Knative's listeners is left out.
 */
function clashes(port: PortListener, addresses: ListenerAddresses): boolean {
  const anyHost = (h: string) => h === '0.0.0.0' || h === '::';
  return [addresses.externalAddress, addresses.externalTlsAddress, addresses.localAddress].some((a) => {
    const { host, port: p } = parseHostPort(a, 'listener address');
    return p === port.port && (host === port.address || anyHost(host) || anyHost(port.address));
  });
}

/** An address Envoy cannot bind would make the whole snapshot unservable (the encoder refuses it). */
function bindable(port: PortListener): boolean {
  return port.address !== '' && Number.isInteger(port.port) && port.port > 0 && port.port <= 65535;
}

export function buildPortListeners(snapshot: Snapshot, addresses: ListenerAddresses, hcm: HcmOptions): NamedResource[] {
  return snapshot.ports.flatMap((p) => (!bindable(p) || clashes(p, addresses) ? [] : (portListener(p, snapshot, hcm) ?? [])));
}
