// What translating one ingress may read besides the ingress itself, as getter functions (as
// net-kourier's translator takes listers). A recording view remembers every answer it gave, so a
// cached translation can later be reused exactly when every one of those answers is still the same
// object (see cache.ts): sources keep object identity for resources that did not change.
import type { EndpointSlice, Endpoints, Secret, Service } from '../api/types.ts';
import type { ResourceSet } from '../store/types.ts';

export interface Lookups {
  /** by `namespace/name` */
  service(key: string): Service | undefined;
  /** by `namespace/serviceName`, sorted by slice name */
  slices(key: string): readonly EndpointSlice[] | undefined;
  /** by `namespace/name` */
  endpoints(key: string): Endpoints | undefined;
  /** by `namespace/name` */
  secret(key: string): Secret | undefined;
}

export type DepKind = 'services' | 'endpointSlicesByService' | 'endpoints' | 'secrets';

/** One lookup and the object it returned (undefined when nothing was there). */
export interface Dependency {
  readonly kind: DepKind;
  readonly key: string;
  readonly value: unknown;
}

/** A Lookups over a ResourceSet that records what it was asked and what it answered. */
export class RecordingLookups implements Lookups {
  readonly deps: Dependency[] = [];
  // Paths of an ingress mostly share backends; each lookup is recorded once.
  readonly #seen = new Set<string>();
  readonly #set: ResourceSet;

  constructor(set: ResourceSet) {
    this.#set = set;
  }

  service(key: string): Service | undefined {
    return this.#record('services', key, this.#set.services.get(key));
  }
  slices(key: string): readonly EndpointSlice[] | undefined {
    return this.#record('endpointSlicesByService', key, this.#set.endpointSlicesByService.get(key));
  }
  endpoints(key: string): Endpoints | undefined {
    return this.#record('endpoints', key, this.#set.endpoints.get(key));
  }
  secret(key: string): Secret | undefined {
    return this.#record('secrets', key, this.#set.secrets.get(key));
  }

  #record<T>(kind: DepKind, key: string, value: T): T {
    const id = `${kind} ${key}`;
    if (!this.#seen.has(id)) {
      this.#seen.add(id);
      this.deps.push({ kind, key, value });
    }
    return value;
  }
}

/** Whether every recorded lookup still returns the very same object (or still nothing) in `set`. */
export function unchanged(deps: readonly Dependency[], set: ResourceSet): boolean {
  for (const d of deps) {
    const map: ReadonlyMap<string, unknown> = set[d.kind];
    if (map.get(d.key) !== d.value) return false;
  }
  return true;
}
