// One object for equal IR values. Snapshot values are immutable and read by content (identity only
// ever says "unchanged"), so routes with equal matches, filters or splits can hold one object: at
// 10,000 HTTPRoutes with the same header match, that is one match list instead of 40,000 (README
// "Gateway API", memory). A table lives for one route's rules (they usually repeat their filters
// and backends) or one translation pass (its routes repeat a header match, a path), and is dropped
// after it: a configuration whose values are all distinct pays nothing to keep one.

/** The content key of a value: its JSON (values built by the same code have their keys in one order). */
const keyOf = (value: object): string => JSON.stringify(value);

/** Equal values shared while this table lives. */
export class SharedValues {
  readonly #byKey = new Map<string, object>();

  /** `value`, or the equal one shared before; `key`: its content key when cheaper than JSON. */
  share<T extends object>(value: T, key: string = keyOf(value)): T {
    const had = this.#byKey.get(key);
    if (had !== undefined) return had as T;
    this.#byKey.set(key, value);
    return value;
  }
}
