// The one way Sluice writes an object's `status` subresource: only when the desired status differs
// from the current one, with `409 Conflict` retried on a freshly read object (429 and 5xx too, after a backoff). It remembers what its
// last write returned, keyed by the watch's resourceVersion it replaced: until the watch delivers
// that write, the cache holds the replaced version, and comparing with it would write again (a 409
// and a read for every object whose status changes twice in a row). resourceVersions are opaque,
// so only equality is relied on. Only the new version and status are kept, not the object the
// server answered with (its managedFields alone are kilobytes, held for every object written, and
// were sent back in the next write).
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeApiError, type KubeClient } from './client.ts';

/** an API server that is busy (429) or failing (5xx) may answer the same write the next time */
const transient = (status: number): boolean => status === 429 || status >= 500;
const RETRY_BASE_MS = 50;

export type WriteResult = 'written' | 'unchanged' | 'gone';

/** What the writer needs of an object: its version and its status. */
export interface StatusHolder {
  readonly metadata?: { readonly resourceVersion?: string };
  readonly status?: unknown;
}

/** What a write of ours left: the version it replaced (the watch's), the new version and status. */
interface Written {
  readonly replaced: string | undefined;
  readonly resourceVersion: string;
  readonly status: unknown;
}

export class StatusReplacer<T extends StatusHolder, S> {
  readonly #client: KubeClient;
  readonly #maxAttempts: number;
  readonly #written = new Map<string, Written>();
  /** writes so far, for tests and metrics */
  writes = 0;

  constructor(client: KubeClient, maxAttempts = 5) {
    this.#client = client;
    this.#maxAttempts = maxAttempts;
  }

  /**
   * Writes `desired(current)` to `path`'s status unless `same` says it is already there. `cached`
   * is the watch's copy (undefined: read it); the object is known by `key` between writes.
   */
  async write(key: string, path: string, cached: T | undefined, desired: (current: T) => S, same: (next: S, current: T) => boolean): Promise<WriteResult> {
    let current = cached;
    const cachedVersion = current?.metadata?.resourceVersion;
    const mine = this.#written.get(key);
    if (mine && current && cachedVersion === mine.replaced) current = { ...current, metadata: { ...current.metadata, resourceVersion: mine.resourceVersion }, status: mine.status };
    else this.#written.delete(key);
    for (let attempt = 1; ; attempt++) {
      if (!current) {
        try {
          current = await this.#client.get<T>(path);
        } catch (err) {
          if (err instanceof KubeApiError && err.status === 404) return this.forget(key);
          throw err;
        }
      }
      const status = desired(current);
      if (same(status, current)) return 'unchanged';
      try {
        const result = await this.#client.replace<T | undefined>(`${path}/status`, { ...current, status });
        this.writes++;
        // Keyed by the watch's version, so that writes in a row, all ahead of the watch, chain.
        const rv = result?.metadata?.resourceVersion;
        if (rv) this.#written.set(key, { replaced: cachedVersion ?? current.metadata?.resourceVersion, resourceVersion: rv, status: result.status ?? status });
        return 'written';
      } catch (err) {
        if (!(err instanceof KubeApiError) || attempt >= this.#maxAttempts) throw err;
        if (err.status === 404) return this.forget(key);
        if (err.status !== 409 && !transient(err.status)) throw err;
        if (err.status !== 409) await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
        // someone else wrote (or a failed write may have landed): read it again and recompute
        current = undefined;
      }
    }
  }

  /** writes remembered (for tests) */
  get remembered(): number {
    return this.#written.size;
  }

  /**
   * The watch's copy of `key` is at `cachedVersion`: once that is past the version our write replaced, what
   * the write left is never read again (write() uses it only while the cache still holds the replaced one).
   */
  caughtUp(key: string, cachedVersion: string | undefined): void {
    const mine = this.#written.get(key);
    if (mine !== undefined && cachedVersion !== mine.replaced) this.#written.delete(key);
  }

  /** The object left: nothing of it is remembered. */
  forget(key: string): 'gone' {
    this.#written.delete(key);
    return 'gone';
  }
}
