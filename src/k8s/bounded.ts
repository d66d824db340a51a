// Runs one async step per item, at most `limit` at a time, in order of the items. A failing step does
// not stop the others (one object the server refuses must not hold up the rest); the first error is
// thrown once all have run.
export async function forEachBounded<T>(items: Iterable<T>, limit: number, step: (item: T) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  const it = items[Symbol.iterator]();
  let first: { err: unknown } | undefined;
  const lane = async (): Promise<void> => {
    for (let next = it.next(); !next.done && !stop(); next = it.next()) {
      try {
        await step(next.value);
      } catch (err) {
        first ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, lane));
  if (first) throw first.err;
}
