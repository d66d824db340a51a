// One object for each distinct part of a spec. Knative writes the same paths and splits under an
// ingress's ExternalIP and ClusterLocal rules, and the same splits under each path; JSON.parse makes
// a new object, array and string for every occurrence, which at 10,000 ingresses was most of the
// ingress cache (4.1 KB an ingress, 1.5 KB shared). Done in place on a freshly decoded object, before
// anything else holds it; the parts are then read only, as everything the caches hold.
import { SharedValues } from '../snapshot/shared-values.ts';
import type { Interner } from './slim.ts';

/** specs already shared (a status-only change keeps its spec: it is not walked again) */
const done = new WeakSet<object>();

/**
 * `root` with every repeated part (objects and arrays equal in content, strings through `strings`)
 * replaced by its first occurrence, in place. Parts are told apart by a key made of their children's
 * ids, so the walk is linear in the size of `root`.
 */
export function shareRepeatedParts<T>(root: T, strings: Interner): T {
  if (root === null || typeof root !== 'object' || done.has(root)) return root;
  const values = new Map<unknown, number>();
  const parts = new Map<string, number>();
  const canon: unknown[] = [];
  const id = (map: Map<unknown, number>, key: unknown, v: unknown): number => {
    let n = map.get(key);
    if (n === undefined) {
      n = canon.length;
      canon.push(v);
      map.set(key, n);
    }
    return n;
  };
  const visit = (v: unknown): number => {
    if (v === null || typeof v !== 'object') {
      const x = strings.get(v);
      return id(values, x, x);
    }
    let key: string;
    if (Array.isArray(v)) {
      key = '[';
      for (let i = 0; i < v.length; i++) {
        const n = visit(v[i]);
        v[i] = canon[n];
        key += `${n},`;
      }
    } else {
      key = '{';
      const o = v as Record<string, unknown>;
      for (const k in o) {
        const n = visit(o[k]);
        o[k] = canon[n];
        key += `${visit(k)}:${n},`;
      }
    }
    return id(parts as Map<unknown, number>, key, v);
  };
  const shared = canon[visit(root)] as T;
  done.add(shared as object);
  return shared;
}

/**
 * One object for each distinct value of a small part many objects hold equal: an ingress's status is
 * the same conditions and load balancer for most ingresses (the leader writes them within the same
 * seconds), yet every status write the watch brings back is a new parse; a Service's port list is
 * the same in most Services. Keyed by the value's JSON, the first of each value with its own parts
 * shared; bounded (snapshot/bounded-table.ts), so values all different cost a fixed table, not a
 * second copy of each.
 */
export function sharedKubeValues(strings: Interner): SharedValues {
  return new SharedValues({ perGeneration: 2048, first: (v) => shareRepeatedParts(v, strings) });
}
