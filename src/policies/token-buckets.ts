// Token buckets by key, bounded in number: a client choosing a fresh key per request (a hostile
// header value, a spoofed address range) evicts the least recently used bucket instead of growing
// memory. An evicted bucket comes back full, so the bound trades exactness for a memory ceiling.
// Pure arithmetic on a caller-given clock (ms), so it is tested without waiting.

export interface BucketShape {
  /** tokens added per second */
  readonly rate: number;
  /** the most tokens a bucket holds */
  readonly capacity: number;
}

export type Take = { readonly ok: true; readonly remaining: number } | { readonly ok: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export const DEFAULT_MAX_BUCKETS = 10_000;

export class TokenBuckets {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly shape: BucketShape,
    readonly maxBuckets = DEFAULT_MAX_BUCKETS,
  ) {}

  get size(): number {
    return this.#buckets.size;
  }

  longestKey(): number {
    let n = 0;
    for (const k of this.#buckets.keys()) n = Math.max(n, k.length);
    return n;
  }

  /** Takes one token from `key`'s bucket at time `now` (ms). */
  take(key: string, now: number): Take {
    const { rate, capacity } = this.shape;
    let b = this.#buckets.get(key);
    if (b === undefined) {
      b = { tokens: capacity, at: now };
      if (this.#buckets.size >= this.maxBuckets) this.#buckets.delete(this.#buckets.keys().next().value as string);
    } else {
      this.#buckets.delete(key);
      b.tokens = Math.min(capacity, b.tokens + (Math.max(0, now - b.at) * rate) / 1000);
      b.at = now;
    }
    this.#buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / rate)) };
  }
}
