// metav1.Condition values as the Gateway API's status fields hold them. No lastTransitionTime: the
// translator has no clock; whoever writes the status (Kubernetes mode) stamps it, keeping the
// earlier time when a condition did not change.
export interface GatewayCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
}

export function condition(type: string, ok: boolean, reason: string, message: string, generation: number): GatewayCondition {
  return { type, status: ok ? 'True' : 'False', reason, message, observedGeneration: generation };
}

/** `metadata.generation`, 1 when absent (file mode: the API server would have set it). */
export function generationOf(meta: { generation?: number }): number {
  return meta.generation ?? 1;
}
