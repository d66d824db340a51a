// What the watch caches keep of an object. managedFields (and kubectl's last-applied copy of the whole
// object) are often most of an object's bytes and nothing Sluice reads: dropped on receipt, so 10,000
// ingresses with their Services and EndpointSlices fit the same memory as in file mode.
import type { KubeObject } from './client.ts';
import { SERVICE_NAME_LABEL as SERVICE_NAME } from '../api/types.ts';
import type { SharedValues } from '../snapshot/shared-values.ts';
import { BoundedTable } from '../snapshot/bounded-table.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * `o` without managedFields, and without the last-applied annotation when `lastApplied` (only for kinds
 * Sluice never writes: a status write sends the cached object back, and the API server keeps the
 * managedFields a write leaves out, but the annotation is not Sluice's to drop).
 */
export function slim<T extends KubeObject>(o: T, lastApplied: boolean): T {
  const meta = o.metadata;
  if (!meta) return o;
  const dropAnnotation = lastApplied && meta.annotations !== undefined && LAST_APPLIED in meta.annotations;
  if (meta.managedFields === undefined && !dropAnnotation) return o;
  const { managedFields: _m, ...rest } = meta;
  if (dropAnnotation) {
    const { [LAST_APPLIED]: _a, ...annotations } = meta.annotations!;
    rest.annotations = annotations;
  }
  return { ...o, metadata: rest };
}

/**
 * A change the translator cannot see: same generation (so the same spec: the API server bumps it on
 * any spec change of a kind with a status subresource), labels, annotations and deletion. The leader's
 * own status writes are such changes, one per ingress.
 */
export function statusOnly(before: KubeObject, after: KubeObject): boolean {
  const a = before.metadata;
  const b = after.metadata;
  if (a?.generation === undefined || a.generation !== b?.generation) return false;
  return a.deletionTimestamp === b.deletionTimestamp && sameRecord(a.labels, b.labels) && sameRecord(a.annotations, b.annotations);
}

/**
 * `after` (a change of status alone, see statusOnly) sharing the spec, labels and annotations of `before`,
 * which are equal: the watch brings each object whole, and the resource validated from `before` (held by
 * the store) still refers to them, so 10,000 status writes would otherwise leave two copies of every spec.
 */
export function withUnchangedParts<T extends KubeObject>(before: T, after: T): T {
  const meta = after.metadata && { ...after.metadata, labels: before.metadata?.labels, annotations: before.metadata?.annotations };
  if (meta && meta.labels === undefined) delete meta.labels;
  if (meta && meta.annotations === undefined) delete meta.annotations;
  return 'spec' in before ? { ...after, spec: before.spec, metadata: meta } : { ...after, metadata: meta };
}

function sameRecord(x: Record<string, string> | undefined, y: Record<string, string> | undefined): boolean {
  const xk = Object.keys(x ?? {});
  if (xk.length !== Object.keys(y ?? {}).length) return false;
  return xk.every((k) => x![k] === y?.[k]);
}

/**
 * One copy of each short string the caches hold many times (namespaces, label values, port names,
 * protocols, addresses shared by many slices): JSON.parse makes a new string for every occurrence.
 * Bounded (bounded-table.ts: at most `max` strings), so that a cluster of unique names costs a fixed
 * table, not a second copy of each name; strings met again and again stay.
 */
export class Interner {
  readonly #strings: BoundedTable<string>;

  constructor(max = 50_000) {
    this.#strings = new BoundedTable(Math.max(1, Math.floor(max / 2)));
  }

  get<S>(s: S): S {
    if (typeof s !== 'string' || s.length > 64) return s;
    return this.#strings.keep(s, s) as S;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `o` with only the named keys that are present, each value through `f` (default: as it is). */
function pick(o: unknown, keys: readonly string[], f: (v: unknown, k: string) => unknown = (v) => v): Json | undefined {
  if (!isObject(o)) return o as Json | undefined;
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = f(o[k], k);
  return out;
}

const mapArray = (v: unknown, f: (x: unknown) => unknown): unknown => (Array.isArray(v) ? v.map(f) : v);

/** What the caches of read-only kinds keep of metadata: what translation and precedence read (not uid, managedFields, last-applied...). */
const META_KEYS = ['name', 'namespace', 'labels', 'annotations', 'creationTimestamp', 'deletionTimestamp'];

function meta(m: unknown, i: Interner, labels?: (l: unknown) => unknown, keys = META_KEYS): Json | undefined {
  return pick(m, keys, (v, k) => (k === 'labels' && labels ? labels(v) : k === 'annotations' || k === 'labels' ? internRecord(v, i) : i.get(v)));
}

function internRecord(v: unknown, i: Interner): unknown {
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) if (k !== LAST_APPLIED) out[i.get(k)] = i.get(x);
  return out;
}

/** `v` as it is when there is no table of shared values */
const asIs = { share: <V>(v: V): V => v };

/**
 * An EndpointSlice as the translator and the prober read it: its Service's name label, the address
 * type, each endpoint's addresses, conditions and hostname, and the ports. Dropped: every other label,
 * the annotations, targetRef, nodeName, zone and hints (often most of a slice), and the metadata above.
 * Conditions and port lists, equal in most slices, are one object each through `shared`.
 */
export function projectEndpointSlice<T extends KubeObject>(o: T, i: Interner, shared: Pick<SharedValues, 'share'> = asIs): T {
  const labels = (l: unknown): unknown => (isObject(l) && l[SERVICE_NAME] !== undefined ? { [SERVICE_NAME]: i.get(l[SERVICE_NAME]) } : undefined);
  const endpoint = (e: unknown): unknown =>
    pick(e, ['addresses', 'conditions', 'hostname'], (v, k) => (k === 'addresses' ? mapArray(v, (a) => i.get(a)) : k === 'conditions' ? shared.share(pick(v, ['ready', 'serving', 'terminating'])) : v));
  const port = (p: unknown): unknown => pick(p, ['name', 'port', 'protocol', 'appProtocol'], (v) => i.get(v));
  // apiVersion and kind first, as validation would add them: the cached object is then the resource pushed.
  const out: Json = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta(o.metadata, i, labels, ['name', 'namespace', 'labels']) };
  if (o.addressType !== undefined) out.addressType = i.get(o.addressType);
  if (o.endpoints !== undefined) out.endpoints = mapArray(o.endpoints, endpoint);
  if (o.ports !== undefined) out.ports = shared.share(mapArray(o.ports, port));
  return out as T;
}

/**
 * A Service as the translator reads it: type, clusterIP, externalName, ports, and its load balancer
 * status (a Gateway reports the addresses of the Service in front of it). Dropped: the selector,
 * clusterIPs, IP families, session affinity and traffic policies, and the metadata above. Port lists,
 * equal in most Services, are one object each through `shared`.
 */
export function projectService<T extends KubeObject>(o: T, i: Interner, shared: Pick<SharedValues, 'share'> = asIs): T {
  const port = (p: unknown): unknown => pick(p, ['name', 'port', 'targetPort', 'protocol', 'appProtocol'], (v) => i.get(v));
  const spec = pick(o.spec, ['type', 'clusterIP', 'externalName', 'ports'], (v, k) => (k === 'ports' ? shared.share(mapArray(v, port)) : i.get(v)));
  const out: Json = { apiVersion: 'v1', kind: 'Service', metadata: meta(o.metadata, i), spec };
  const lb = isObject(o.status) ? o.status.loadBalancer : undefined;
  if (isObject(lb) && Array.isArray(lb.ingress) && lb.ingress.length > 0) out.status = { loadBalancer: lb };
  return out as T;
}
