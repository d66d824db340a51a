// A list kept sorted by a string key (UTF-16 code units) and changed in batches, for the parts of a
// snapshot that are emitted in sorted order. A small batch is spliced in place (binary search); a
// large one (a cold start) rebuilds the list and sorts once.
import { compareStrings } from './compare.ts';
import type { ListDiff } from '../snapshot/list-diff.ts';
import { SectionDigest, type PartLine } from './digest.ts';

const UNCHANGED: ListDiff<never> = Object.freeze({ removed: Object.freeze([]), added: Object.freeze([]) });

export class SortedList<T extends object> {
  #items: T[] = [];
  readonly #keyOf: (item: T) => string;
  /** the section hash of the items, when the list is a snapshot section */
  readonly digest: SectionDigest<T> | undefined;
  /** the last copy handed out, and the items removed and added since */
  #copy: readonly T[] | undefined;
  #removed: T[] = [];
  #added: T[] = [];

  /** `digest`: keep a section hash of the items, each written as `digest` says (true: its JSON). */
  constructor(keyOf: (item: T) => string, digest: boolean | PartLine<T> = false) {
    this.#keyOf = keyOf;
    this.digest = digest === false ? undefined : new SectionDigest<T>(keyOf, digest === true ? undefined : digest);
  }

  /** The items in key order. The array changes with the next apply(): copy it to keep it. */
  get items(): readonly T[] {
    return this.#items;
  }

  /**
   * A frozen copy of the items, and what changed since the copy made before (undefined for the
   * first copy); the same copy again, with nothing changed, when nothing did.
   */
  copy(): { readonly list: readonly T[]; readonly diff: ListDiff<T> | undefined } {
    const before = this.#copy;
    if (before !== undefined && this.#removed.length === 0 && this.#added.length === 0) return { list: before, diff: UNCHANGED as ListDiff<T> };
    const list = Object.freeze(this.#items.slice());
    let diff: ListDiff<T> | undefined;
    if (before !== undefined) {
      // Net of what was added and then removed again (or the other way) between the two copies.
      const here = (x: T) => this.get(this.#keyOf(x)) === x;
      diff = { removed: [...new Set(this.#removed)].filter((x) => !here(x)), added: [...new Set(this.#added)].filter(here) };
    }
    this.#copy = list;
    this.#removed = [];
    this.#added = [];
    return { list, diff };
  }

  /** Removes the items with the keys in `remove`, then adds `insert` (keys unique in the list). */
  apply(remove: ReadonlySet<string>, insert: readonly T[]): void {
    if (remove.size === 0 && insert.length === 0) return;
    if (this.digest !== undefined) {
      for (const key of remove) this.digest.remove(key);
      for (const item of insert) this.digest.add(this.#keyOf(item), item);
    }
    for (const item of insert) this.#added.push(item);
    if (remove.size + insert.length > 64 + (this.#items.length >> 4)) {
      const kept = remove.size === 0 ? this.#items : this.#items.filter((it) => {
        if (!remove.has(this.#keyOf(it))) return true;
        this.#removed.push(it);
        return false;
      });
      const all = kept.concat(insert);
      all.sort((a, b) => compareStrings(this.#keyOf(a), this.#keyOf(b)));
      this.#items = all;
      return;
    }
    for (const key of remove) {
      const at = this.#find(key);
      if (at >= 0) this.#removed.push(...this.#items.splice(at, 1));
    }
    for (const item of insert) {
      const at = this.#find(this.#keyOf(item));
      if (at < 0) this.#items.splice(~at, 0, item);
      else {
        this.#removed.push(this.#items[at] as T);
        this.#items[at] = item;
      }
    }
  }

  get(key: string): T | undefined {
    const at = this.#find(key);
    return at >= 0 ? this.#items[at] : undefined;
  }

  /** The index of `key`, or the bitwise complement of where it would go. */
  #find(key: string): number {
    let lo = 0;
    let hi = this.#items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.#keyOf(this.#items[mid] as T);
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return ~lo;
  }
}
