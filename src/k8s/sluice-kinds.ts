// Sluice's own policy kinds (sluice.dev/v1alpha1), watched in Kubernetes mode once their CRDs are
// served (`sluice install` installs them, install-sluice-crds.ts), keyed by store kind like Gloo's.
import type { KubeObject } from './client.ts';
import type { GlooKindInfo } from './gloo-kinds.ts';

export const SLUICE_KINDS: readonly GlooKindInfo[] = [
  { group: 'sluice.dev', kind: 'TrafficPolicy', storeKind: 'TrafficPolicy', plural: 'trafficpolicies', namespaced: true, versions: ['v1alpha1'] },
  { group: 'sluice.dev', kind: 'BackendPolicy', storeKind: 'BackendPolicy', plural: 'backendpolicies', namespaced: true, versions: ['v1alpha1'] },
];

/** Adds `namespace/name` of each Service a BackendPolicy object targets (a live object: nothing trusted). */
export function policyServices(o: KubeObject, out: Set<string>): void {
  const refs = (o.spec as { targetRefs?: unknown } | undefined)?.targetRefs;
  if (!Array.isArray(refs)) return;
  const ns = o.metadata?.namespace ?? 'default';
  for (const r of refs as Array<{ kind?: unknown; name?: unknown } | null>) if (r?.kind === 'Service' && typeof r.name === 'string') out.add(`${ns}/${r.name}`);
}
