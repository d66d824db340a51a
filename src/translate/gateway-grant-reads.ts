// Which Gateway API routes reference something in another namespace, indexed by the crossing
// (`fromKind fromNamespace toNamespace`, reference-grants.ts crossingKey), so a ReferenceGrant
// change finds the routes it may allow or refuse without asking all (gateway-part.ts).
export class GrantReads {
  /** route id -> its crossings */
  readonly #keys = new Map<string, readonly string[]>();
  /** crossing -> the routes that made it */
  readonly #routes = new Map<string, Set<string>>();

  set(id: string, keys: readonly string[]): void {
    this.delete(id);
    if (keys.length === 0) return;
    this.#keys.set(id, keys);
    for (const k of keys) {
      let ids = this.#routes.get(k);
      if (ids === undefined) this.#routes.set(k, (ids = new Set()));
      ids.add(id);
    }
  }

  delete(id: string): void {
    const keys = this.#keys.get(id);
    if (keys === undefined) return;
    this.#keys.delete(id);
    for (const k of keys) {
      const ids = this.#routes.get(k);
      ids?.delete(id);
      if (ids?.size === 0) this.#routes.delete(k);
    }
  }

  /** Adds to `into` the routes that made crossing `key`. */
  routesCrossing(key: string, into: Set<string>): void {
    for (const id of this.#routes.get(key) ?? []) into.add(id);
  }
}
