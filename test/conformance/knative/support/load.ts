// errgroup.Group with SetLimit(n): runs `total` calls, at most `limit` at once; the first error
// is reported after all have finished, as g.Wait() does.
export async function runLimited<T>(total: number, limit: number, call: () => Promise<T>): Promise<{ results: T[]; errors: Error[] }> {
  const results: T[] = [];
  const errors: Error[] = [];
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < total) {
      started++;
      try {
        results.push(await call());
      } catch (err) {
        errors.push(err as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, total) }, worker));
  return { results, errors };
}

/**
 * TestPercentage's split: doubling percents (1, 2, 4, ...) until the next would pass 100; the
 * last non-zero bucket gets the remainder and the rest get 0.
 */
export function doublingPercents(n: number): number[] {
  const out: number[] = [];
  let percent = 1;
  let total = 0;
  for (let i = 0; i < n; i++) {
    out.push(percent);
    total += percent;
    percent *= 2;
    if (total + percent > 100) percent = 100 - total;
  }
  return out;
}
