// Waiting for what was just applied: CRDs Established (before objects of their kinds are applied),
// Deployments Available, and webhook Services with a ready endpoint (before anything the webhooks
// admit is written, config-network included). Polls with a bounded deadline; the error names what
// was still not ready.
import { SluiceError } from '../../errors.ts';
import { getIfExists, type KubeClient, type KubeObject } from '../client.ts';
import type { Manifest } from '../install.ts';

type Condition = { type?: string; status?: string };
const conditionTrue = (o: KubeObject | undefined, type: string): boolean => ((o?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** One thing to wait for: its name in progress lines and errors, and a check. */
export interface Readiness {
  readonly what: string;
  ready(client: KubeClient): Promise<boolean>;
}


export function crdsEstablished(crds: readonly Manifest[]): Readiness[] {
  return crds
    .filter((m) => m.kind === 'CustomResourceDefinition')
    .map((m) => ({
      what: `CustomResourceDefinition ${m.metadata.name} Established`,
      ready: async (c: KubeClient) => conditionTrue(await getIfExists(c, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(m.metadata.name)}`), 'Established'),
    }));
}

/** Every Deployment among the manifests Available, then every Service a webhook configuration calls with a ready endpoint. */
export function servingReadiness(manifests: readonly Manifest[]): Readiness[] {
  const deployments = manifests
    .filter((m) => m.apiVersion === 'apps/v1' && m.kind === 'Deployment')
    .map((m) => {
      const ns = m.metadata.namespace ?? 'default';
      return {
        what: `Deployment ${ns}/${m.metadata.name} Available`,
        ready: async (c: KubeClient) => conditionTrue(await getIfExists(c, `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments/${encodeURIComponent(m.metadata.name)}`), 'Available'),
      };
    });
  return [...deployments, ...webhookServices(manifests).map(([ns, name]) => ({ what: `webhook Service ${ns}/${name} with a ready endpoint`, ready: (c: KubeClient) => hasReadyEndpoint(c, ns, name) }))];
}

/** `[namespace, name]` of each Service the admission webhook configurations call, once each, in order. */
export function webhookServices(manifests: readonly Manifest[]): Array<[string, string]> {
  const seen = new Map<string, [string, string]>();
  for (const m of manifests) {
    if (!/^(Validating|Mutating)WebhookConfiguration$/.test(m.kind) || !m.apiVersion.startsWith('admissionregistration.k8s.io/')) continue;
    for (const w of (m.webhooks as Array<{ clientConfig?: { service?: { namespace?: string; name?: string } } }> | undefined) ?? []) {
      const s = w.clientConfig?.service;
      if (s?.name) seen.set(`${s.namespace ?? 'default'}/${s.name}`, [s.namespace ?? 'default', s.name]);
    }
  }
  return [...seen.values()];
}

/** A ready address in the Service's EndpointSlices, else in its Endpoints (older clusters). */
async function hasReadyEndpoint(client: KubeClient, ns: string, name: string): Promise<boolean> {
  const slices = await client.list<{ endpoints?: Array<{ conditions?: { ready?: boolean } }> }>(`/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/endpointslices`, { labelSelector: `kubernetes.io/service-name=${name}` });
  // An unset `ready` means ready, as the EndpointSlice API says.
  if (slices.items.some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready !== false))) return true;
  const ep = await getIfExists(client, `/api/v1/namespaces/${encodeURIComponent(ns)}/endpoints/${encodeURIComponent(name)}`);
  return ((ep?.subsets as Array<{ addresses?: unknown[] }> | undefined) ?? []).some((s) => (s.addresses ?? []).length > 0);
}

/** Checks each in order until all are ready or the deadline passes (then one error naming what was not). */
export async function waitUntilReady(client: KubeClient, checks: readonly Readiness[], deadline: number, progress: (line: string) => void, pollMs = 500): Promise<void> {
  for (const check of checks) {
    let said = false;
    for (;;) {
      if (await check.ready(client)) break;
      if (Date.now() >= deadline) throw new SluiceError('SLUICE_ERR_KUBERNETES', `timed out waiting for ${check.what} (raise --timeout, or see why with kubectl)`);
      if (!said) progress(`waiting for ${check.what}`);
      said = true;
      await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
    }
  }
}
