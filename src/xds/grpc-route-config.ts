// A proxyless gRPC client's API listener and route configuration for one host, each built when
// first read (only a client naming the host gets them). The route configuration (routes.ts
// grpcRouteConfiguration) is spliced from pieces: a virtual host serving several hosts (a Knative app's four or so names)
// has its routes translated and encoded once, and each host's configuration is its name, the
// virtual host's name and that one domain around those bytes. Protobufjs writes fields by number
// (wire.ts), so the result is byte for byte what encoding the whole configuration gives.
import type { VirtualHost } from '../snapshot/types.ts';
import { encodeAny, encodeMessage } from './encode.ts';
import { apiListener } from './listeners.ts';
import { TypeUrl } from './protos.ts';
import { lazyResource, messageTypeOf, type EncodedResource } from './resources.ts';
import type { RouteOptions } from './route-action.ts';
import type { Counters } from './route-config-cache.ts';
import { directBodyLimit } from './route-direct.ts';
import { grpcRoutes } from './routes.ts';
import { lengthDelimited } from './wire.ts';

const ROUTE_CONFIGURATION = 'envoy.config.route.v3.RouteConfiguration';
const VIRTUAL_HOST = 'envoy.config.route.v3.VirtualHost';
/** RouteConfiguration.name and .virtual_hosts: everything else comes after. */
const ROUTE_CONFIGURATION_NAME_FIELD = 1;
const VIRTUAL_HOSTS_FIELD = 2;
/** VirtualHost.name and .domains: before its routes (3) and anything else. */
const VIRTUAL_HOST_NAME_FIELD = 1;
const DOMAINS_FIELD = 2;

interface Pieces {
  readonly options: RouteOptions;
  /** VirtualHost.routes (field 3, after name and domains) as encoded */
  readonly routes: Uint8Array;
  /** the RouteConfiguration fields after virtual_hosts */
  readonly tail: Uint8Array;
}

// By IR virtual host (shared between snapshots while unchanged) and, by identity, the options.
const held = new WeakMap<VirtualHost, Pieces>();

function piecesOf(vhost: VirtualHost, options: RouteOptions, counters: Counters): Pieces {
  const p = held.get(vhost);
  if (p?.options === options) return p;
  counters.translated++;
  counters.encoded += 2;
  const routes = grpcRoutes(vhost, options);
  const limit = directBodyLimit([{ routes }]);
  // Checked whole (with a stand-in domain), then cut after the name and that domain.
  const checked = encodeMessage(VIRTUAL_HOST, { name: vhost.name, domains: ['x'], routes });
  const before = lengthDelimited(VIRTUAL_HOST_NAME_FIELD, Buffer.from(vhost.name)).length + lengthDelimited(DOMAINS_FIELD, Buffer.from('x')).length;
  const pieces = {
    options,
    routes: checked.subarray(before),
    tail: encodeMessage(ROUTE_CONFIGURATION, { max_direct_response_body_size_bytes: limit }),
  };
  held.set(vhost, pieces);
  return pieces;
}

/**
 * `host`'s route configuration as a proxyless client gets it (never sent to a wildcard
 * subscription). Built when first read, not with the snapshot: only clients that name a host get
 * its configuration, and most hosts are never asked for (10,000 apps: 40,000 hosts). Reading it
 * cannot fail: its routes are the checked ones (servable()) and the virtual host's name was
 * checked when the same virtual host was encoded for Envoy's listeners in this build.
 */
export function grpcRouteResource(host: string, vhost: VirtualHost, options: RouteOptions, counters: Counters): EncodedResource {
  return lazyResource(host, false, () => {
    const p = piecesOf(vhost, options, counters);
    // The host is one hostsForGrpc() keeps (no NUL, CR or LF: what Envoy's domain rule refuses).
    const text = (id: number, s: string) => lengthDelimited(id, Buffer.from(s));
    const vhostBytes = Buffer.concat([text(VIRTUAL_HOST_NAME_FIELD, vhost.name), text(DOMAINS_FIELD, host), p.routes]);
    const value = Buffer.concat([text(ROUTE_CONFIGURATION_NAME_FIELD, host), lengthDelimited(VIRTUAL_HOSTS_FIELD, vhostBytes), p.tail]);
    return { type_url: TypeUrl.route, value };
  });
}

/** `host`'s API listener for a proxyless client, built when first read (see grpcRouteResource). */
export function lazyApiListener(host: string, counters: Counters): EncodedResource {
  return lazyResource(host, false, () => {
    counters.translated++;
    counters.encoded++;
    return encodeAny(messageTypeOf('listener'), apiListener(host).resource);
  });
}
