// One object for equal values. Values read by content (the IR's, a route's parsed spec, an object's
// status; identity only ever says "unchanged") can be one object wherever they are equal: at 10,000
// HTTPRoutes with the same header match, that is one match list instead of 40,000 (README "Gateway
// API", memory). A table lives as long as its values repeat: one route's rules (they usually repeat
// their filters and backends), one translation pass (its routes repeat a header match, a path), or a
// source's life (parts of parsed objects); it is bounded (bounded-table.ts), so values all distinct
// cost a fixed table.
import { BoundedTable } from './bounded-table.ts';

export interface SharedValuesOptions {
  /** entries per generation of the table (BoundedTable; default 2048) */
  readonly perGeneration?: number;
  /** values with a longer key are not kept: a table of long keys would cost more than the copies it saves */
  readonly longestKey?: number;
  /** what is kept of a value met first, and returned for it (default: the value itself) */
  readonly first?: <T>(value: T) => T;
}

/** The content key of a value: its JSON (values built by the same code have their keys in one order). */
const keyOf = (value: unknown): string => JSON.stringify(value);

/** Equal values shared while this table lives, keyed by content. */
export class SharedValues {
  readonly #table: BoundedTable<object>;
  readonly #longestKey: number;
  readonly #first: (<T>(value: T) => T) | undefined;

  constructor(o: SharedValuesOptions = {}) {
    this.#table = new BoundedTable(o.perGeneration);
    this.#longestKey = o.longestKey ?? Number.POSITIVE_INFINITY;
    this.#first = o.first;
  }

  /**
   * `value`, or the equal one shared before; `key`: its content key when cheaper than JSON. Values
   * that are not objects are their own.
   */
  share<T>(value: T, key?: string): T {
    if (value === null || typeof value !== 'object') return value;
    const k = key ?? keyOf(value);
    if (k.length > this.#longestKey) return value;
    const had = this.#table.get(k);
    if (had !== undefined) return had as T;
    const kept = this.#first === undefined ? value : this.#first(value);
    this.#table.set(k, kept as object);
    return kept;
  }

  /** Forgets every value. */
  clear(): void {
    this.#table.clear();
  }
}
