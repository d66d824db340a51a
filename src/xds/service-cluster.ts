// Clusters for the services policies call (a rate limit service, an ext_authz server), by address:
// `sluice.service/<h2|http1>/<host:port>`. An IP address is a STATIC endpoint, a name LOGICAL_DNS
// (resolved by Envoy, as the data plane resolves it on connect).
import { isIP } from 'node:net';
import { loadAssignment } from './clusters.ts';
import { typed, type ProtoObject } from './encode.ts';
import type { NamedResource } from './routes.ts';

export type ServiceProtocol = 'h2' | 'http1';

const HTTP_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** `host:port` or `[v6]:port` split; undefined when it is neither (such a policy is not sent to Envoy). */
export function serviceAddress(address: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) return undefined;
  return { host: (m[1] ?? m[2])!, port };
}

export function serviceClusterName(protocol: ServiceProtocol, address: string): string {
  return `sluice.service/${protocol}/${address}`;
}

export function serviceCluster(protocol: ServiceProtocol, address: string): NamedResource | undefined {
  const a = serviceAddress(address);
  if (a === undefined) return undefined;
  const name = serviceClusterName(protocol, address);
  const ip = isIP(a.host) !== 0;
  return {
    name,
    resource: {
      name,
      connect_timeout: { seconds: 5 },
      type: ip ? 'STATIC' : 'LOGICAL_DNS',
      dns_lookup_family: ip ? undefined : 'V4_PREFERRED',
      lb_policy: 'ROUND_ROBIN',
      load_assignment: loadAssignment(name, [{ address: a.host, port: a.port }]),
      // gRPC needs HTTP/2; an HTTP authorization server gets Envoy's default, HTTP/1.1.
      typed_extension_protocol_options:
        protocol === 'h2' ? { [HTTP_OPTIONS]: typed(HTTP_OPTIONS, { explicit_http_config: { http2_protocol_options: {} } }) } : undefined,
    } satisfies ProtoObject,
  };
}
