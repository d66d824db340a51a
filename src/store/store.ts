// The resource store: turns each state a source pushes into a ResourceSet for the translator.
// Last-good rule: a document that fails validation does not take its object away. When a rejection
// names an object (kind + namespace + name) that is missing from the new state but was present
// before, the previous version is kept, so a bad edit keeps serving the last good one.
//
// The store works by difference: a source that says what changed (SourceState.changes) costs work
// in proportion to the change; a whole state is compared with the last one object by object. Either
// way the resulting set says which keys changed (ResourceSet.changes), and maps no key of which
// changed are shared with the previous set, so the translator can redo only what an edit touched.
import { SERVICE_NAME_LABEL, keyOf, storeKind, type EndpointSlice, type Origin, type Rejection, type Sourced } from '../api/types.ts';
import type { SourceState } from '../sources/types.ts';
import { LayeredMap } from './layered.ts';
import { GATEWAY_API_MAPS, GLOO_MAP_KINDS, GLOO_MAPS, type ResourceSet, type ResourceSetChanges } from './types.ts';

// Objects are filed by store kind (storeKind): the kind name, told apart by API group where two share one.
type ResourceKind = string;

type GatewayApiMap = (typeof GATEWAY_API_MAPS)[number];
type GlooMap = (typeof GLOO_MAPS)[number];

type ByKey = Map<string, Sourced>;
/** The maps of a ResourceSet whose values are single resources (the slices are grouped by Service). */
type PlainMap = 'ingresses' | 'services' | 'endpoints' | 'secrets' | GatewayApiMap | GlooMap;
type Changed = Record<keyof Omit<ResourceSetChanges, 'since'>, Set<string>>;

const EMPTY: ResourceSet = Object.freeze({
  ingresses: new Map(),
  services: new Map(),
  endpointSlicesByService: new Map(),
  endpoints: new Map(),
  secrets: new Map(),
  gatewayClasses: new Map(),
  gateways: new Map(),
  httpRoutes: new Map(),
  grpcRoutes: new Map(),
  referenceGrants: new Map(),
  namespaces: new Map(),
  configMaps: new Map(),
  glooUpstreams: new Map(),
  glooUpstreamGroups: new Map(),
  glooVirtualServices: new Map(),
  glooRouteTables: new Map(),
  glooGateways: new Map(),
  trafficPolicies: new Map(),
  backendPolicies: new Map(),
  rejections: Object.freeze([]),
});

const MAP_OF: Partial<Record<ResourceKind, PlainMap>> = {
  ...Object.fromEntries(GLOO_MAPS.map((m) => [GLOO_MAP_KINDS[m], m])),
  Ingress: 'ingresses',
  Service: 'services',
  Endpoints: 'endpoints',
  Secret: 'secrets',
  GatewayClass: 'gatewayClasses',
  Gateway: 'gateways',
  HTTPRoute: 'httpRoutes',
  GRPCRoute: 'grpcRoutes',
  ReferenceGrant: 'referenceGrants',
  Namespace: 'namespaces',
  TrafficPolicy: 'trafficPolicies',
  BackendPolicy: 'backendPolicies',
  ConfigMap: 'configMaps',
};
/** The kind each Gateway API map holds. */
const GATEWAY_API_KINDS: Readonly<Record<GatewayApiMap, ResourceKind>> = {
  gatewayClasses: 'GatewayClass',
  gateways: 'Gateway',
  httpRoutes: 'HTTPRoute',
  grpcRoutes: 'GRPCRoute',
  referenceGrants: 'ReferenceGrant',
  namespaces: 'Namespace',
  trafficPolicies: 'TrafficPolicy',
  backendPolicies: 'BackendPolicy',
  configMaps: 'ConfigMap',
};

/** One change to apply: a resource to set, or (resource undefined) a kind/key to drop. */
interface Op {
  readonly kind: ResourceKind;
  readonly key: string;
  readonly sourced: Sourced | undefined;
}

export class Store {
  /** every resource held, by kind then `namespace/name` (the store's own, changed in place) */
  readonly #objects = new Map<ResourceKind, ByKey>();
  /** `Kind namespace/name` of the objects held only by the last-good rule */
  readonly #kept = new Set<string>();
  /** EndpointSlices by `namespace/serviceName`, then by slice name */
  readonly #slices = new Map<string, Map<string, EndpointSlice>>();
  #current: ResourceSet = EMPTY;
  #last: SourceState | undefined;

