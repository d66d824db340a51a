// Documents that failed validation, as they show up in ingress status and diagnostics.
import type { Origin, Rejection } from '../api/types.ts';

/** `namespace/name` of the ingress a rejection names, if it names one. */
export function rejectedIngressKey(r: Rejection): string | undefined {
  if (r.kind !== 'Ingress' || !r.name) return undefined;
  return `${r.namespace || 'default'}/${r.name}`;
}

export function describeOrigin(o: Origin): string {
  if (o.file !== undefined) return o.doc !== undefined ? `${o.file} (document ${o.doc})` : o.file;
  return o.cluster ? 'cluster' : 'unknown source';
}

/** `file (document n): path: message; path: message` */
export function describeRejection(r: Rejection): string {
  const errors = r.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
  return `${describeOrigin(r.origin)}: ${errors || 'invalid document'}`;
}

export function rejectionSubject(r: Rejection): string {
  if (!r.name) return `${r.kind ?? 'Document'} in ${describeOrigin(r.origin)}`;
  return `${r.kind ?? 'Document'} ${r.namespace || 'default'}/${r.name}`;
}

/** Rejections grouped by the ingress they name. */
export function rejectionsByIngress(rejections: readonly Rejection[]): Map<string, Rejection[]> {
  const out = new Map<string, Rejection[]>();
  for (const r of rejections) {
    const key = rejectedIngressKey(r);
    if (key !== undefined) out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}
