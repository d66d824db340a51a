// What each Gateway API route's rules read (Services, EndpointSlices, Endpoints, Secrets), indexed
// by what was read, so a change to one Service finds the routes that read it without asking all.
import type { ResourceSet } from '../store/types.ts';
import { forEachDependency, unchanged, type DepKind, type Dependencies } from './lookups.ts';

export class RouteReads {
  /** route id (`kind namespace/name`) -> its reads */
  readonly #deps = new Map<string, Dependencies>();
  /** `kind key` read -> the routes that read it */
  readonly #readers = new Map<string, Set<string>>();
  /** routes that named a Gloo Upstream: their rules read every Service */
  readonly #allServices = new Set<string>();

  set(id: string, deps: Dependencies, allServices: boolean): void {
    // Kept rules give back their very deps: nothing to re-index (a Gateway edit re-attaches many).
    if (this.#deps.get(id) === deps && this.#allServices.has(id) === allServices) return;
    this.delete(id);
    this.#deps.set(id, deps);
    forEachDependency(deps, (kind, key) => {
      const k = `${kind} ${key}`;
      let readers = this.#readers.get(k);
      if (readers === undefined) this.#readers.set(k, (readers = new Set()));
      readers.add(id);
    });
    if (allServices) this.#allServices.add(id);
  }

  delete(id: string): void {
    const deps = this.#deps.get(id);
    if (deps === undefined) return;
    this.#deps.delete(id);
    this.#allServices.delete(id);
    forEachDependency(deps, (kind, key) => {
      const k = `${kind} ${key}`;
      const readers = this.#readers.get(k);
      readers?.delete(id);
      if (readers?.size === 0) this.#readers.delete(k);
    });
  }

  /** Adds to `into` the routes that read `key` of `kind`. */
  readersOf(kind: DepKind, key: string, into: Set<string>): void {
    for (const id of this.#readers.get(`${kind} ${key}`) ?? []) into.add(id);
  }

  /** Adds to `into` the routes whose rules read every Service. */
  allServiceReaders(into: Set<string>): void {
    for (const id of this.#allServices) into.add(id);
  }

  /** Whether every route's reads still give the very same objects in `set`. */
  unchanged(set: ResourceSet): boolean {
    for (const deps of this.#deps.values()) if (!unchanged(deps, set)) return false;
    return true;
  }
}
