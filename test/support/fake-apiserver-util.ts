// Pure pieces of the fake API server: the resource table, JSON merge patch, label and field selectors.
export type KObject = { apiVersion?: string; kind?: string; metadata?: Record<string, unknown> & { name?: string; namespace?: string }; [k: string]: unknown };

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  hasStatus: boolean;
}

export const TYPES: ResourceType[] = [
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false, hasStatus: true },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, hasStatus: true },
  { group: '', version: 'v1', plural: 'endpoints', kind: 'Endpoints', namespaced: true, hasStatus: false },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true, hasStatus: false },
  { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true, hasStatus: false },
  { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, hasStatus: false },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true, hasStatus: false },
  { group: 'networking.internal.knative.dev', version: 'v1alpha1', plural: 'ingresses', kind: 'Ingress', namespaced: true, hasStatus: true },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true, hasStatus: false },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true, hasStatus: true },
  { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true, hasStatus: true },
  { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true, hasStatus: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', kind: 'ClusterRole', namespaced: false, hasStatus: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false, hasStatus: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', kind: 'Role', namespaced: true, hasStatus: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', kind: 'RoleBinding', namespaced: true, hasStatus: false },
  { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false, hasStatus: true },
  { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false, hasStatus: false },
  { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false, hasStatus: false },
];

/** What a CRD object serves, as the API server starts serving it once the CRD is created (served versions only). */
export function crdTypes(crd: KObject): ResourceType[] {
  const spec = crd.spec as { group?: string; scope?: string; names?: { plural?: string; kind?: string }; versions?: Array<{ name?: string; served?: boolean; subresources?: { status?: unknown } }> } | undefined;
  if (!spec?.group || !spec.names?.plural || !spec.names.kind) return [];
  return (spec.versions ?? [])
    .filter((v) => v.name && v.served !== false)
    .map((v) => ({ group: spec.group!, version: v.name!, plural: spec.names!.plural!, kind: spec.names!.kind!, namespaced: spec.scope !== 'Cluster', hasStatus: v.subresources?.status !== undefined }));
}

/** The Gateway API kinds as a release's CRDs serve them; a test installs them with FakeApiServer.installGatewayApi. */
export function gatewayApiTypes(version: 'v1' | 'v1beta1' = 'v1'): ResourceType[] {
  const g = 'gateway.networking.k8s.io';
  return [
    { group: g, version, plural: 'gatewayclasses', kind: 'GatewayClass', namespaced: false, hasStatus: true },
    { group: g, version, plural: 'gateways', kind: 'Gateway', namespaced: true, hasStatus: true },
    { group: g, version, plural: 'httproutes', kind: 'HTTPRoute', namespaced: true, hasStatus: true },
    { group: g, version: 'v1', plural: 'grpcroutes', kind: 'GRPCRoute', namespaced: true, hasStatus: true },
    { group: g, version: 'v1beta1', plural: 'referencegrants', kind: 'ReferenceGrant', namespaced: true, hasStatus: false },
  ];
}

export const apiVersionOf = (t: ResourceType): string => (t.group ? `${t.group}/${t.version}` : t.version);

export class HttpError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

export const clone = <T>(v: T): T => structuredClone(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** `a=b,c!=d,e,!f` label selectors. */
export function labelSelector(expr: string | null): (o: KObject) => boolean {
  if (!expr) return () => true;
  const terms = expr.split(',').map((s) => s.trim()).filter(Boolean);
  return (o) => {
    const labels = (o.metadata?.labels ?? {}) as Record<string, string>;
    return terms.every((term) => {
      const ne = term.match(/^([^!=]+)!=(.*)$/);
      if (ne) return labels[ne[1]!.trim()] !== ne[2]!.trim();
      const eq = term.match(/^([^!=]+)==?(.*)$/);
      if (eq) return labels[eq[1]!.trim()] === eq[2]!.trim();
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
  };
}

/** `type=kubernetes.io/tls,metadata.name!=x` field selectors (dotted paths, = == !=). */
export function fieldSelector(expr: string | null): (o: KObject) => boolean {
  if (!expr) return () => true;
  const terms = expr.split(',').map((t) => /^([^!=]+)(!=|==|=)(.*)$/.exec(t.trim()));
  if (terms.some((t) => !t)) throw new HttpError(400, 'BadRequest', `invalid field selector: "${expr}"`);
  return (o) =>
    terms.every((t) => {
      const [, path, op, want] = t!;
      let v: unknown = o;
      for (const k of path!.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
      const eq = String(v ?? '') === want;
      return op === '!=' ? !eq : eq;
    });
}

export function specOf(o: KObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

