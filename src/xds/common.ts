// Small Envoy message builders shared by the listener, route and cluster translators.
import { SluiceError } from '../errors.ts';
import { typed, type ProtoObject } from './encode.ts';
import type { ListenerSettings } from '../proxy/listener-settings.ts';

/** Where each Envoy listener binds, as `host:port` (IPv6 hosts in brackets). */
/** Where Envoy's listeners bind, and how they treat requests as Sluice's own listeners do. */
export interface ListenerAddresses {
  readonly externalAddress: string;
  readonly externalTlsAddress: string;
  readonly localAddress: string;
  /** normalise paths before routing (default true; `--no-normalize-path`) */
  readonly normalizePath?: boolean;
  /** PROXY protocol, trusted hops, TLS parameters from the flags (config-sluice's come with the snapshot) */
  readonly listenerSettings?: ListenerSettings;
}

/** Names of the Envoy listeners and of the route configurations they load over RDS. */
export const LISTENER = { external: 'external', externalTls: 'external-tls', local: 'local' } as const;
export const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.values(LISTENER));

/** Splits `host:port` / `[v6]:port` into parts; `what` names the option in the error. */
export function parseHostPort(value: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${what}: "${value}" is not host:port`);
  }
  return { host: (m[1] ?? m[2])!, port };
}

/**
 * Throws SLUICE_ERR_BAD_FLAG when an address is not host:port, or when two listeners would bind
 * the same port (Envoy would reject the second listener and with it the whole LDS update).
 */
export function checkListenerAddresses(addresses: ListenerAddresses): void {
  const names = ['externalAddress', 'externalTlsAddress', 'localAddress'] as const;
  const parsed = names.map((what) => ({ what, ...parseHostPort(addresses[what], what) }));
  const anyHost = (h: string) => h === '0.0.0.0' || h === '::';
  for (const [i, a] of parsed.entries()) {
    for (const b of parsed.slice(i + 1)) {
      if (a.port === b.port && (a.host === b.host || anyHost(a.host) || anyHost(b.host))) {
        throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${a.what} and ${b.what} both use port ${a.port}`);
      }
    }
  }
}

export function socketAddress(address: string, port: number): ProtoObject {
  // `::` alone would take IPv6 only; Sluice's own `[::]:port` listeners take IPv4 as well.
  return { socket_address: { address, port_value: port, ipv4_compat: address === '::' ? true : undefined } };
}

/** Resources of every type come over the one ADS stream. */
export const ADS_CONFIG_SOURCE: ProtoObject = { ads: {}, resource_api_version: 'V3' };

export const ROUTER_FILTER: ProtoObject = {
  name: 'envoy.filters.http.router',
  typed_config: typed('envoy.extensions.filters.http.router.v3.Router', {}),
};

export const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
