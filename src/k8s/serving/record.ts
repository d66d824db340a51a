// What `install knative` remembers about the Serving it installed, so that `uninstall knative` removes
// that Serving and never one it found: a ConfigMap in knative-serving listing every object applied
// (apiVersion, kind, namespace, name) in apply order. It is applied right after the namespace (only the
// CRDs come before it), so an install that fails or times out later is still recorded.
import type { Manifest } from '../install.ts';
import { SERVING_NAMESPACE } from './detect.ts';

export const RECORD_NAME = 'sluice-installed-serving';
export const RECORD_PATH = `/api/v1/namespaces/${SERVING_NAMESPACE}/configmaps/${RECORD_NAME}`;

type Ref = Pick<Manifest, 'apiVersion' | 'kind'> & { metadata: { name: string; namespace?: string } };

export function servingRecord(version: string | undefined, objects: readonly Manifest[]): Manifest {
  const refs: Ref[] = objects.map((m) => ({ apiVersion: m.apiVersion, kind: m.kind, metadata: { name: m.metadata.name, ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}) } }));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: RECORD_NAME, namespace: SERVING_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'sluice' } },
    data: { version: version ?? 'unknown', objects: JSON.stringify(refs) },
  };
}

/**
 * `objects` in apply order with the record of `recorded` inserted after the knative-serving namespace
 * (first when the namespace is not among them, as the namespace may then already exist).
 */
export function withRecord(objects: readonly Manifest[], version: string | undefined, recorded: readonly Manifest[] = objects): Manifest[] {
  const record = servingRecord(version, recorded);
  const at = objects.findIndex((m) => m.kind === 'Namespace' && m.apiVersion === 'v1' && m.metadata.name === SERVING_NAMESPACE);
  return at < 0 ? [record, ...objects] : [...objects.slice(0, at + 1), record, ...objects.slice(at + 1)];
}

/** The recorded objects (the record itself included), from the ConfigMap's data; [] when unreadable. */
export function recordedObjects(data: Record<string, string> | undefined): Manifest[] {
  try {
    const refs = JSON.parse(data?.objects ?? '[]') as unknown;
    if (!Array.isArray(refs)) return [];
    const ok = refs.filter((r): r is Ref => typeof r?.apiVersion === 'string' && typeof r?.kind === 'string' && typeof r?.metadata?.name === 'string');
    return withRecord(ok as Manifest[], data?.version);
  } catch {
    return [];
  }
}
