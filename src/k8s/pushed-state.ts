// What the Kubernetes source last pushed, kept so that each push says what changed since the one before
// (SourceState.changes): at 10,000 ingresses an edit then costs the store and the translator the objects
// it touched, not a comparison of 50,000. And which Services, EndpointSlices and Secrets the ingresses
// name, counted, so that an edit of one ingress finds the backends it brings in or lets go by itself.
import type { Rejection, Sourced } from '../api/types.ts';
import type { SourceState } from '../sources/types.ts';

/** The resources and rejections of the last push, by `storeKind namespace/name` (the store's own keys). */
export class PushedState {
  #resources = new Map<string, Sourced>();
  #rejections = new Map<string, Rejection>();
  #last: SourceState | undefined;
  /** for each key set since the last push, what it held at that push */
  #before = new Map<string, Sourced | undefined>();

  set(key: string, s: Sourced | undefined): void {
    const old = this.#resources.get(key);
    if (old === s) return;
    if (!this.#before.has(key)) this.#before.set(key, old);
    if (s === undefined) this.#resources.delete(key);
    else this.#resources.set(key, s);
  }

  reject(key: string, r: Rejection | undefined): void {
    if (r === undefined) this.#rejections.delete(key);
    else this.#rejections.set(key, r);
  }

  /** Takes a whole state read afresh; what differs from the last push is found by comparing, once. */
  replace(resources: ReadonlyMap<string, Sourced>, rejections: ReadonlyMap<string, Rejection>): void {
    for (const key of this.#resources.keys()) if (!resources.has(key)) this.set(key, undefined);
    for (const [key, s] of resources) this.set(key, s);
    this.#rejections = new Map(rejections);
  }

  /** The state to push now, with its changes since the last one. */
  next(): SourceState {
    const upserted: Sourced[] = [];
    const removed: Sourced[] = [];
    for (const [key, old] of this.#before) {
      const now = this.#resources.get(key);
      if (now === old) continue;
      if (now !== undefined) upserted.push(now);
      else if (old !== undefined) removed.push(old);
    }
    const state: SourceState = {
      resources: [...this.#resources.values()],
      rejections: [...this.#rejections.values()],
      changes: { since: this.#last === undefined ? null : new WeakRef(this.#last), upserted, removed },
    };
    this.#last = state;
    this.#before = new Map();
    return state;
  }
}

/** The Services and Secrets (`namespace/name`) one ingress names. */
export interface IngressRefs {
  readonly services: readonly string[];
  readonly secrets: readonly string[];
}

/**
 * Who names which Service and Secret, and which EndpointSlices each Service has. Kinds other than
 * ingresses name theirs as `fixed` (set at a whole read; a change of those kinds is a whole read again).
 */
export class References {
  readonly fixedServices = new Set<string>();
  readonly fixedSecrets = new Set<string>();
  readonly #byIngress = new Map<string, IngressRefs>();
  readonly #services = new Map<string, number>();
  readonly #secrets = new Map<string, number>();
  /** a Service's EndpointSlices: the one key itself while it has one (most have: a Set each was 20,000 Sets at scale) */
  readonly #slicesOf = new Map<string, string | Set<string>>();
  readonly #serviceOfSlice = new Map<string, string>();

  wantsService(key: string): boolean {
    return this.fixedServices.has(key) || this.#services.has(key);
  }
  wantsSecret(key: string): boolean {
    return this.fixedSecrets.has(key) || this.#secrets.has(key);
  }

  /** Records what ingress `key` names now (undefined: nothing); returns the Services and Secrets it named before or now. */
  setIngress(key: string, refs: IngressRefs | undefined): IngressRefs {
    const old = this.#byIngress.get(key);
    if (old) {
      for (const s of old.services) count(this.#services, s, -1);
      for (const s of old.secrets) count(this.#secrets, s, -1);
    }
    if (refs) {
      this.#byIngress.set(key, refs);
      for (const s of refs.services) count(this.#services, s, 1);
      for (const s of refs.secrets) count(this.#secrets, s, 1);
    } else this.#byIngress.delete(key);
    return { services: [...(old?.services ?? []), ...(refs?.services ?? [])], secrets: [...(old?.secrets ?? []), ...(refs?.secrets ?? [])] };
  }

  /** Files EndpointSlice `key` under its Service (undefined: gone, or no Service label). */
  setSlice(key: string, service: string | undefined): void {
    const old = this.#serviceOfSlice.get(key);
    if (old === service) return;
    if (old !== undefined) {
      const had = this.#slicesOf.get(old);
      if (had === key) this.#slicesOf.delete(old);
      else if (had instanceof Set) {
        had.delete(key);
        if (had.size === 1) this.#slicesOf.set(old, had.values().next().value!);
      }
    }
    if (service === undefined) {
      this.#serviceOfSlice.delete(key);
      return;
    }
    this.#serviceOfSlice.set(key, service);
    const had = this.#slicesOf.get(service);
    if (had === undefined) this.#slicesOf.set(service, key);
    else if (had instanceof Set) had.add(key);
    else if (had !== key) this.#slicesOf.set(service, new Set([had, key]));
  }

  /** Services holding a Set of their slices (those with more than one; for tests) */
  get sliceSets(): number {
    let n = 0;
    for (const v of this.#slicesOf.values()) if (typeof v !== 'string') n++;
    return n;
  }

  slicesOf(service: string): Iterable<string> {
    const had = this.#slicesOf.get(service);
    return had === undefined ? [] : typeof had === 'string' ? [had] : had;
  }
}

/** Distinct names, each counted once per ingress: a name listed twice in one ingress counts once. */
function count(m: Map<string, number>, key: string, by: 1 | -1): void {
  const n = (m.get(key) ?? 0) + by;
  if (n <= 0) m.delete(key);
  else m.set(key, n);
}
