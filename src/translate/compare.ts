// Orderings shared by the translator's modules. Strings compare by UTF-16 code units, not locale,
// so the output is the same on every machine.
import type { KIngress } from '../api/types.ts';

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** creationTimestamp in ms; no (or an unreadable) timestamp counts as newest. */
export function createdTime(ing: KIngress): number {
  const t = ing.metadata.creationTimestamp ? Date.parse(ing.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

/**
 * Precedence of ingresses when they claim the same host: the oldest creationTimestamp first, then
 * `namespace/name`, so the result never depends on input order, and an existing ingress is not
 * taken over by a newer one that copies its hosts.
 */
export interface Rank {
  readonly time: number;
  readonly key: string;
}

export function compareRanks(a: Rank, b: Rank): number {
  return a.time !== b.time ? (a.time < b.time ? -1 : 1) : compareStrings(a.key, b.key);
}
