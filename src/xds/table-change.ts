// A resource table made from the one before by a few changes, without walking the rest: the new
// table shares the old one's entries (LayeredMap), and carries the change (names new or changed,
// names removed) that delta streams in step with the old table are sent (delta.ts).
import { createHash } from 'node:crypto';
import { LayeredMap } from '../store/layered.ts';
import type { EncodedResource, ResourceTable } from './resources.ts';

/**
 * `before` with `changes` applied (undefined removes a name). A resource with the same bytes and
 * flag as the one it replaces keeps the old one (and so its version); no real change keeps `before`.
 */
export function changeTable(before: ResourceTable, changes: ReadonlyMap<string, EncodedResource | undefined>): ResourceTable {
  const edits = new Map<string, EncodedResource | undefined>();
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [name, r] of changes) {
    const old = before.get(name);
    if (r === undefined) {
      if (old === undefined) continue;
      removed.push(name);
    } else if (old !== undefined && (old === r || (old.hash === r.hash && old.wildcard === r.wildcard))) continue;
    else changed.push(name);
    edits.set(name, r);
  }
  if (edits.size === 0) return before;
  const table = LayeredMap.with<EncodedResource>(before, edits);
  return succeed(before, Object.assign(table, { change: { from: before, changed, removed, version: changeVersion(before, edits) } }));
}

/** A table's version from the one before and what changed: O(change), where a digest of the content would walk it all. */
export function changeVersion(before: ResourceTable, edits: ReadonlyMap<string, EncodedResource | undefined>): string {
  const h = createHash('sha256').update(before.change?.version ?? '');
  for (const [name, r] of edits) h.update(`${name}\0${r?.hash ?? ''}\n`);
  return h.digest('hex').slice(0, 16);
}

/**
 * `next`, after `before` lets go of its own change: streams are only ever sent the newest table's
 * change, and the chain of `from`s would otherwise hold every table ever made.
 */
export function succeed(before: ResourceTable, next: ResourceTable): ResourceTable {
  if (before.change !== undefined) Object.assign(before, { change: undefined });
  return next;
}
