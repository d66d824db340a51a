// What the status controller tests share: a translation's statuses published to the controller's
// feed, a Ready report for one ingress, the gateway's replicas, and reading Ready back.
import type { SettableFeed } from '../../src/snapshot/feed.ts';
import type { IngressStatusReport, Snapshot, TranslateResult } from '../../src/snapshot/types.ts';
import type { KIngress } from '../../src/api/types.ts';
import type { FakeApiServer } from '../support/fake-apiserver.ts';
import { slice } from './helpers.ts';

/** Publishes an empty snapshot whose translation reported `statuses`, as the pipeline would. */
export function publishStatuses(feed: SettableFeed, statuses: IngressStatusReport[], version = 1): void {
  const content = { hash: `h${version}`, listeners: { external: [], local: [] }, ports: [], clusters: [], tls: [], ingresses: [] };
  const snapshot: Snapshot = { ...content, version };
  const result: TranslateResult = { snapshot: content, statuses, diagnostics: [] };
  feed.publish(snapshot, result);
}

/** A translation's report that the ingress `app/NAME` is configured and Ready with `hash`. */
export function readyReport(name: string, hash: string, generation: number): IngressStatusReport {
  return {
    namespace: 'app',
    name,
    hash,
    generation,
    conditions: [{ type: 'NetworkConfigured', status: 'True' }, { type: 'LoadBalancerReady', status: 'True' }, { type: 'Ready', status: 'True' }],
    publicLoadBalancer: { ingress: [{ domainInternal: 'sluice.sluice-system.svc.cluster.local' }] },
    privateLoadBalancer: { ingress: [{ domainInternal: 'sluice-internal.sluice-system.svc.cluster.local' }] },
  };
}

/** One ready replica behind each of the gateway's Services (external and cluster-local). */
export function putGatewayReplicas(api: FakeApiServer): void {
  api.put(slice('sluice-system', 'sluice-abc', 'sluice', ['127.0.0.1'], 1));
  api.put(slice('sluice-system', 'sluice-internal-abc', 'sluice-internal', ['127.0.0.1'], 1));
}

/** Whether the fake API server holds `app/NAME` with a Ready=True condition in its status. */
export function statusReady(api: FakeApiServer, name: string): boolean {
  const ing = api.get('networking.internal.knative.dev/v1alpha1', 'Ingress', 'app', name) as unknown as KIngress;
  return ing.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}
