// The `config-sluice` ConfigMap's settings onto the snapshot (src/sources/config-sluice.ts reads it),
// so they reach the data plane with the routes and a change is served like any other. Its
// default certificate's Secret joins `tls` (without SNI names), where private keys are kept out of
// every output. Pure.
import { hash } from 'node:crypto';
import type { Secret } from '../api/types.ts';
import type { ConfigMap } from '../gateway-api/types.ts';
import type { Diagnostic, TlsCertificate, TranslateResult } from '../snapshot/types.ts';
import { CONFIG_SLUICE, gatewayDefaults } from '../sources/config-sluice.ts';
import { keyPair } from './tls.ts';
import { hasRouteDefaults, withRouteDefaults } from '../policies/route-defaults.ts';

export function withGatewayDefaults(result: TranslateResult, configMaps: ReadonlyMap<string, ConfigMap>, secrets: ReadonlyMap<string, Secret>, namespace: string): TranslateResult {
  let defaults = gatewayDefaults(configMaps, namespace);
  // Without config-sluice the snapshot and its hash are as before.
  if (defaults === undefined) return result;
  const s = result.snapshot;
  let tls = s.tls;
  const diagnostics: Diagnostic[] = [];
  const certName = defaults.defaultCertificate;
  if (certName !== undefined) {
    const cert = defaultCertificate(certName, secrets, tls);
    if (typeof cert === 'string') {
      diagnostics.push({ level: 'warning', subject: `ConfigMap ${namespace}/${CONFIG_SLUICE}`, message: `default-certificate: Secret "${certName}" ${cert}; not served` });
      const { defaultCertificate: _, ...rest } = defaults;
      defaults = Object.keys(rest).length === 0 ? undefined : rest;
    } else if (cert !== undefined) tls = [...tls, cert].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  let snapshot = defaults === undefined ? s : { ...s, tls, gatewayDefaults: defaults, hash: hash('sha256', `${s.hash}\nconfig-sluice ${JSON.stringify(defaults)}`, 'hex') };
  let out: TranslateResult = result;
  // ext_authz and the stream idle timeout are the routes' (policies/route-defaults.ts); the list
  // diffs compared the routes before them, so consumers compare instead.
  if (defaults !== undefined && hasRouteDefaults(defaults)) {
    snapshot = withRouteDefaults(snapshot, defaults);
    const { diffs: _dropped, ...rest } = result;
    out = rest;
  }
  return { ...out, snapshot, ...(diagnostics.length > 0 && { diagnostics: [...result.diagnostics, ...diagnostics] }) };
}

/** The Secret as a certificate to add, undefined when `tls` holds it already, or why it cannot be used. */
function defaultCertificate(name: string, secrets: ReadonlyMap<string, Secret>, tls: readonly TlsCertificate[]): TlsCertificate | string | undefined {
  const secret = secrets.get(name);
  if (secret === undefined) return 'not found';
  const pair = keyPair(secret);
  if (typeof pair === 'string') return pair;
  // An ingress names it too: its entry (same name, same PEMs) serves both.
  if (tls.some((c) => c.name === name && c.gateway !== true)) return undefined;
  return { name, hosts: [], ...pair };
}
