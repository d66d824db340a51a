// How one snapshot list was made from another. The translator keeps its sorted output lists up to
// date change by change, so it knows exactly which items left and which came in; it records that
// here against the new list, and a consumer that compiled the old list (the router) reads it back
// instead of comparing two lists of 20,000 items. Keyed by the list objects themselves: a snapshot
// given a version by the pipeline still holds the very same lists.

export interface ListDiff<T> {
  /** the list this one was made from (held weakly: a list does not keep every earlier list alive) */
  readonly since: WeakRef<readonly T[]>;
  /**
   * every item of `since` that is not in this list (by identity); it may also hold items that were
   * in neither (added and removed again in between): a consumer treats those as nothing to do
   */
  readonly removed: readonly T[];
  /** every item of this list that is not in `since`; it may also hold items that were in both */
  readonly added: readonly T[];
}

const diffs = new WeakMap<readonly object[], ListDiff<object>>();

export function recordDiff<T extends object>(list: readonly T[], diff: ListDiff<T>): void {
  diffs.set(list, diff);
}

/** The recorded difference from `before` to `after`, if `after` was made from `before`. */
export function diffSince<T extends object>(before: readonly T[], after: readonly T[]): ListDiff<T> | undefined {
  const d = diffs.get(after) as ListDiff<T> | undefined;
  return d !== undefined && d.since.deref() === before ? d : undefined;
}
