// Envoy listeners' route configurations, assembled from virtual hosts encoded once each. A
// listener's route configuration holds every virtual host of that listener (10,000 ingresses:
// 10,000 virtual hosts), so it is never translated whole: each virtual host is translated and
// encoded on its own, kept while its IR object (and the few values it depends on) stay the same,
// and the configuration's bytes are spliced from the encoded pieces (wire.ts). An edit of one
// route re-translates one virtual host per route configuration it is in.
// For VHDS clients (vhds.ts) the same pieces, renamed `<route configuration>/<host>`, are the
// VirtualHost resources, and the route configuration is its own fields alone.
import type { VirtualHost } from '../snapshot/types.ts';
import { encodeMessage, type ProtoObject } from './encode.ts';
import type { EncodedResource } from './resources.ts';
import { directBodyLimit } from './route-direct.ts';
import { envoyVirtualHost, placedVirtualHosts, routeConfigurationFields, type RouteConfigPlan } from './routes.ts';
import { TypeUrl } from './protos.ts';
import { vhdsRouteConfiguration, vhostResourceName } from './vhds.ts';
import { digest, lengthDelimited, withLeadingString } from './wire.ts';

const ROUTE_CONFIGURATION = 'envoy.config.route.v3.RouteConfiguration';
const VIRTUAL_HOST = 'envoy.config.route.v3.VirtualHost';
/** RouteConfiguration.virtual_hosts: the only field between `name` (1) and the rest. */
const VIRTUAL_HOSTS_FIELD = 2;
const VIRTUAL_HOST_NAME_FIELD = 1;

export interface Fragment {
  /** the virtual host as RouteConfiguration.virtual_hosts field bytes */
  readonly framed: Buffer;
  /** the virtual host as a message */
  readonly bytes: Uint8Array;
  readonly digest: string;
  /** the VHDS resources made from it by name, once a VHDS client wanted one (a fragment shared by route configurations has one name in each) */
  vhds?: Map<string, EncodedResource>;
  /** the largest direct response body past Envoy's default limit, 0 when none */
  readonly bodyLimit: number;
}

/** One virtual host of a route configuration, where Envoy gets it, with the domains it keeps. */
export interface Placed {
  readonly vhost: VirtualHost;
  readonly domains: readonly string[];
  /** what the fragment was made from besides the virtual host (fragmentKey) */
  readonly key: string;
  readonly fragment: Fragment;
}

/** One route configuration as last built. */
export interface PlanState {
  /** in Envoy's order */
  readonly entries: readonly Placed[];
  /**
   * how many of the plan's virtual hosts list each domain, and whether the list can be followed
   * change by change (sorted by name, no catch-all `*`: route-config-change.ts); undefined when not
   */
  readonly claims: Map<string, number> | undefined;
  readonly resource: EncodedResource;
  /** what VHDS clients get instead (vhds.ts), when asked for */
  readonly vhdsConfig?: EncodedResource;
  readonly bodyLimit: number;
}

/** What is kept from one build to the next; a failed build leaves the previous one in place. */
export interface RouteConfigState {
  readonly plans: Map<string, PlanState>;
}

export const emptyRouteConfigState = (): RouteConfigState => ({ plans: new Map() });

/** Route configurations for every client, and for VHDS clients their own and the virtual hosts. */
export interface BuiltRouteConfigs {
  readonly routes: EncodedResource[];
  /** empty unless asked for */
  readonly vhdsRoutes: EncodedResource[];
  readonly vhosts: EncodedResource[];
}

export interface Counters {
  translated: number;
  encoded: number;
  /** IR virtual hosts and clusters a build looked at: what a change costs besides translating and encoding */
  visited: number;
}

/**
 * What a fragment depends on besides its IR virtual host: not the route configuration's name, so
 * that one virtual host in `external` and `external-tls` (the same unless redirected) is translated
 * and encoded once for both.
 */
export function fragmentKey(plan: RouteConfigPlan, vhost: VirtualHost, domains: readonly string[], ingressHash: string | undefined): string {
  const redirects = plan.redirectToHttps && vhost.httpOption === 'Redirected';
  return [plan.options.listenerPort ?? '', redirects, ingressHash ?? '\u0001', ...domains].join('\0');
}

export function fragment(vhost: ProtoObject, counters: Counters): Fragment {
  counters.translated++;
  counters.encoded++;
  const bytes = encodeMessage(VIRTUAL_HOST, vhost);
  const framed = lengthDelimited(VIRTUAL_HOSTS_FIELD, bytes);
  // The message is the tail of its framing: one copy held, not two.
  return { framed, bytes: framed.subarray(framed.length - bytes.length), digest: digest(bytes), bodyLimit: directBodyLimit([vhost as { routes: ProtoObject[] }])?.value as number | undefined ?? 0 };
}

export const bodyLimitOf = (fragments: readonly Fragment[]): number => fragments.reduce((m, f) => Math.max(m, f.bodyLimit), 0);
const configFields = (name: string, limit: number) => routeConfigurationFields(name, undefined, limit > 0 ? { value: limit } : undefined);

