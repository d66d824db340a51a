// One Envoy listener's route configuration followed change by change: the virtual hosts a
// snapshot change removed, added or left with a new ingress hash are placed, translated and
// encoded, and nothing else is looked at. That holds while no other virtual host is affected:
// Envoy's order is the snapshot's (sorted by name) only without a catch-all `*` (which goes last),
// and a domain is kept by the first virtual host listing it (uniqueDomains in routes.ts), so a
// change touching a domain that two virtual hosts list, before or after, is left to a full build
// (undefined here). Pure but for the counters: the caller commits the returned state.
import type { VirtualHost } from '../snapshot/types.ts';
import type { EncodedResource } from './resources.ts';
import { assemble, bodyLimitOf, fragment, fragmentKey, vhdsConfigOf, vhdsResource, type Counters, type Placed, type PlanState } from './route-config-cache.ts';
import { envoyVirtualHost, placedVirtualHosts, type RouteConfigPlan } from './routes.ts';
import { vhostResourceName } from './vhds.ts';

export interface PlanChange {
  readonly state: PlanState;
  /** the route configuration, when its bytes may have changed */
  readonly route?: EncodedResource;
  readonly vhdsRoute?: EncodedResource;
  /** VHDS virtual hosts by name: new or changed ones, and undefined for removed ones */
  readonly vhosts: Map<string, EncodedResource | undefined>;
  /** domain claims to apply on commit */
  readonly claims: ReadonlyMap<string, number>;
}

/** The index of the entry for `name` in entries sorted by virtual host name, or where it would go. */
function position(entries: readonly Placed[], name: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.vhost.name < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The plan's next state after `removed` and `added` virtual hosts (a list diff: items may be in
 * neither list or both) and `stale` ones (same object, new ingress hash); undefined when only a
 * full build can place them.
 */
export function changePlan(
  held: PlanState,
  plan: RouteConfigPlan,
  change: { readonly removed: readonly VirtualHost[]; readonly added: readonly VirtualHost[]; readonly stale: readonly VirtualHost[] },
  hashOf: (ingress: string) => string | undefined,
  counters: Counters,
  vhds: boolean,
): PlanChange | undefined {
  const claims = held.claims;
  if (claims === undefined) return undefined;
  const entries = [...held.entries];
  const at = (v: VirtualHost): number => {
    const i = position(entries, v.name);
    return entries[i]?.vhost === v ? i : -1;
  };
  const counts = new Map<string, number>();
  const count = (d: string) => counts.get(d) ?? claims.get(d) ?? 0;
  const vhosts = new Map<string, EncodedResource | undefined>();
  const removedFragments: Placed[] = [];
  const addedFragments: Placed[] = [];
  for (const v of change.removed) {
    const i = at(v);
    // An item in neither list, or one the full build left out (no servable domain; its claims stay
    // counted, which can only send a later change to a full build): nothing to take out.
    if (i < 0) continue;
    counters.visited++;
    const [gone] = entries.splice(i, 1);
    removedFragments.push(gone!);
    for (const d of v.domains) counts.set(d, count(d) - 1);
    if (vhds) vhosts.set(vhostResourceName(plan.name, gone!.domains), undefined);
  }
  const place = (v: VirtualHost, i: number, replace: boolean): boolean => {
    const [one] = placedVirtualHosts([v]);
    if (one === undefined || one.domains.length !== v.domains.length) return false;
    const ingressHash = hashOf(v.ingress);
    const key = fragmentKey(plan, v, one.domains, ingressHash);
    const f = replace && entries[i]!.key === key ? entries[i]!.fragment : fragment(envoyVirtualHost(v, one.domains, ingressHash, plan.redirectToHttps, plan.options), counters);
    const placed: Placed = { vhost: v, domains: one.domains, key, fragment: f };
    entries.splice(i, replace ? 1 : 0, placed);
    addedFragments.push(placed);
    if (vhds) vhosts.set(vhostResourceName(plan.name, one.domains), vhdsResource(f, vhostResourceName(plan.name, one.domains)));
    return true;
  };
  // An added item already placed (in both lists) is looked at as a stale one: its hash may have moved.
  const recheck: VirtualHost[] = [];
  for (const v of change.added) {
    counters.visited++;
    if (at(v) >= 0) {
      recheck.push(v);
      continue;
    }
    const i = position(entries, v.name);
    // Another virtual host of that name still placed: the diff is not one this can follow.
    if (entries[i]?.vhost.name === v.name) return undefined;
    for (const d of v.domains) {
      if (d === '*') return undefined;
      counts.set(d, count(d) + 1);
    }
    if (!place(v, i, false)) return undefined;
  }
  for (const v of [...change.stale, ...recheck]) {
    const i = at(v);
    if (i < 0) continue;
    counters.visited++;
    for (const d of v.domains) if ((claims.get(d) ?? 0) > 1) return undefined;
    removedFragments.push(entries[i]!);
    if (!place(v, i, true)) return undefined;
  }
  // A domain two virtual hosts list, before or after: which keeps it depends on the others.
  for (const [d, n] of counts) if (n > 1 || (claims.get(d) ?? 0) > 1) return undefined;
  const same = removedFragments.length === addedFragments.length && removedFragments.every((r, i) => r.vhost.name === addedFragments[i]!.vhost.name && r.fragment.digest === addedFragments[i]!.fragment.digest);
  const fragments = same ? undefined : entries.map((e) => e.fragment);
  // The largest body limit: only a removed fragment that held it makes it shrink.
  const addedLimit = Math.max(0, ...addedFragments.map((p) => p.fragment.bodyLimit));
  const shrinks = held.bodyLimit > 0 && removedFragments.some((p) => p.fragment.bodyLimit === held.bodyLimit);
  const bodyLimit = fragments && shrinks ? bodyLimitOf(fragments) : Math.max(held.bodyLimit, addedLimit);
  const route = fragments ? assemble(plan.name, fragments, counters) : undefined;
  const vhdsConfig = vhds ? vhdsConfigOf(plan.name, bodyLimit, held, counters) : undefined;
  const state: PlanState = { entries, claims, resource: route ?? held.resource, vhdsConfig, bodyLimit };
  return { state, route, vhdsRoute: vhdsConfig !== held.vhdsConfig ? vhdsConfig : undefined, vhosts, claims: counts };
}
