// Listener settings from text, as flags and `config-sluice` keys write them. Each parser throws an
// Error whose message says what the value must be; callers name the flag, or the file, line and key.
import tls from 'node:tls';
import { PROXY_LISTENERS, type ProxyListenerName, type TlsMinVersion } from './listener-settings.ts';

/**
 * `http,https,gateway` (any of http, https, local, gateway), `all`, `none`, or, as config-kourier's
 * `enable-proxy-protocol` has it, `true` (the external listeners: http, https and Gateway ports) and `false`.
 */
export function parseProxyListeners(value: string): ReadonlySet<ProxyListenerName> {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'none' || v === 'false') return new Set();
  if (v === 'all') return new Set(PROXY_LISTENERS);
  if (v === 'true') return new Set<ProxyListenerName>(['http', 'https', 'gateway']);
  const out = new Set<ProxyListenerName>();
  for (const part of v.split(',')) {
    const name = part.trim() === 'external' ? 'http' : part.trim();
    if (!(PROXY_LISTENERS as readonly string[]).includes(name)) throw new Error(`"${part.trim()}" is not a listener: use ${PROXY_LISTENERS.join(', ')}, all, none, true or false`);
    out.add(name as ProxyListenerName);
  }
  return out;
}

/** A whole number 0..64 (Envoy's xff_num_trusted_hops). */
export function parseTrustedHops(value: string): number {
  const v = value.trim();
  if (!/^\d{1,2}$/.test(v) || Number(v) > 64) throw new Error('must be a whole number from 0 to 64');
  return Number(v);
}

/** `1.2` or `1.3` (also `TLSv1.2`, `TLSV1_2` as Envoy spells it). */
export function parseTlsMinVersion(value: string): TlsMinVersion {
  const v = value.trim().toLowerCase().replace(/^tlsv?/, '').replace('_', '.');
  if (v === '1.2') return 'TLSv1.2';
  if (v === '1.3') return 'TLSv1.3';
  throw new Error('must be 1.2 or 1.3 (older versions are not offered)');
}

/** Names OpenSSL knows here, lower case (TLS 1.3 suites included: tls_aes_128_gcm_sha256). */
const KNOWN_CIPHERS = new Set(tls.getCiphers());

/** OpenSSL cipher suite names separated by `:` or `,`; each must be one this Node's OpenSSL offers. */
export function parseCipherSuites(value: string): readonly string[] {
  const names = value.split(/[:,]/).map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!/^[A-Za-z0-9_-]+$/.test(n) || !KNOWN_CIPHERS.has(n.toLowerCase())) throw new Error(`"${n}" is not a cipher suite this OpenSSL offers (OpenSSL names, for example ECDHE-RSA-AES128-GCM-SHA256)`);
  }
  return names;
}
