// What the watch caches keep of an object. managedFields (and kubectl's last-applied copy of the whole
// object) are often most of an object's bytes and nothing Sluice reads: dropped on receipt, so 10,000
// ingresses with their Services and EndpointSlices fit the same memory as in file mode.
import type { KubeObject } from './client.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * `o` without managedFields, and without the last-applied annotation when `lastApplied` (only for kinds
 * Sluice never writes: a status write sends the cached object back, and the API server keeps the
 * managedFields a write leaves out, but the annotation is not Sluice's to drop).
 */
export function slim<T extends KubeObject>(o: T, lastApplied: boolean): T {
  const meta = o.metadata;
  if (!meta) return o;
  const dropAnnotation = lastApplied && meta.annotations !== undefined && LAST_APPLIED in meta.annotations;
  if (meta.managedFields === undefined && !dropAnnotation) return o;
  const { managedFields: _m, ...rest } = meta;
  if (dropAnnotation) {
    const { [LAST_APPLIED]: _a, ...annotations } = meta.annotations!;
    rest.annotations = annotations;
  }
  return { ...o, metadata: rest };
}

/**
 * A change the translator cannot see: same generation (so the same spec: the API server bumps it on
 * any spec change of a kind with a status subresource), labels, annotations and deletion. The leader's
 * own status writes are such changes, one per ingress.
 */
export function statusOnly(before: KubeObject, after: KubeObject): boolean {
  const a = before.metadata;
  const b = after.metadata;
  if (a?.generation === undefined || a.generation !== b?.generation) return false;
  return a.deletionTimestamp === b.deletionTimestamp && sameRecord(a.labels, b.labels) && sameRecord(a.annotations, b.annotations);
}

function sameRecord(x: Record<string, string> | undefined, y: Record<string, string> | undefined): boolean {
  const xk = Object.keys(x ?? {});
  if (xk.length !== Object.keys(y ?? {}).length) return false;
  return xk.every((k) => x![k] === y?.[k]);
}
