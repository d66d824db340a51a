// The content hash of a sorted snapshot section, kept up to date as the section changes. Parts are
// spread over BUCKETS buckets by a hash of their key; a bucket's digest is the SHA-256 of its parts'
// JSON in key order (one line each), and the section's digest is the SHA-256 of the bucket digests.
// It depends only on the parts (not on the order they were added in), and a change re-hashes only
// the buckets it touched: at 60,000 parts, one edit serializes a few hundred parts, not all of them.
// Plain JSON.stringify is enough: every part is built by the translator, whose object literals fix
// the key order whatever the input order was (header maps become sorted pairs, endpoints are
// sorted). If two code paths ever built equal parts with keys in different orders, the cost would
// be one needless publish, never a missed change. JSON has no raw newline, so lines cannot run into
// each other.
import { type createHash, hash } from 'node:crypto';

// About 150 parts per bucket at 10,000 ingresses: an edit re-serializes a few hundred small lines
// (a virtual host's line carries its routes by digest), about a millisecond. More buckets would
// cost more memory than they save time (each is a Map: 1,024 per section took 11 MB).
const BUCKETS = 128;

/** FNV-1a over UTF-16 code units: a fixed, fast spread of keys over buckets. */
function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

/** How a part is written for hashing: its JSON, or a shorter equivalent (see vhostLine). */
export type PartLine<T> = (part: T) => string;

// Virtual hosts share their route lists (a rule's public and cluster-local hosts, and rules with
// the same paths): a route list is serialized and hashed once, and a virtual host's line carries
// that digest in place of the routes (two thirds of the cold hashing time at 10,000 ingresses).
const routeDigests = new WeakMap<object, string>();

/** SHA-256 of a route list's JSON, computed once per (immutable) list. */
export function routesDigest(routes: readonly object[]): string {
  let d = routeDigests.get(routes);
  // One-shot hash(): a Hash object per list cost a third more at a cold start's 10,000 lists.
  if (d === undefined) routeDigests.set(routes, (d = hash('sha256', JSON.stringify(routes), 'hex')));
  return d;
}

export class SectionDigest<T extends object> {
  readonly #keyOf: (part: T) => string;
  readonly #line: PartLine<T>;
  /** each bucket's parts in key order (plain arrays: a Map per bucket cost more memory than the hashing saved) */
  readonly #parts: T[][] = Array.from({ length: BUCKETS }, () => []);
  /** digest of each bucket, undefined when it must be computed again */
  readonly #digests: Array<string | undefined> = new Array<string | undefined>(BUCKETS).fill(undefined);
  #size = 0;

  constructor(keyOf: (part: T) => string, line: PartLine<T> = JSON.stringify) {
    this.#keyOf = keyOf;
    this.#line = line;
  }

  remove(key: string): void {
    const b = bucketOf(key);
    const bucket = this.#parts[b] as T[];
    const at = this.#find(bucket, key);
    if (at < 0) return;
    bucket.splice(at, 1);
    this.#digests[b] = undefined;
    this.#size--;
  }

  add(key: string, part: T): void {
    const b = bucketOf(key);
    const bucket = this.#parts[b] as T[];
    const at = this.#find(bucket, key);
    if (at >= 0) bucket[at] = part;
    else {
      bucket.splice(~at, 0, part);
      this.#size++;
    }
    this.#digests[b] = undefined;
  }

  /** The index of `key` in a bucket, or the bitwise complement of where it would go. */
  #find(bucket: readonly T[], key: string): number {
    let lo = 0;
    let hi = bucket.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.#keyOf(bucket[mid] as T);
      if (k === key) return mid;
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return ~lo;
  }

  /** Feeds `name`, the number of parts and the bucket digests to the snapshot hash `h`. */
  update(h: ReturnType<typeof createHash>, name: string): void {
    h.update(`${name}:${this.#size};`);
    let all = '';
    for (let b = 0; b < BUCKETS; b++) {
      let d = this.#digests[b];
      if (d === undefined) {
        d = hash(
          'sha256',
          (this.#parts[b] as T[]).map((p) => this.#line(p)).join('\n'),
          'hex',
        );
        this.#digests[b] = d;
      }
      all += d;
    }
    h.update(all);
  }
}
