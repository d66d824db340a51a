// Tokens a route verified lately, so a client sending the same token again is let through at once
// (no signature check, no wait) as Envoy's jwt_cache_config does. Only verified tokens are kept,
// each until its `exp` (plus the clock skew) and at most MAX_AGE_MS, so a key taken out of the set
// stops working within that; at most MAX_TOKENS, the least recently used dropped first.
import type { JWTPayload } from 'jose';

export const MAX_TOKENS = 256;
export const MAX_AGE_MS = 60_000;

interface Entry {
  readonly provider: number;
  readonly payload: JWTPayload;
  readonly until: number;
}

export class VerifiedTokens {
  readonly #entries = new Map<string, Entry>();

  constructor(readonly now: () => number = Date.now) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The payload `provider` verified for `token`, while it still holds. */
  get(token: string, provider: number): JWTPayload | undefined {
    const e = this.#entries.get(token);
    if (e === undefined || e.provider !== provider) return undefined;
    this.#entries.delete(token);
    if (e.until <= this.now()) return undefined;
    this.#entries.set(token, e);
    return e.payload;
  }

  add(token: string, provider: number, payload: JWTPayload, skewSeconds: number): void {
    const now = this.now();
    const exp = typeof payload.exp === 'number' ? payload.exp * 1000 + skewSeconds * 1000 : Number.POSITIVE_INFINITY;
    const until = Math.min(exp, now + MAX_AGE_MS);
    if (until <= now) return;
    this.#entries.delete(token);
    if (this.#entries.size >= MAX_TOKENS) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(token, { provider, payload, until });
  }
}
