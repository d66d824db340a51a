// A provider's keys: inline (fixed), or fetched from its JWKS URI and cached. A remote set is
// fetched on first use, refreshed once `cacheMs` have passed (in the background while keys are at
// hand), and fetched again when a token names a key it lacks (key rotation). Fetches start at most
// once per REFETCH_MS (or cacheMs when shorter), so tokens with made-up key ids or a dead endpoint
// cannot turn into a flood of fetches. While the endpoint fails, the last good keys keep serving;
// the failure is logged once per interval.
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { asKeySet, fetchJwks } from './jwks-fetch.ts';

/** The shortest gap between two fetches of one key set. */
export const REFETCH_MS = 5000;

export type Warn = (fields: Record<string, unknown>, msg: string) => void;

export interface KeySource {
  /** the key set to verify with now (fetching first when there is none yet); rejects when none can be had */
  keys(warn: Warn): Promise<JWTVerifyGetKey>;
  /** a token named a key not in the set: a fresher set, or undefined when none may be fetched now */
  refetch(warn: Warn): Promise<JWTVerifyGetKey | undefined>;
}

/**
 * The inline set's key selection, where, as in Envoy, a key without a `kid` (Gloo's PEM keys) is
 * also tried for a token that names one.
 */
function kidTolerant(set: JSONWebKeySet): JWTVerifyGetKey {
  const byKid = createLocalJWKSet(set);
  const unnamed = set.keys.filter((k) => k.kid === undefined);
  if (unnamed.length === 0) return byKid;
  // Every key unnamed: whatever kid the token names, all of them are candidates.
  if (unnamed.length === set.keys.length) return (header, token) => byKid({ ...header, kid: undefined }, token);
  const anyKid = createLocalJWKSet({ keys: unnamed });
  return async (header, token) => {
    try {
      return await byKid(header, token);
    } catch (err) {
      if (header.kid === undefined) throw err;
      return anyKid({ ...header, kid: undefined }, token);
    }
  };
}

export class LocalKeys implements KeySource {
  readonly #keys: Promise<JWTVerifyGetKey>;
  /** `set`: the inline JSON text; one jose cannot take fails every token, never the route's compilation */
  constructor(set: string, name: string) {
    let keys: Promise<JWTVerifyGetKey>;
    try {
      keys = Promise.resolve(kidTolerant(asKeySet(JSON.parse(set), name)));
    } catch (err) {
      keys = Promise.reject(err);
      keys.catch(() => {});
    }
    this.#keys = keys;
  }
  keys(): Promise<JWTVerifyGetKey> {
    return this.#keys;
  }
  refetch(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

export type Fetch = (uri: string, timeoutMs: number) => Promise<JSONWebKeySet>;

export class RemoteKeys implements KeySource {
  #keys: JWTVerifyGetKey | undefined;
  /** when the keys were fetched, and when a fetch last started (ms, the given clock) */
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #startedAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<JWTVerifyGetKey> | undefined;
  #lastError: unknown;
  #warnedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly uri: string,
    readonly timeoutMs: number,
    readonly cacheMs: number,
    readonly fetch: Fetch = fetchJwks,
    readonly now: () => number = Date.now,
  ) {}

  /** a fetch may start now */
  get #mayFetch(): boolean {
    return this.#inflight === undefined && this.now() - this.#startedAt >= Math.min(REFETCH_MS, this.cacheMs);
  }

  keys(warn: Warn): Promise<JWTVerifyGetKey> {
    const keys = this.#keys;
    if (keys === undefined) {
      if (this.#inflight !== undefined) return this.#inflight;
      return this.#mayFetch ? this.#fetch(warn) : Promise.reject(this.#lastError);
    }
    // Stale: refreshed behind the request, which goes on with what is known.
    if (this.now() - this.#fetchedAt >= this.cacheMs && this.#mayFetch) this.#fetch(warn).catch(() => {});
    return Promise.resolve(keys);
  }

  refetch(warn: Warn): Promise<JWTVerifyGetKey | undefined> {
    const p = this.#inflight ?? (this.#mayFetch ? this.#fetch(warn) : undefined);
    return p === undefined ? Promise.resolve(undefined) : p.then((k) => k, () => undefined);
  }

  #fetch(warn: Warn): Promise<JWTVerifyGetKey> {
    this.#startedAt = this.now();
    const p = this.fetch(this.uri, this.timeoutMs).then(
      (set) => {
        this.#keys = createLocalJWKSet(set);
        this.#fetchedAt = this.now();
        this.#inflight = undefined;
        return this.#keys;
      },
      (err: unknown) => {
        this.#inflight = undefined;
        this.#lastError = err;
        this.#failed(err, warn);
        if (this.#keys !== undefined) return this.#keys;
        throw err;
      },
    );
    this.#inflight = p;
    return p;
  }

  #failed(err: unknown, warn: Warn): void {
    const now = this.now();
    if (now - this.#warnedAt < Math.max(this.cacheMs, 60_000)) return;
    this.#warnedAt = now;
    warn({ uri: this.uri, err: err instanceof Error ? err.message : String(err), cachedKeys: this.#keys !== undefined }, 'JWKS fetch failed');
  }
}

// Remote sets shared by every route naming the same URI (and settings), so a reload or a second
// route does not fetch again; bounded as the configuration is.
const shared = new Map<string, RemoteKeys>();

export function remoteKeys(uri: string, timeoutMs: number, cacheMs: number): RemoteKeys {
  const key = `${uri} ${timeoutMs} ${cacheMs}`;
  let k = shared.get(key);
  if (k === undefined) shared.set(key, (k = new RemoteKeys(uri, timeoutMs, cacheMs)));
  return k;
}