export function assemble(name: string, fragments: readonly Fragment[], counters: Counters): EncodedResource {
  const { name: _, virtual_hosts: __, ...rest } = configFields(name, bodyLimitOf(fragments));
  counters.encoded += 2;
  const head = encodeMessage(ROUTE_CONFIGURATION, { name });
  const tail = encodeMessage(ROUTE_CONFIGURATION, rest);
  // The digest of the pieces' digests: equal bytes give equal digests without hashing megabytes.
  const hash = digest(head, ...fragments.map((f) => f.digest), tail);
  // Spliced when first sent, not per build: with only VHDS clients (vhds.ts) the megabytes of a
  // whole configuration are never copied.
  let any: EncodedResource['any'] | undefined;
  return {
    name,
    get any() {
      any ??= { type_url: `type.googleapis.com/${ROUTE_CONFIGURATION}`, value: Buffer.concat([head, ...fragments.map((f) => f.framed), tail]) };
      return any;
    },
    hash,
    wildcard: true,
  };
}

const sameList = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The VHDS route configuration of a plan with that body limit, reused from `held` when the same. */
export function vhdsConfigOf(name: string, limit: number, held: PlanState | undefined, counters: Counters): EncodedResource {
  if (held?.vhdsConfig && held.bodyLimit === limit) return held.vhdsConfig;
  counters.encoded++;
  const value = encodeMessage(ROUTE_CONFIGURATION, vhdsRouteConfiguration(configFields(name, limit)));
  return { name, any: { type_url: TypeUrl.route, value }, hash: digest(value), wildcard: true };
}

/** Domain claims of a plan's virtual hosts, or undefined when the plan cannot be followed change by change. */
function claimsOf(vhosts: readonly VirtualHost[]): Map<string, number> | undefined {
  const claims = new Map<string, number>();
  for (let i = 0; i < vhosts.length; i++) {
    const v = vhosts[i]!;
    if (i > 0 && !(vhosts[i - 1]!.name < v.name)) return undefined;
    for (const d of v.domains) {
      if (d === '*') return undefined;
      claims.set(d, (claims.get(d) ?? 0) + 1);
    }
  }
  return claims;
}

/** A fragment as a VHDS VirtualHost resource: the same bytes but for its name. */
export function vhdsResource(f: Fragment, name: string): EncodedResource {
  f.vhds ??= new Map();
  let r = f.vhds.get(name);
  if (!r) {
    const value = withLeadingString(f.bytes, VIRTUAL_HOST_NAME_FIELD, name);
    f.vhds.set(name, (r = { name, any: { type_url: TypeUrl.vhost, value }, hash: digest(value), wildcard: true }));
  }
  return r;
}

/**
 * The route configuration of each plan, reusing the fragments `prev` holds for the same virtual
 * host and key; the returned state holds what this build used (and only that: the pieces of removed
 * virtual hosts are left behind with `prev`). With `vhds`, also what VHDS clients get instead (vhds.ts).
 */
export function buildRouteConfigs(
  plans: readonly RouteConfigPlan[],
  hashes: ReadonlyMap<string, string>,
  prev: RouteConfigState,
  counters: Counters,
  vhds = false,
): BuiltRouteConfigs & { readonly state: RouteConfigState } {
  const reuse = new Map<VirtualHost, Map<string, Fragment>>();
  for (const held of prev.plans.values()) {
    for (const e of held.entries) {
      let m = reuse.get(e.vhost);
      if (!m) reuse.set(e.vhost, (m = new Map()));
      m.set(e.key, e.fragment);
    }
  }
  const state = emptyRouteConfigState();
  const out: BuiltRouteConfigs = { routes: [], vhdsRoutes: [], vhosts: [] };
  for (const plan of plans) {
    counters.visited += plan.vhosts.length;
    const entries = placedVirtualHosts(plan.vhosts).map(({ vhost, domains }): Placed => {
      const ingressHash = hashes.get(vhost.ingress);
      const key = fragmentKey(plan, vhost, domains, ingressHash);
      let byKey = reuse.get(vhost);
      if (!byKey) reuse.set(vhost, (byKey = new Map()));
      let f = byKey.get(key);
      // Kept for the next plans of this build too: `external-tls` takes `external`'s.
      if (!f) byKey.set(key, (f = fragment(envoyVirtualHost(vhost, domains, ingressHash, plan.redirectToHttps, plan.options), counters)));
      return { vhost, domains, key, fragment: f };
    });
    const fragments = entries.map((e) => e.fragment);
    const before = prev.plans.get(plan.name);
    const resource = before && sameList(before.entries.map((e) => e.fragment), fragments) ? before.resource : assemble(plan.name, fragments, counters);
    const limit = bodyLimitOf(fragments);
    const vhdsConfig = vhds ? vhdsConfigOf(plan.name, limit, before, counters) : undefined;
    state.plans.set(plan.name, { entries, claims: claimsOf(plan.vhosts), resource, vhdsConfig, bodyLimit: limit });
    out.routes.push(resource);
    if (!vhdsConfig) continue;
    out.vhdsRoutes.push(vhdsConfig);
    for (const e of entries) out.vhosts.push(vhdsResource(e.fragment, vhostResourceName(plan.name, e.domains)));
  }
  return { ...out, state };
}
