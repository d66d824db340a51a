// How one snapshot list was made from another, as plain data. The translator keeps its sorted
// output lists up to date change by change, so it knows exactly which items left and which came
// in; it hands that over with its result (snapshot/change.ts), and a consumer that compiled the
// old list (the router, the upstream pools) reads it instead of comparing two lists of 20,000
// items. Items are compared by identity: the translator shares unchanged objects between snapshots.
// Pure functions over lists sorted by a string key (UTF-16 code units, as the translator sorts).

export interface ListDiff<T> {
  /**
   * every item of the old list that is not in the new one (by identity); it may also hold items
   * that were in neither (added and removed again in between): a consumer treats those as nothing to do
   */
  readonly removed: readonly T[];
  /** every item of the new list that is not in the old one; it may also hold items that were in both */
  readonly added: readonly T[];
}

/** Strictly increasing keys (so also unique). */
export function sortedBy<T>(items: readonly T[], key: (x: T) => string): boolean {
  for (let i = 1; i < items.length; i++) if (key(items[i - 1] as T) >= key(items[i] as T)) return false;
  return true;
}

/** The item with key `k` of a list sorted by key, by binary search (no map of 20,000 entries per edit). */
export function findSorted<T>(items: readonly T[], key: (x: T) => string, k: string): T | undefined {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const km = key(items[mid] as T);
    if (km === k) return items[mid];
    if (km < k) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * The exact difference between two lists sorted by key, found by comparing them (a walk over both):
 * what a consumer falls back to when it was not handed a diff. Undefined when `after` is not sorted.
 */
export function compareSorted<T>(before: readonly T[], after: readonly T[], key: (x: T) => string): ListDiff<T> | undefined {
  if (before === after) return { removed: [], added: [] };
  if (!sortedBy(after, key)) return undefined;
  const removed: T[] = [];
  const added: T[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (a !== undefined && a === b) {
      i++;
      j++;
      continue;
    }
    const ka = a === undefined ? undefined : key(a);
    const kb = b === undefined ? undefined : key(b);
    const k = kb === undefined || (ka !== undefined && ka < kb) ? (ka as string) : kb;
    if (ka === k) {
      removed.push(a as T);
      i++;
    }
    if (kb === k) {
      added.push(b as T);
      j++;
    }
  }
  return { removed, added };
}

/**
 * The exact difference between two lists sorted by key, given every item that may differ
 * (`candidates`: the items of the diffs that led from `before` to `after`, in any number of steps).
 * O(candidates × log n): used to fold the diffs of several translations into one.
 */
export function netDiff<T>(before: readonly T[], after: readonly T[], candidates: Iterable<T>, key: (x: T) => string): ListDiff<T> {
  const removed: T[] = [];
  const added: T[] = [];
  const seen = new Set<T>();
  for (const x of candidates) {
    if (seen.has(x)) continue;
    seen.add(x);
    const k = key(x);
    const wasThere = findSorted(before, key, k) === x;
    const isThere = findSorted(after, key, k) === x;
    if (wasThere && !isThere) removed.push(x);
    else if (isThere && !wasThere) added.push(x);
  }
  return { removed, added };
}
