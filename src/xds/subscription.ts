// What one client stream subscribes to for one resource type, and which resources that selects.
import { createHash } from 'node:crypto';
import type { ResourceKind } from './protos.ts';
import type { EncodedResource, ResourceTable } from './resources.ts';
import { namespaceOf } from './vhds.ts';

export interface Subscription {
  /** all resources marked wildcard (Envoy's listeners and clusters), besides any named ones */
  readonly wildcard: boolean;
  readonly names: ReadonlySet<string>;
  /**
   * names what the subscription selects (wildcard and sorted names): equal keys select the same
   * resources, so answers are computed once per table and key rather than per stream
   */
  readonly key: string;
  /**
   * a name also selects the resources named `<name>/...` (VHDS virtual hosts by route
   * configuration, as Envoy's namespace matching does); equal keys imply equal flags per table
   */
  readonly namespaced?: boolean;
}

/** A subscription's key (see Subscription.key). */
export function subscriptionKey(wildcard: boolean, names: Iterable<string>): string {
  return `${wildcard ? '*' : ''}\n${[...names].sort().join('\n')}`;
}

/**
 * Listeners and clusters are wildcard types: a first request that names nothing (or names `*`)
 * means "everything" (Envoy). Routes and endpoints are only ever asked for by name. A later
 * request with no names on a wildcard stream stays wildcard, as the xDS spec's legacy rule says.
 */
export function nextSubscription(
  kind: ResourceKind,
  names: readonly string[],
  previous: Subscription | undefined,
): Subscription {
  const wildcardType = kind === 'listener' || kind === 'cluster';
  const named = names.filter((n) => n !== '*');
  const wildcard =
    wildcardType && (names.includes('*') || (names.length === 0 && (previous === undefined || previous.wildcard)));
  // Every ACK repeats the whole list (10,000 endpoint names for an Envoy): the same list keeps
  // the same subscription, key included, rather than a new set per request.
  if (previous && previous.wildcard === wildcard && previous.names.size === named.length && named.every((n) => previous.names.has(n))) return previous;
  const set = new Set(named);
  return shared({ wildcard, names: set, key: subscriptionKey(wildcard, set) });
}

/** Subscriptions by key while some stream holds them (see shared()). */
const interned = new Map<string, WeakRef<Subscription>>();
const released = new FinalizationRegistry<string>((key) => {
  if (interned.get(key)?.deref() === undefined) interned.delete(key);
});

/**
 * The one subscription of `sub`'s wildcard and names that streams hold: every Envoy names the same
 * 20,000 endpoint assignments at 10,000 apps, and a set of its own names (decoded from its own
 * request) and a key of them per client would be megabytes per client. Only wildcard, names and
 * key are shared (not `namespaced`); the names must not be changed afterwards.
 */
export function shared(sub: Subscription): Subscription {
  const held = interned.get(sub.key)?.deref();
  if (held !== undefined) return held;
  const own: Subscription = { wildcard: sub.wildcard, names: sub.names, key: sub.key };
  interned.set(sub.key, new WeakRef(own));
  released.register(own, sub.key);
  return own;
}

/** Whether a subscription selects a resource. */
export function selects(sub: Subscription, r: EncodedResource): boolean {
  return (sub.wildcard && r.wildcard) || sub.names.has(r.name) || (sub.namespaced === true && sub.names.has(namespaceOf(r.name)));
}

/** The resources a subscription selects, sorted by name. */
export function select(table: ResourceTable, sub: Subscription): EncodedResource[] {
  const out: EncodedResource[] = [];
  // Names alone (routes, endpoints): looked up, not found by walking every resource of the table.
  if (!sub.wildcard && sub.namespaced !== true && sub.names.size < table.size) {
    for (const name of sub.names) {
      const r = table.get(name);
      if (r !== undefined) out.push(r);
    }
  } else for (const r of table.values()) if (selects(sub, r)) out.push(r);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The version of a state-of-the-world response: a digest of what it contains, so the same
 * content gets the same version on every stream and every Sluice replica, and "did anything this
 * client subscribes to change" is a string comparison.
 */
export function contentVersion(resources: readonly EncodedResource[]): string {
  const h = createHash('sha256');
  for (const r of resources) h.update(`${r.name}\0${r.hash}\n`);
  return h.digest('hex').slice(0, 16);
}

const answers = new WeakMap<ResourceTable, Map<string, { selected: EncodedResource[]; version: string }>>();

/**
 * select() and contentVersion() together. Streams subscribed alike (every Envoy's wildcard, the
 * same endpoint names) share one answer per resource table, computed once, not once per client.
 */
export function selectVersioned(table: ResourceTable, sub: Subscription): { selected: EncodedResource[]; version: string } {
  let byKey = answers.get(table);
  if (!byKey) answers.set(table, (byKey = new Map()));
  let answer = byKey.get(sub.key);
  if (!answer) {
    const selected = select(table, sub);
    answer = { selected, version: contentVersion(selected) };
    byKey.set(sub.key, answer);
  }
  return answer;
}
