// One object for equal IR values. Snapshot values are immutable and read by content (identity only
// ever says "unchanged"), so routes with equal matches, filters or splits can hold one object: at
// 10,000 HTTPRoutes with the same header match, that is one match list instead of 40,000 (README
// "Gateway API", memory). Two tables: one a translation holds for one object (its rules usually
// repeat their filters and backends), and a process-wide one for the small values many objects
// repeat (a header match, a path), holding them weakly so that a value no snapshot uses is freed.

/** The content key of a value: its JSON (values built by the same code have their keys in one order). */
const keyOf = (value: object): string => JSON.stringify(value);

/** Equal values shared while this table lives (one object's translation). */
export class SharedValues {
  readonly #byKey = new Map<string, object>();

  /** `value`, or the equal one shared before. */
  share<T extends object>(value: T): T {
    const key = keyOf(value);
    const had = this.#byKey.get(key);
    if (had !== undefined) return had as T;
    this.#byKey.set(key, value);
    return value;
  }
}

/** Equal values shared across the process, held weakly: an entry goes once nothing else holds its value. */
export class WeakSharedValues {
  readonly #byKey = new Map<string, WeakRef<object>>();
  readonly #gone = new FinalizationRegistry<string>((key) => {
    // The key may have been taken by a newer value since.
    if (this.#byKey.get(key)?.deref() === undefined) this.#byKey.delete(key);
  });

  /** `value`, or the equal one shared before and still alive; `key`: its content key when cheaper than JSON. */
  share<T extends object>(value: T, key: string = keyOf(value)): T {
    const had = this.#byKey.get(key)?.deref();
    if (had !== undefined) return had as T;
    this.#byKey.set(key, new WeakRef(value));
    this.#gone.register(value, key);
    return value;
  }

  /** entries held (alive or not yet finalized), for tests */
  get size(): number {
    return this.#byKey.size;
  }
}
