// The resource store: turns each whole state a source pushes into a ResourceSet for the translator.
// Last-good rule: a document that fails validation does not take its object away. When a rejection
// names an object (kind + namespace + name) that is missing from the new state but was present
// before, the previous version is kept, so a bad edit keeps serving the last good one.
import {
  SERVICE_NAME_LABEL,
  keyOf,
  type EndpointSlice,
  type Endpoints,
  type KIngress,
  type Origin,
  type Rejection,
  type Resource,
  type ResourceKind,
  type Secret,
  type Service,
  type Sourced,
} from '../api/types.ts';
import type { SourceState } from '../sources/types.ts';
import type { ResourceSet } from './types.ts';

type ByKey = Map<string, Sourced>;
type ByKind = Map<ResourceKind, ByKey>;

const EMPTY: ResourceSet = {
  ingresses: new Map(),
  services: new Map(),
  endpointSlicesByService: new Map(),
  endpoints: new Map(),
  secrets: new Map(),
  rejections: [],
};

export class Store {
  #byKind: ByKind = new Map();
  #current: ResourceSet = EMPTY;

  /** Replaces the state with a source's whole new state and returns the resulting set. */
  update(state: SourceState): ResourceSet {
    const { byKind, duplicates } = group(state.resources);
    for (const r of state.rejections) {
      if (!r.kind || !r.name) continue;
      const key = keyOf({ namespace: r.namespace || undefined, name: r.name });
      const kind = r.kind as ResourceKind;
      const previous = this.#byKind.get(kind)?.get(key);
      const now = byKind.get(kind) ?? new Map();
      if (previous && !now.has(key)) byKind.set(kind, now.set(key, previous));
    }
    this.#byKind = byKind;
    this.#current = build(byKind, [...state.rejections, ...duplicates], this.#current.endpointSlicesByService);
    return this.#current;
  }

  current(): ResourceSet {
    return this.#current;
  }
}

function compareOrigin(a: Origin, b: Origin): number {
  const fa = a.file ?? '';
  const fb = b.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.doc ?? 0) - (b.doc ?? 0);
}

function describe(o: Origin): string {
  if (o.file === undefined) return o.cluster ? 'the cluster' : 'another source';
  return o.doc !== undefined ? `${o.file} (document ${o.doc})` : o.file;
}

// One object defined twice (say in two files) is ambiguous. The definition that comes first by
// file and document index is used, whatever order the source listed them in, and the others are
// reported as rejections so the user sees the duplicate.
function group(resources: readonly Sourced[]): { byKind: ByKind; duplicates: Rejection[] } {
  const byKind: ByKind = new Map();
  const duplicates: Rejection[] = [];
  for (const s of sortedBy(resources, (a, b) => compareOrigin(a.origin, b.origin))) {
    const kind = s.resource.kind;
    const key = keyOf(s.resource.metadata);
    const map = byKind.get(kind) ?? new Map<string, Sourced>();
    byKind.set(kind, map);
    const first = map.get(key);
    if (!first) {
      map.set(key, s);
      continue;
    }
    duplicates.push({
      kind,
      namespace: s.resource.metadata.namespace ?? 'default',
      name: s.resource.metadata.name,
      origin: s.origin,
      errors: [{ path: 'metadata.name', message: `duplicate ${kind} "${key}": the definition in ${describe(first.origin)} is used` }],
    });
  }
  return { byKind, duplicates };
}

function sortedValues<T extends Resource>(byKind: ByKind, kind: T['kind']): Array<[string, Sourced<T>]> {
  const entries = [...(byKind.get(kind) ?? new Map<string, Sourced>()).entries()];
  return sortedBy(entries, ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) as Array<[string, Sourced<T>]>;
}

// Sources usually push in a sorted order already (files by path); checking that is one linear pass,
// much cheaper than sorting 50,000 items again on every push. Returns a new array either way.
function sortedBy<T>(items: readonly T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < items.length; i++) {
    if (compare(items[i - 1] as T, items[i] as T) > 0) return [...items].sort(compare);
  }
  return [...items];
}

// `previousSlices`: the lists of the last set. A list whose slices are all the same objects as
// before is reused as it is, so the translator's cache (which compares by identity) sees no change.
function build(byKind: ByKind, rejections: readonly Rejection[], previousSlices: ResourceSet['endpointSlicesByService']): ResourceSet {
  const plain = <T extends Resource>(kind: T['kind']) => new Map(sortedValues<T>(byKind, kind).map(([k, s]) => [k, s.resource]));
  return {
    ingresses: new Map(sortedValues<KIngress>(byKind, 'Ingress')),
    services: plain<Service>('Service'),
    endpointSlicesByService: indexSlices(sortedValues<EndpointSlice>(byKind, 'EndpointSlice').map(([, s]) => s.resource), previousSlices),
    endpoints: plain<Endpoints>('Endpoints'),
    secrets: plain<Secret>('Secret'),
    rejections,
  };
}

// EndpointSlices belong to a Service through the `kubernetes.io/service-name` label; a slice
// without it cannot be attached to any Service and is left out.
function indexSlices(slices: EndpointSlice[], previous: ResourceSet['endpointSlicesByService']): Map<string, readonly EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const key = keyOf({ namespace: slice.metadata.namespace, name: svc });
    const list = out.get(key);
    if (list === undefined) out.set(key, [slice]);
    else list.push(slice);
  }
  const stable = new Map<string, readonly EndpointSlice[]>();
  for (const [key, list] of out) {
    list.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
    const old = previous.get(key);
    stable.set(key, old !== undefined && old.length === list.length && old.every((s, i) => s === list[i]) ? old : list);
  }
  return stable;
}
