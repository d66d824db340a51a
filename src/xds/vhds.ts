// VHDS (Virtual Host Discovery Service) for delta ADS clients that opt in. Such a client's Envoy
// listener route configurations hold no virtual host but name VHDS over ADS, and each virtual host
// is its own resource, so an edit of one app sends that app's virtual hosts alone instead of whole
// route configurations (megabytes at 10,000 apps). As Envoy speaks it:
// - its first VirtualHost request names nothing (a wildcard) or, with Vhds's newer opt-in, the
//   route configuration's name; either way Envoy keeps a resource when the part of its name before
//   the last `/` is a route configuration it loads (namespace matching, watch_map.cc);
// - it keys VHDS virtual hosts by their own `name` and removes them by resource name, so both are
//   `<route configuration>/<host>` (route_config_update_receiver_impl.cc), the first kept domain;
// - an on-demand request (`envoy.filters.http.on_demand`) subscribes `<route configuration>/<Host>`
//   and waits for a resource carrying that name as an alias, with no resource when nothing serves it.
// Envoy accepts `ads` as VHDS's config source only on a delta ADS stream; older Envoys refuse it
// (`only 'DELTA_GRPC' is supported`), hence the per-client opt-in rather than a server-wide switch.
import { ADS_CONFIG_SOURCE } from './common.ts';
import type { ProtoObject } from './encode.ts';
import type { Node } from './service.ts';

/** The node metadata key by which a delta client asks for VHDS: `"sluice.vhds": true`. */
export const VHDS_METADATA_KEY = 'sluice.vhds';

/** Whether a client's node asks for VHDS (`true`, or the string `"true"`). */
export function wantsVhds(node: Node | null | undefined): boolean {
  const value = node?.metadata?.fields?.[VHDS_METADATA_KEY];
  return value?.boolValue === true || value?.stringValue === 'true';
}

/** A route configuration's own fields (routeConfigurationFields less virtual hosts), loading its virtual hosts over VHDS. */
export function vhdsRouteConfiguration(fields: ProtoObject): ProtoObject {
  return { ...fields, virtual_hosts: undefined, vhds: { config_source: ADS_CONFIG_SOURCE } };
}

/** A VHDS virtual host's resource name (and VirtualHost name): `<route configuration>/<host>`. */
export function vhostResourceName(routeConfiguration: string, domains: readonly string[]): string {
  return `${routeConfiguration}/${domains[0] ?? ''}`;
}

/** What precedes the last `/` of a name: the route configuration of a VHDS resource name. */
export function namespaceOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}
