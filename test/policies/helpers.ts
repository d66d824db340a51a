// TrafficPolicy documents for the policy tests.
export function trafficPolicy(name: string, spec: Record<string, unknown>, extra: { namespace?: string; creationTimestamp?: string } = {}): object {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'TrafficPolicy',
    metadata: { name, namespace: extra.namespace ?? 'default', ...(extra.creationTimestamp !== undefined && { creationTimestamp: extra.creationTimestamp }) },
    spec,
  };
}
