// The status Kubernetes mode writes for a Gateway API object, from the translator's ObjectStatus and
// the object's current status: pure, so the rules are tested without a cluster.
// - lastTransitionTime (the translator has no clock): kept from the current condition when its status
//   did not change, else now;
// - observedGeneration: the live object's generation;
// - routes: only `parents[]` entries with Sluice's controllerName are Sluice's; other controllers'
//   entries are kept as they are (several controllers share a route's status).
import { isDeepStrictEqual } from 'node:util';
import { CONTROLLER_NAME } from '../gateway-api/types.ts';

export type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const isRoute = (kind: string): boolean => kind === 'HTTPRoute' || kind === 'GRPCRoute';
const ours = (parent: unknown): boolean => obj(parent)?.controllerName === CONTROLLER_NAME;

/** What identifies an item of a status list, so the current item it continues can be found. */
function itemKey(field: string, item: unknown, index: number): string {
  const o = obj(item);
  if (field === 'conditions') return String(o?.type);
  if (field === 'listeners') return String(o?.name);
  if (field === 'parents') return JSON.stringify([canonical(o?.parentRef), o?.controllerName]);
  // A policy's ancestors (GEP-713) by the ref they report on, so an unchanged one keeps its times.
  if (field === 'ancestors') return JSON.stringify([canonical(o?.ancestorRef), o?.controllerName]);
  return String(index);
}

/** Stamps conditions (lastTransitionTime, observedGeneration) in `desired`, walking `current` alongside. */
function stamp(desired: unknown, current: unknown, field: string, now: string, generation: number | undefined): unknown {
  if (Array.isArray(desired)) {
    const before = new Map(arr(current).map((c, i) => [itemKey(field, c, i), c] as const));
    return desired.map((d, i) => {
      const prev = before.get(itemKey(field, d, i));
      if (field !== 'conditions') return stamp(d, prev, '', now, generation);
      const c = { ...obj(d) };
      const p = obj(prev);
      if (generation !== undefined) c.observedGeneration = generation;
      c.lastTransitionTime = p && p.status === c.status && typeof p.lastTransitionTime === 'string' ? p.lastTransitionTime : now;
      return c;
    });
  }
  const o = obj(desired);
  if (!o) return desired;
  const cur = obj(current);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, stamp(v, cur?.[k], k, now, generation)]));
}

export function desiredObjectStatus(kind: string, translated: Readonly<Json>, current: unknown, liveGeneration: number | undefined, now: Date): Json {
  const at = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const cur = obj(current);
  // Gloo's statuses are keyed by the reporting controller's namespace: others' entries are kept.
  const gloo = obj(translated.statuses);
  if (gloo !== undefined) return { ...translated, statuses: { ...obj(cur?.statuses), ...gloo } };
  if (!isRoute(kind)) return stamp(translated, cur, '', at, liveGeneration) as Json;
  const mine = stamp(arr(translated.parents), arr(cur?.parents).filter(ours), 'parents', at, liveGeneration) as unknown[];
  // Others' entries first, in their order, then Sluice's: a rewrite never reorders another's entries.
  return { ...translated, parents: [...arr(cur?.parents).filter((p) => !ours(p)), ...mine] };
}

/** Sorted keys, conditions sorted by type, no lastTransitionTime, no empty lists: what "changed" is judged on. */
function canonical(v: unknown, field = ''): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => canonical(x, ''));
    return field === 'conditions' ? items.sort((a, b) => String(obj(a)?.type).localeCompare(String(obj(b)?.type))) : items;
  }
  const o = obj(v);
  if (!o) return v;
  const out: Json = {};
  // An empty list says nothing more than none (a route with no Sluice parent has nothing to write).
  for (const k of Object.keys(o).sort()) if (k !== 'lastTransitionTime' && o[k] !== undefined && !(Array.isArray(o[k]) && (o[k] as unknown[]).length === 0)) out[k] = canonical(o[k], k);
  return out;
}

/** Equal apart from lastTransitionTime, key order, condition order and empty lists. */
export function sameObjectStatus(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(canonical(a ?? {}), canonical(b ?? {}));
}
