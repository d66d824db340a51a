// What each Gateway API route's rules read (Services, EndpointSlices, Endpoints, Secrets), so a
// change to one Service finds the routes that read it. No index by what was read: an index of
// every key (two per backend) to its readers was ~2 MiB at 10,000 routes (two Maps of 20,000 keys
// each), while a change is found by going through every route's reads once, checking each key
// against the change's sets: at 10,000 routes, 40,000 lookups, well under a millisecond.
import type { ResourceSet, ResourceSetChanges } from '../store/types.ts';
import { unchanged, type DepKind, type Dependencies } from './lookups.ts';

/** The changed keys of each lookup kind. */
export type ChangedKeys = Pick<ResourceSetChanges, DepKind>;

export class RouteReads {
  /** route id (`kind namespace/name`) -> its reads */
  readonly #deps = new Map<string, Dependencies>();
  /** routes that named a Gloo Upstream: their rules read every Service */
  readonly #allServices = new Set<string>();

  set(id: string, deps: Dependencies, allServices: boolean): void {
    this.#deps.set(id, deps);
    if (allServices) this.#allServices.add(id);
    else this.#allServices.delete(id);
  }

  delete(id: string): void {
    this.#deps.delete(id);
    this.#allServices.delete(id);
  }

  /** Adds to `into` the routes that read a key of `changed`, and (a Service changed) those whose rules read every Service. */
  readersOf(changed: ChangedKeys, into: Set<string>): void {
    if (changed.services.size === 0 && changed.endpointSlicesByService.size === 0 && changed.endpoints.size === 0 && changed.secrets.size === 0) return;
    for (const [id, deps] of this.#deps) {
      for (let i = 0; i < deps.length; i += 3) {
        if (changed[deps[i] as DepKind].has(deps[i + 1] as string)) {
          into.add(id);
          break;
        }
      }
    }
    if (changed.services.size > 0) for (const id of this.#allServices) into.add(id);
  }

  /** Whether every route's reads still give the very same objects in `set`. */
  unchanged(set: ResourceSet): boolean {
    for (const deps of this.#deps.values()) if (!unchanged(deps, set)) return false;
    return true;
  }
}
