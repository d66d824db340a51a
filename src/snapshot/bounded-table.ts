// A table that keeps one value per key, for values many objects hold alike (equal route parts, a
// Gateway's name, the replicas most probe targets end with), bounded so that values all different
// cost a fixed table rather than a second reference to each. Two generations of at most
// `perGeneration` entries each: when the newer fills, it becomes the older and the older is dropped.
// A hit in the older generation moves the entry to the newer one, so values met again and again stay
// however many others pass through, and values met once fall out after two generations (clearing
// the whole table when full would drop the repeated ones with them).

export class BoundedTable<V> {
  readonly #perGeneration: number;
  #young = new Map<string, V>();
  /** absent until the first generation fills (most tables never do) */
  #old: Map<string, V> | undefined;

  constructor(perGeneration = 2048) {
    if (!Number.isInteger(perGeneration) || perGeneration < 1) throw new RangeError(`a table generation holds at least one entry, not ${perGeneration}`);
    this.#perGeneration = perGeneration;
  }

  /** The value kept under `key`, if any. */
  get(key: string): V | undefined {
    const v = this.#young.get(key);
    if (v !== undefined || this.#old === undefined) return v;
    const was = this.#old.get(key);
    if (was !== undefined) this.#add(key, was);
    return was;
  }

  /** The value kept under `key`, else `value`, kept from now on. */
  keep(key: string, value: V): V {
    const had = this.get(key);
    if (had !== undefined) return had;
    this.#add(key, value);
    return value;
  }

  /** The value kept under `key`, else the one `make` makes of it, kept from now on. */
  make(key: string, make: (key: string) => V): V {
    const had = this.get(key);
    if (had !== undefined) return had;
    const value = make(key);
    this.#add(key, value);
    return value;
  }

  /** Keeps `value` under `key` (after a `get` that found none: this one does not look). */
  set(key: string, value: V): void {
    this.#add(key, value);
  }

  /** Entries held in both generations: at most twice `perGeneration` (a key moved to the newer may be counted twice). */
  get size(): number {
    return this.#young.size + (this.#old?.size ?? 0);
  }

  clear(): void {
    this.#young = new Map();
    this.#old = undefined;
  }

  #add(key: string, value: V): void {
    if (this.#young.size >= this.#perGeneration) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
