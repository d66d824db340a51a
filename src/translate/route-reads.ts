// What each Gateway API route's rules read (Services, EndpointSlices, Endpoints, Secrets), indexed
// by what was read, so a change to one Service finds the routes that read it without asking all.
// Most keys are read by one route (its own Services): such a key holds that route's id alone, and
// a set only once a second route reads it (at 10,000 routes, 40,000 one-element sets were ~7 MB).
import type { ResourceSet } from '../store/types.ts';
import { forEachDependency, unchanged, type DepKind, type Dependencies } from './lookups.ts';

/** The routes that read one key: one route's id, or several in a set. */
type Readers = string | Set<string>;

export class RouteReads {
  /** route id (`kind namespace/name`) -> its reads */
  readonly #deps = new Map<string, Dependencies>();
  /** lookup kind -> key read (the very strings the reads hold) -> the routes that read it */
  readonly #readers = new Map<DepKind, Map<string, Readers>>();
  /** routes that named a Gloo Upstream: their rules read every Service */
  readonly #allServices = new Set<string>();

  set(id: string, deps: Dependencies, allServices: boolean): void {
    // Kept rules give back their very deps: nothing to re-index (a Gateway edit re-attaches many).
    if (this.#deps.get(id) === deps && this.#allServices.has(id) === allServices) return;
    this.delete(id);
    this.#deps.set(id, deps);
    forEachDependency(deps, (kind, key) => {
      let byKey = this.#readers.get(kind);
      if (byKey === undefined) this.#readers.set(kind, (byKey = new Map()));
      const had = byKey.get(key);
      if (had === undefined) byKey.set(key, id);
      else if (typeof had === 'string') {
        if (had !== id) byKey.set(key, new Set([had, id]));
      } else had.add(id);
    });
    if (allServices) this.#allServices.add(id);
  }

  delete(id: string): void {
    const deps = this.#deps.get(id);
    if (deps === undefined) return;
    this.#deps.delete(id);
    this.#allServices.delete(id);
    forEachDependency(deps, (kind, key) => {
      const byKey = this.#readers.get(kind);
      const had = byKey?.get(key);
      if (had === undefined || byKey === undefined) return;
      if (typeof had === 'string') {
        if (had === id) byKey.delete(key);
        return;
      }
      had.delete(id);
      if (had.size === 1) byKey.set(key, had.values().next().value as string);
      else if (had.size === 0) byKey.delete(key);
    });
  }

  /** Adds to `into` the routes that read `key` of `kind`. */
  readersOf(kind: DepKind, key: string, into: Set<string>): void {
    const had = this.#readers.get(kind)?.get(key);
    if (typeof had === 'string') into.add(had);
    else for (const id of had ?? []) into.add(id);
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

  /** How many keys hold a set of readers (several routes read them): what the size tests count. */
  collections(): number {
    let n = 0;
    for (const byKey of this.#readers.values()) for (const r of byKey.values()) if (typeof r !== 'string') n++;
    return n;
  }
}
