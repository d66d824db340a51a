// The `config-sluice` ConfigMap: gateway-wide settings in the spirit of Knative's `config-kourier`,
// one key per setting, in the gateway's namespace (that of --gateway-service). Validation runs with
// every other document's (a bad value rejects the document with its file, line and key, and its last
// good version keeps serving); translation turns the keys set into the snapshot's gatewayDefaults,
// which override the `serve` flags while they are set. Pure: no I/O.
import type { Check } from '../api/check.ts';
import { field } from '../api/check.ts';
import type { ConfigMap } from '../gateway-api/types.ts';
import { parseCipherSuites, parseProxyListeners, parseTlsMinVersion, parseTrustedHops } from '../proxy/listener-settings-parse.ts';
import type { GatewayDefaults } from '../snapshot/types.ts';
import { AUTHZ_KEYS, authzDefault, parseTimeout } from './config-sluice-policies.ts';

export const CONFIG_SLUICE = 'config-sluice';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Each key: how its value is read into the defaults (a parser throws with what the value must be). */
const KEYS: Readonly<Record<string, (value: string, into: Mutable<GatewayDefaults>) => void>> = {
  'enable-proxy-protocol': (v, d) => {
    d.proxyProtocol = [...parseProxyListeners(v)].sort();
  },
  'trusted-hops-count': (v, d) => {
    d.trustedHops = parseTrustedHops(v);
  },
  'tls-min-version': (v, d) => {
    d.tlsMinVersion = parseTlsMinVersion(v);
  },
  'cipher-suites': (v, d) => {
    d.cipherSuites = parseCipherSuites(v);
  },
  // Kourier's certs-secret-namespace/-name: the certificate for TLS clients whose SNI no ingress names.
  'default-certificate': (v, d) => {
    const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(v.trim());
    if (!m || m[1]!.length > 63 || m[3]!.length > 253) throw new Error('must be NAMESPACE/NAME of a kubernetes.io/tls Secret');
    d.defaultCertificate = `${m[1]}/${m[3]}`;
  },
  // Envoy's stream_idle_timeout: every route without an idle timeout of its own gets this one.
  'stream-idle-timeout': (v, d) => {
    d.streamIdleTimeout = parseTimeout(v);
  },
  // Read together into one ext_authz policy (config-sluice-policies.ts); each value checked here.
  ...Object.fromEntries(Object.entries(AUTHZ_KEYS).map(([k, read]) => [k, (v: string) => read(v, {})])),
};

/** Keys starting with `_` are notes (the installed ConfigMap's `_example`), never read. */
function isNote(key: string): boolean {
  return key.startsWith('_');
}

/** Validates a `config-sluice` document's data: unknown keys and bad values are errors at `data.<key>`. */
export function checkConfigSluice(c: Check, data: Readonly<Record<string, string>> | undefined): void {
  if (data === undefined) return;
  for (const [key, value] of Object.entries(data)) {
    if (isNote(key)) continue;
    const read = KEYS[key];
    if (read === undefined) {
      c.fail(field('data', key), `unknown key; config-sluice keys are ${Object.keys(KEYS).join(', ')}`);
      continue;
    }
    try {
      read(value, {});
    } catch (err) {
      c.fail(field('data', key), `"${value}" ${(err as Error).message}`);
    }
  }
  try {
    authzDefault(data);
  } catch (err) {
    const key = (err as Error & { key?: string }).key;
    // A bad value is reported above already; only the missing host is new.
    if (key !== undefined) c.fail(field('data', key), (err as Error).message);
  }
}

/** The defaults the gateway's `config-sluice` sets; undefined when there is none (or it sets nothing). */
export function gatewayDefaults(configMaps: ReadonlyMap<string, ConfigMap>, namespace: string): GatewayDefaults | undefined {
  const data = configMaps.get(`${namespace}/${CONFIG_SLUICE}`)?.data;
  if (data === undefined) return undefined;
  const out: Mutable<GatewayDefaults> = {};
  for (const key of Object.keys(data).sort()) {
    const read = KEYS[key];
    if (read === undefined || isNote(key)) continue;
    try {
      read(data[key]!, out);
    } catch {
      // Validated already; a value that no longer parses leaves the flag's setting in force.
    }
  }
  try {
    const authz = authzDefault(data);
    if (authz !== undefined) out.extAuthz = authz;
  } catch {
    // Validated already.
  }
  return Object.keys(out).length === 0 ? undefined : Object.freeze(out);
}
