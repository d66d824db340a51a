// Listener settings as Envoy has them: the proxy_protocol listener filter (before tls_inspector: the
// header comes before the ClientHello), xff_num_trusted_hops on the connection managers, tls_params on
// the TLS chains. The same settings as the data plane's: the flags, with config-sluice's over them.
import type { ListenerSettings, ProxyListenerName, TlsParams } from '../proxy/listener-settings.ts';
import { defaultListenerSettings, withDefaults } from '../proxy/listener-settings.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { ListenerAddresses } from './common.ts';
import { type ProtoObject, typed } from './encode.ts';

export const PROXY_PROTOCOL_FILTER: ProtoObject = {
  name: 'envoy.filters.listener.proxy_protocol',
  typed_config: typed('envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol', {}),
};

export function effectiveSettings(snapshot: Snapshot, addresses: ListenerAddresses): ListenerSettings {
  return withDefaults(addresses.listenerSettings ?? defaultListenerSettings, snapshot.gatewayDefaults);
}

/** The listener filters of one listener: proxy_protocol first when it requires the header. */
export function listenerFilters(settings: ListenerSettings, listener: ProxyListenerName, rest: readonly ProtoObject[]): ProtoObject[] | undefined {
  const filters = settings.proxyProtocol.has(listener) ? [PROXY_PROTOCOL_FILTER, ...rest] : [...rest];
  return filters.length === 0 ? undefined : filters;
}

/** Envoy's TLS parameters; undefined at its defaults (TLS 1.2 and up, its own suites). TLS 1.3 suites are not configurable in Envoy. */
export function tlsParamsProto(t: TlsParams): ProtoObject | undefined {
  const suites = t.cipherSuites.filter((c) => !c.toUpperCase().startsWith('TLS_'));
  if (t.minVersion === 'TLSv1.2' && suites.length === 0) return undefined;
  return { tls_minimum_protocol_version: t.minVersion === 'TLSv1.3' ? 'TLSv1_3' : 'TLSv1_2', ...(suites.length > 0 && { cipher_suites: suites }) };
}
