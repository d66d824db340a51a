// A small keyed collection that holds a lone value as itself and only a second one in a Map: most
// hosts and clusters of a Gateway API translation are one route's (at 10,000 routes, 30,000
// one-entry Maps were ~5 MB of the route index).

/** Nothing, one value, or several by id. */
export type Bucket<V> = V | Map<string, V> | undefined;

export function bucketGet<V>(b: Bucket<V>, id: string, idOf: (v: V) => string): V | undefined {
  if (b === undefined) return undefined;
  if (b instanceof Map) return b.get(id);
  return idOf(b) === id ? b : undefined;
}

/** `b` with `v` under `id` (replacing one there). */
export function bucketSet<V>(b: Bucket<V>, id: string, v: V, idOf: (v: V) => string): Bucket<V> {
  if (b === undefined) return v;
  if (b instanceof Map) return b.set(id, v);
  const had = idOf(b);
  return had === id ? v : new Map([[had, b], [id, v]]);
}

/** `b` without the value under `id`. */
export function bucketDelete<V>(b: Bucket<V>, id: string, idOf: (v: V) => string): Bucket<V> {
  if (b === undefined) return undefined;
  if (!(b instanceof Map)) return idOf(b) === id ? undefined : b;
  b.delete(id);
  if (b.size > 1) return b;
  return b.size === 1 ? (b.values().next().value as V) : undefined;
}

export function bucketSize<V>(b: Bucket<V>): number {
  return b === undefined ? 0 : b instanceof Map ? b.size : 1;
}

export function bucketValues<V>(b: Bucket<V>): Iterable<V> {
  return b === undefined ? [] : b instanceof Map ? b.values() : [b];
}
