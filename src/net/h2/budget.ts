// A token bucket for the floods RFC 9113 10.5 warns of (rapid reset, SETTINGS and PING floods):
// `burst` events at once, refilled at `perSecond`. The clock is read only when an event is spent.

export class Budget {
  #tokens: number;
  #at = 0;
  readonly #burst: number;
  readonly #perMs: number;

  constructor(burst: number, perSecond: number) {
    this.#burst = burst;
    this.#tokens = burst;
    this.#perMs = perSecond / 1000;
  }

  /** Spends one token; false when none is left (the peer is past its bound). */
  spend(now: number = performance.now()): boolean {
    if (this.#at !== 0) this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
