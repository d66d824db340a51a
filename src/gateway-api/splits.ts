// A rule's backendRefs -> weighted IR splits. A reference that does not resolve still takes its
// share of the traffic, which then gets 500 (a split without a cluster), as the spec requires.
import { kept, NONE } from '../snapshot/kept-lists.ts';
import type { Split } from '../snapshot/types.ts';
import { resolveBackendRef } from './backend-refs.ts';
import { type FilterScope, translateFilters } from './route-filters.ts';
import type { HTTPBackendRef } from './route-types.ts';
import { isIntIn, isObject, listOf } from './spec-values.ts';

export function splitsFor(refs: readonly HTTPBackendRef[] | undefined, where: string, scope: FilterScope): readonly Split[] {
  const out: Split[] = [];
  const entries = listOf(refs);
  for (let i = 0; i < entries.length; i++) {
    const at = `${where}[${i}]`;
    const ref = entries[i] as HTTPBackendRef;
    const weight = isObject(ref) ? (ref.weight ?? 1) : 1;
    if (!isIntIn(weight, 0, 1_000_000)) {
      scope.findings.notSupported(`${at}.weight: must be 0..1000000`);
      out.push({ weight: 1, filters: NONE });
      continue;
    }
    const filters = translateFilters(isObject(ref) ? ref.filters : undefined, `${at}.filters`, scope);
    const resolved = resolveBackendRef(ref, scope.ctx, at, scope.grpc);
    if (!resolved.ok) scope.findings.notResolved(resolved.reason, resolved.message);
    if (!resolved.ok || !filters.valid) {
      out.push({ weight, filters: NONE });
      continue;
    }
    out.push({ cluster: scope.findings.cluster(resolved.cluster), weight, filters: filters.filters });
  }
  return kept(out);
}
