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

interface Fragment {
  /** the virtual host as RouteConfiguration.virtual_hosts field bytes */
  readonly framed: Buffer;
  /** the virtual host as a message */
  readonly bytes: Uint8Array;
  readonly digest: string;
  /** the VHDS resource made from it, once a VHDS client wanted one */
  vhds?: EncodedResource;
  /** the largest direct response body past Envoy's default limit, 0 when none */
  readonly bodyLimit: number;
}

interface Assembled {
  readonly fragments: readonly Fragment[];
  readonly resource: EncodedResource;
}

/** What is kept from one build to the next; a failed build leaves the previous one in place. */
export interface RouteConfigState {
  /** by IR virtual host, then by what else its translation depends on (fragmentKey) */
  readonly fragments: Map<VirtualHost, Map<string, Fragment>>;
  readonly assembled: Map<string, Assembled>;
  /** VHDS clients' route configurations, by name and body limit */
  readonly vhdsConfigs: Map<string, EncodedResource>;
}

export const emptyRouteConfigState = (): RouteConfigState => ({ fragments: new Map(), assembled: new Map(), vhdsConfigs: new Map() });

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
}

function fragmentKey(plan: RouteConfigPlan, domains: readonly string[], ingressHash: string | undefined): string {
  return [plan.name, plan.options.listenerPort ?? '', plan.redirectToHttps, ingressHash ?? '\u0001', ...domains].join('\0');
}

function fragment(vhost: ProtoObject, counters: Counters): Fragment {
  counters.translated++;
  counters.encoded++;
  const bytes = encodeMessage(VIRTUAL_HOST, vhost);
  const framed = lengthDelimited(VIRTUAL_HOSTS_FIELD, bytes);
  // The message is the tail of its framing: one copy held, not two.
  return { framed, bytes: framed.subarray(framed.length - bytes.length), digest: digest(bytes), bodyLimit: directBodyLimit([vhost as { routes: ProtoObject[] }])?.value as number | undefined ?? 0 };
}

const bodyLimitOf = (fragments: readonly Fragment[]): number => fragments.reduce((m, f) => Math.max(m, f.bodyLimit), 0);
const configFields = (name: string, limit: number) => routeConfigurationFields(name, undefined, limit > 0 ? { value: limit } : undefined);

function assemble(name: string, fragments: readonly Fragment[], counters: Counters): EncodedResource {
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

/** A fragment as a VHDS VirtualHost resource: the same bytes but for its name. */
function vhdsResource(f: Fragment, name: string): EncodedResource {
  if (f.vhds?.name !== name) {
    const value = withLeadingString(f.bytes, VIRTUAL_HOST_NAME_FIELD, name);
    f.vhds = { name, any: { type_url: TypeUrl.vhost, value }, hash: digest(value), wildcard: true };
  }
  return f.vhds;
}

/**
 * The route configuration of each plan, reusing `prev`'s pieces; `next` receives what this build
 * used (and only that: the pieces of removed virtual hosts are left behind with `prev`). With
 * `vhds`, also what VHDS clients get instead (vhds.ts).
 */
export function buildRouteConfigs(
  plans: readonly RouteConfigPlan[],
  hashes: ReadonlyMap<string, string>,
  prev: RouteConfigState,
  next: RouteConfigState,
  counters: Counters,
  vhds = false,
): BuiltRouteConfigs {
  const out: BuiltRouteConfigs = { routes: [], vhdsRoutes: [], vhosts: [] };
  for (const plan of plans) {
    const placed = placedVirtualHosts(plan.vhosts);
    const fragments = placed.map(({ vhost, domains }) => {
      const ingressHash = hashes.get(vhost.ingress);
      const key = fragmentKey(plan, domains, ingressHash);
      const f = prev.fragments.get(vhost)?.get(key) ?? fragment(envoyVirtualHost(vhost, domains, ingressHash, plan.redirectToHttps, plan.options), counters);
      let held = next.fragments.get(vhost);
      if (!held) next.fragments.set(vhost, (held = new Map()));
      held.set(key, f);
      return f;
    });
    const before = prev.assembled.get(plan.name);
    const assembled = before && sameList(before.fragments, fragments) ? before : { fragments, resource: assemble(plan.name, fragments, counters) };
    next.assembled.set(plan.name, assembled);
    out.routes.push(assembled.resource);
    if (!vhds) continue;
    const limit = bodyLimitOf(fragments);
    const configKey = `${plan.name}\0${limit}`;
    let config = prev.vhdsConfigs.get(configKey);
    if (!config) {
      counters.encoded++;
      const value = encodeMessage(ROUTE_CONFIGURATION, vhdsRouteConfiguration(configFields(plan.name, limit)));
      config = { name: plan.name, any: { type_url: TypeUrl.route, value }, hash: digest(value), wildcard: true };
    }
    next.vhdsConfigs.set(configKey, config);
    out.vhdsRoutes.push(config);
    fragments.forEach((f, i) => out.vhosts.push(vhdsResource(f, vhostResourceName(plan.name, placed[i]!.domains))));
  }
  return out;
}
