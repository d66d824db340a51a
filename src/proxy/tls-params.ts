// A listener's TLS versions and cipher suites as node:tls server options. They belong to the
// server's own context: OpenSSL settles the version and cipher list before the SNI callback swaps
// in a certificate's context, so setting them there would change nothing.
import tls from 'node:tls';
import type { TlsParams } from './listener-settings.ts';

/** Node's TLS 1.3 suites, kept when only TLS 1.2 suites are listed (as Envoy, whose cipher_suites never touch TLS 1.3). */
const DEFAULT_TLS13 = tls.DEFAULT_CIPHERS.split(':').filter((c) => c.startsWith('TLS_'));

export function tlsParamOptions(p: TlsParams): Pick<tls.SecureContextOptions, 'minVersion' | 'ciphers'> {
  if (p.cipherSuites.length === 0) return { minVersion: p.minVersion };
  const listed = p.cipherSuites.map((c) => (c.toLowerCase().startsWith('tls_') ? c.toUpperCase() : c));
  // Node reads names starting TLS_ as TLS 1.3 suites; without any, it would turn TLS 1.3 off.
  const tls13 = listed.some((c) => c.startsWith('TLS_')) ? [] : DEFAULT_TLS13;
  return { minVersion: p.minVersion, ciphers: [...tls13, ...listed].join(':') };
}
