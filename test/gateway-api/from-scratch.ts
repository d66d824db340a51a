// What the incremental Gateway API tests compare: a translation from scratch of the same set, and
// what a translation serves (not its diffs, which say how it was made and depend on history).
import type { ResourceSet } from '../../src/store/types.ts';
import type { TranslateResult } from '../../src/snapshot/types.ts';

/** A copy of a set with plain maps and no history, to translate from scratch. */
export function plainCopy(set: ResourceSet): ResourceSet {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(set)) if (k !== 'changes') copy[k] = v instanceof Map ? new Map(v) : v;
  return copy as unknown as ResourceSet;
}

/** What a translation serves: its snapshot and every status and diagnostic. */
export function served(r: TranslateResult): object {
  return { snapshot: r.snapshot, objectStatuses: r.objectStatuses, statuses: r.statuses, diagnostics: r.diagnostics };
}
