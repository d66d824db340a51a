// Small Envoy message builders shared by the listener, route and cluster translators.
import { SluiceError } from '../errors.ts';
import type { HeaderPair } from '../snapshot/types.ts';
import { typed, type ProtoObject } from './encode.ts';

/** Where each Envoy listener binds, as `host:port` (IPv6 hosts in brackets). */
export interface ListenerAddresses {
  readonly externalAddress: string;
  readonly externalTlsAddress: string;
  readonly localAddress: string;
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

export function socketAddress(address: string, port: number): ProtoObject {
  // `::` alone would take IPv6 only; Sluice's own `[::]:port` listeners take IPv4 as well.
  return { socket_address: { address, port_value: port, ipv4_compat: address === '::' ? true : undefined } };
}

/** Resources of every type come over the one ADS stream. */
export const ADS_CONFIG_SOURCE: ProtoObject = { ads: {}, resource_api_version: 'V3' };

/** Request headers that replace what the client sent, as KIngress `appendHeaders` requires. */
export function setHeaders(headers: readonly HeaderPair[]): ProtoObject[] | undefined {
  if (headers.length === 0) return undefined;
  return headers.map(([key, value]) => ({
    header: { key, value },
    append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
  }));
}

export const ROUTER_FILTER: ProtoObject = {
  name: 'envoy.filters.http.router',
  typed_config: typed('envoy.extensions.filters.http.router.v3.Router', {}),
};

export const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