  /** Applies a source's new state and returns the resulting set. */
  update(state: SourceState): ResourceSet {
    if (state === this.#last) return this.#current;
    const changes = state.changes;
    let ops: Op[];
    let duplicates: Rejection[] = [];
    let present: ((ckey: string) => boolean) | undefined;
    if (changes !== undefined && (changes.since === null ? this.#last === undefined : changes.since.deref() === this.#last)) {
      ops = [];
      for (const s of changes.removed) ops.push({ kind: storeKind(s.resource), key: keyOf(s.resource.metadata), sourced: undefined });
      for (const s of changes.upserted) ops.push({ kind: storeKind(s.resource), key: keyOf(s.resource.metadata), sourced: s });
    } else {
      const grouped = group(state.resources);
      duplicates = grouped.duplicates;
      ops = diff(this.#objects, grouped.byKind);
      present = (ckey) => {
        const space = ckey.indexOf(' ');
        return grouped.byKind.get(ckey.slice(0, space) as ResourceKind)?.has(ckey.slice(space + 1)) ?? false;
      };
    }
    this.#last = state;
    const changed = this.#apply(ops, state.rejections, present);
    this.#current = this.#build(changed, [...state.rejections, ...duplicates]);
    return this.#current;
  }

  current(): ResourceSet {
    return this.#current;
  }

  /** Applies the ops under the last-good rule; returns the changed keys of each ResourceSet map. */
  #apply(ops: readonly Op[], rejections: readonly Rejection[], present: ((ckey: string) => boolean) | undefined): Changed {
    const named = new Set<string>();
    for (const r of rejections) {
      if (r.kind && r.name) named.add(`${storeKind(r)} ${keyOf({ namespace: r.namespace || undefined, name: r.name })}`);
    }
    const changed: Changed = { ingresses: new Set(), services: new Set(), endpoints: new Set(), secrets: new Set(), endpointSlicesByService: new Set() } as Changed;
    for (const map of [...GATEWAY_API_MAPS, ...GLOO_MAPS]) changed[map] = new Set();
    for (const op of ops) {
      const ckey = `${op.kind} ${op.key}`;
      if (op.sourced !== undefined) {
        this.#kept.delete(ckey);
        this.#put(op.kind, op.key, op.sourced, changed);
      } else if (named.has(ckey)) {
        // Gone from the source because its document was rejected: keep serving the last good one.
        if (this.#objects.get(op.kind)?.has(op.key)) this.#kept.add(ckey);
      } else {
        this.#put(op.kind, op.key, undefined, changed);
      }
    }
    // A whole state that holds a kept object again (the same object) takes it back from the rule.
    if (present !== undefined) for (const ckey of this.#kept) if (present(ckey)) this.#kept.delete(ckey);
    // Kept objects whose rejection is gone (the document was fixed or deleted) go.
    for (const ckey of this.#kept) {
      if (named.has(ckey)) continue;
      this.#kept.delete(ckey);
      const space = ckey.indexOf(' ');
      this.#put(ckey.slice(0, space) as ResourceKind, ckey.slice(space + 1), undefined, changed);
    }
    return changed;
  }

  #put(kind: ResourceKind, key: string, sourced: Sourced | undefined, changed: Changed): void {
    let byKey = this.#objects.get(kind);
    const old = byKey?.get(key);
    if (old === sourced) return;
    if (sourced === undefined) byKey?.delete(key);
    else {
      if (byKey === undefined) this.#objects.set(kind, (byKey = new Map()));
      byKey.set(key, sourced);
    }
    const map = MAP_OF[kind];
    if (map !== undefined) changed[map].add(key);
    if (kind === 'EndpointSlice') {
      if (old !== undefined) this.#indexSlice(old.resource as EndpointSlice, false, changed);
      if (sourced !== undefined) this.#indexSlice(sourced.resource as EndpointSlice, true, changed);
    }
  }

  // EndpointSlices belong to a Service through the `kubernetes.io/service-name` label; a slice
  // without it cannot be attached to any Service and is left out.
  #indexSlice(slice: EndpointSlice, add: boolean, changed: Changed): void {
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) return;
    const key = keyOf({ namespace: slice.metadata.namespace, name: svc });
    let byName = this.#slices.get(key);
    if (add) {
      if (byName === undefined) this.#slices.set(key, (byName = new Map()));
      byName.set(slice.metadata.name, slice);
    } else if (byName?.get(slice.metadata.name) === slice) {
      byName.delete(slice.metadata.name);
      if (byName.size === 0) this.#slices.delete(key);
    }
    changed.endpointSlicesByService.add(key);
  }

  // A map none of whose keys changed is the previous set's own map; the others are the previous
  // map with a layer of changes (layered.ts), so a ResourceSet handed out earlier never changes
  // under its holder and an edit copies nothing.
  #build(changed: Changed, rejections: readonly Rejection[]): ResourceSet {
    const prev = this.#current;
    const plain = <M extends PlainMap>(map: M, kind: ResourceKind, unwrap: boolean): ResourceSet[M] => {
      const byKey = this.#objects.get(kind);
      const edits = new Map<string, unknown>();
      for (const key of changed[map]) {
        const s = byKey?.get(key);
        edits.set(key, s === undefined ? undefined : unwrap ? s.resource : s);
      }
      return LayeredMap.with(prev[map] as ReadonlyMap<string, unknown>, edits) as ResourceSet[M];
    };
    const sliceEdits = new Map<string, readonly EndpointSlice[] | undefined>();
    for (const key of changed.endpointSlicesByService) {
      const byName = this.#slices.get(key);
      const list = byName === undefined ? [] : [...byName.values()].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
      // The same slices as before: keep the list itself, so the translator's cache sees no change.
      const old = prev.endpointSlicesByService.get(key) ?? [];
      if (old.length === list.length && old.every((s, i) => s === list[i])) changed.endpointSlicesByService.delete(key);
      else sliceEdits.set(key, list.length === 0 ? undefined : Object.freeze(list));
    }
    const set: ResourceSet = {
      ingresses: plain('ingresses', 'Ingress', false),
      services: plain('services', 'Service', true),
      endpointSlicesByService: LayeredMap.with(prev.endpointSlicesByService, sliceEdits),
      endpoints: plain('endpoints', 'Endpoints', true),
      secrets: plain('secrets', 'Secret', true),
      ...(Object.fromEntries(GATEWAY_API_MAPS.map((map) => [map, plain(map, GATEWAY_API_KINDS[map], true)])) as Pick<ResourceSet, GatewayApiMap>),
      ...(Object.fromEntries(GLOO_MAPS.map((map) => [map, plain(map, GLOO_MAP_KINDS[map], true)])) as Pick<ResourceSet, GlooMap>),
      // The same rejections as before: the same list, so the translator knows at a glance.
      rejections: sameItems(prev.rejections, rejections) ? prev.rejections : Object.freeze(rejections),
    };
    // The first set is all change: it says nothing (the translator starts from scratch anyway), so
    // the current set does not hold every key of the config twice more until the next edit.
    return Object.freeze(prev === EMPTY ? set : { ...set, changes: Object.freeze({ since: new WeakRef(prev), ...changed }) });
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The ops that turn `from` into `to`. */
function diff(from: ReadonlyMap<ResourceKind, ByKey>, to: ReadonlyMap<ResourceKind, ByKey>): Op[] {
  const ops: Op[] = [];
  for (const [kind, byKey] of to) {
    const old = from.get(kind);
    for (const [key, s] of byKey) if (old?.get(key) !== s) ops.push({ kind, key, sourced: s });
  }
  for (const [kind, byKey] of from) {
    const now = to.get(kind);
    for (const key of byKey.keys()) if (!now?.has(key)) ops.push({ kind, key, sourced: undefined });
  }
  return ops;
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
function group(resources: readonly Sourced[]): { byKind: Map<ResourceKind, ByKey>; duplicates: Rejection[] } {
  const byKind = new Map<ResourceKind, ByKey>();
  const duplicates: Rejection[] = [];
  for (const s of sortedBy(resources, (a, b) => compareOrigin(a.origin, b.origin))) {
    const kind = storeKind(s.resource);
    const key = keyOf(s.resource.metadata);
    let map = byKind.get(kind);
    if (map === undefined) byKind.set(kind, (map = new Map()));
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

// Sources usually push in a sorted order already (files by path); checking that is one linear pass,
// much cheaper than sorting 50,000 items again on every push.
function sortedBy<T>(items: readonly T[], compare: (a: T, b: T) => number): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if (compare(items[i - 1] as T, items[i] as T) > 0) return [...items].sort(compare);
  }
  return items;
}
