// The `config-sluice` ConfigMap's settings onto the snapshot (src/sources/config-sluice.ts reads it),
// so they reach the data plane with the routes and a change is served like any other. Pure.
import { hash } from 'node:crypto';
import type { ConfigMap } from '../gateway-api/types.ts';
import type { TranslateResult } from '../snapshot/types.ts';
import { gatewayDefaults } from '../sources/config-sluice.ts';

export function withGatewayDefaults(result: TranslateResult, configMaps: ReadonlyMap<string, ConfigMap>, namespace: string): TranslateResult {
  const defaults = gatewayDefaults(configMaps, namespace);
  // Without config-sluice the snapshot and its hash are as before.
  if (defaults === undefined) return result;
  const s = result.snapshot;
  return { ...result, snapshot: { ...s, gatewayDefaults: defaults, hash: hash('sha256', `${s.hash}\nconfig-sluice ${JSON.stringify(defaults)}`, 'hex') } };
}
