// `serve` flags for the listener settings (PROXY protocol, trusted hops, TLS versions and ciphers):
// the baseline that `config-sluice` keys override while they are set.
import { SluiceError } from '../errors.ts';
import { DEFAULT_TLS, type ListenerSettings } from '../proxy/listener-settings.ts';
import { parseCipherSuites, parseProxyListeners, parseTlsMinVersion, parseTrustedHops } from '../proxy/listener-settings-parse.ts';

export interface ListenerFlags {
  /** listeners whose connections start with a PROXY protocol header */
  proxyProtocol?: string;
  trustedHops?: string;
  tlsMinVersion?: string;
  tlsCipherSuites?: string;
}

export function listenerSettingsFromFlags(f: ListenerFlags): ListenerSettings {
  const flag = <T>(value: string | undefined, name: string, parse: (v: string) => T, absent: T): T => {
    if (value === undefined) return absent;
    try {
      return parse(value);
    } catch (err) {
      throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${name}: "${value}" ${(err as Error).message}`);
    }
  };
  return {
    proxyProtocol: flag(f.proxyProtocol, '--proxy-protocol', parseProxyListeners, new Set()),
    trustedHops: flag(f.trustedHops, '--trusted-hops', parseTrustedHops, 0),
    tls: {
      minVersion: flag(f.tlsMinVersion, '--tls-min-version', parseTlsMinVersion, DEFAULT_TLS.minVersion),
      cipherSuites: flag(f.tlsCipherSuites, '--tls-cipher-suites', parseCipherSuites, DEFAULT_TLS.cipherSuites),
    },
  };
}
