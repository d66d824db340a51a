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

/**
 * What one translation read: triples of lookup kind, key, and the object returned (undefined when
 * nothing was there), in one flat list (one array per ingress rather than an object per lookup:
 * 60,000 fewer objects kept at 10,000 ingresses).
 */
export type Dependencies = readonly unknown[];

/** Calls `fn` with the kind and key of each lookup in `deps`. */
export function forEachDependency(deps: Dependencies, fn: (kind: DepKind, key: string) => void): void {
  for (let i = 0; i < deps.length; i += 3) fn(deps[i] as DepKind, deps[i + 1] as string);
}

/** A Lookups over a ResourceSet that records what it was asked and what it answered. */
export class RecordingLookups implements Lookups {
  readonly deps: unknown[] = [];
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
      this.deps.push(kind, key, value);
    }
    return value;
  }
}

/** Whether every recorded lookup still returns the very same object (or still nothing) in `set`. */
export function unchanged(deps: Dependencies, set: ResourceSet): boolean {
  for (let i = 0; i < deps.length; i += 3) {
    const map: ReadonlyMap<string, unknown> = set[deps[i] as DepKind];
    if (map.get(deps[i + 1] as string) !== deps[i + 2]) return false;
  }
  return true;
}
