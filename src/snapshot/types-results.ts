// What a translation reports beside the snapshot: Knative statuses, other objects' statuses and
// diagnostics.
import type { Condition, LoadBalancerStatus } from '../api/types.ts';
import type { ContentDiffs } from './change.ts';
import type { SnapshotContent } from './types-snapshot.ts';

/** Knative status of one ingress, as the translator computes it. */
export interface IngressStatusReport {
  readonly namespace: string;
  readonly name: string;
  /** ingress hash; empty when the ingress has never had a valid spec */
  readonly hash: string;
  readonly generation?: number;
  readonly conditions: readonly Condition[];
  readonly publicLoadBalancer: LoadBalancerStatus;
  readonly privateLoadBalancer: LoadBalancerStatus;
}

/** A problem found while translating, tied to the ingress (or resource) it belongs to. */
export interface Diagnostic {
  readonly level: 'warning' | 'error';
  /** `Kind namespace/name` */
  readonly subject: string;
  readonly message: string;
}

/**
 * The status of one object of another config API (Gateway API, Gloo), exactly what Kubernetes
 * mode writes to its status subresource; `/status` lists these too.
 */
export interface ObjectStatus {
  readonly apiVersion: string;
  readonly kind: string;
  /** empty for cluster-scoped kinds (GatewayClass) */
  readonly namespace: string;
  readonly name: string;
  readonly generation: number;
  readonly status: Readonly<Record<string, unknown>>;
}

export interface TranslateResult {
  readonly snapshot: SnapshotContent;
  readonly statuses: readonly IngressStatusReport[];
  /** Gateway API (and later Gloo) objects' statuses, sorted by kind, namespace, name */
  readonly objectStatuses?: readonly ObjectStatus[];
  readonly diagnostics: readonly Diagnostic[];
  /**
   * how the snapshot's lists were made from those of the result before (same translator state);
   * absent when the translation started over
   */
  readonly diffs?: ContentDiffs;
}
