// Lists an IR value keeps for as long as it is served. V8 leaves the spare room of a list built
// with push (17 slots after the first push, half as many again at each growth) in place for the
// list's whole life: at 10,000 HTTPRoutes, lists of one to four elements carried megabytes of it.
// A kept list is therefore a copy of exactly its elements, and every empty one is NONE.

/** The one empty list IR values hold; frozen, since every holder shares it. */
export const NONE: readonly never[] = Object.freeze([]);

/** `list` as kept: NONE when empty, else a copy with no spare room (a builder's list is its own). */
export function kept<T>(list: readonly T[]): readonly T[] {
  return list.length === 0 ? NONE : list.slice();
}
