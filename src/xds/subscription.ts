// What one client stream subscribes to for one resource type, and which resources that selects.
import { createHash } from 'node:crypto';
import type { ResourceKind } from './protos.ts';
import type { EncodedResource, ResourceTable } from './resources.ts';

export interface Subscription {
  /** all resources marked wildcard (Envoy's listeners and clusters), besides any named ones */
  readonly wildcard: boolean;
  readonly names: ReadonlySet<string>;
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
  return { wildcard, names: new Set(named) };
}

/** The resources a subscription selects, sorted by name. */
export function select(table: ResourceTable, sub: Subscription): EncodedResource[] {
  const out: EncodedResource[] = [];
  for (const r of table.values()) if ((sub.wildcard && r.wildcard) || sub.names.has(r.name)) out.push(r);
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

const wildcardCache = new WeakMap<ResourceTable, { selected: EncodedResource[]; version: string }>();

/**
 * select() and contentVersion() together. Every Envoy has the same wildcard subscription, so
 * that answer is computed once per resource table, not once per client.
 */
export function selectVersioned(table: ResourceTable, sub: Subscription): { selected: EncodedResource[]; version: string } {
  const plainWildcard = sub.wildcard && sub.names.size === 0;
  const cached = plainWildcard ? wildcardCache.get(table) : undefined;
  if (cached) return cached;
  const selected = select(table, sub);
  const answer = { selected, version: contentVersion(selected) };
  if (plainWildcard) wildcardCache.set(table, answer);
  return answer;
}
