// `/config_dump`: the served snapshot as the Envoy resources `--xds` would send (xds/resources.ts),
// laid out as Envoy's own admin `/config_dump` lays them out (envoy.admin.v3 *ConfigDump messages,
// proto field names), so Envoy users read it as they read Envoy's. Secrets are listed with their
// keys redacted, as Envoy does, and AWS credentials in Lambda filters too (redact.ts).
import type { ListenerAddresses } from '../xds/common.ts';
import type { ProtoObject } from '../xds/encode.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { redactSecrets } from './redact.ts';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';
const CONFIG = 'type.googleapis.com/';

/** Where Envoy's listeners would bind when the gateway does not say (Sluice's own defaults). */
export const defaultListenerAddresses: ListenerAddresses = { externalAddress: '0.0.0.0:8080', externalTlsAddress: '0.0.0.0:8443', localAddress: '0.0.0.0:8081' };

export async function configDump(snapshot: Snapshot, addresses: ListenerAddresses): Promise<object> {
  // Loaded on first use: the xDS translators are not otherwise needed without --xds.
  const { buildResources } = await import('../xds/resources.ts');
  const r = buildResources(snapshot, addresses);
  const version = String(snapshot.version);
  const typed = (type: string, resource: ProtoObject) => ({ '@type': CONFIG + type, ...resource });
  return redactSecrets({
    configs: [
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        version_info: version,
        dynamic_listeners: r.listener.map((l) => ({ name: l.name, active_state: { version_info: version, listener: typed('envoy.config.listener.v3.Listener', l.resource) } })),
      },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        dynamic_route_configs: r.route.map((x) => ({ version_info: version, route_config: typed('envoy.config.route.v3.RouteConfiguration', x.resource) })),
      },
      {
        '@type': `${ADMIN}ClustersConfigDump`,
        version_info: version,
        dynamic_active_clusters: r.cluster.map((c) => ({ version_info: version, cluster: typed('envoy.config.cluster.v3.Cluster', c.resource) })),
      },
      {
        '@type': `${ADMIN}EndpointsConfigDump`,
        dynamic_endpoint_configs: r.endpoint.map((e) => ({ version_info: version, endpoint_config: typed('envoy.config.endpoint.v3.ClusterLoadAssignment', e.resource) })),
      },
      {
        '@type': `${ADMIN}SecretsConfigDump`,
        dynamic_active_secrets: r.secret.map((s) => ({ name: s.name, version_info: version, secret: typed('envoy.extensions.transport_sockets.tls.v3.Secret', s.resource) })),
      },
    ],
  });
}
