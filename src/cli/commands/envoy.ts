// `sluice envoy bootstrap`: prints the bootstrap that makes an Envoy (or, with --grpc, a proxyless
// gRPC client) take all of its configuration from Sluice's ADS.
// Only fields whose proto3 JSON form is the same as their plain form are used (no Duration or
// wrapper types), so the printed YAML/JSON is what Envoy parses and the object also encodes
// through envoy.config.bootstrap.v3.Bootstrap (checked in tests).
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { SluiceError } from '../../errors.ts';
import { parseHostPort } from '../../xds/common.ts';

export const DEFAULT_XDS_ADDRESS = '127.0.0.1:18000';
/** Not 9901: that is Sluice's own admin port, and both often run on one machine in a demo. */
export const DEFAULT_ENVOY_ADMIN_PORT = 9902;
const XDS_CLUSTER = 'sluice_xds';

export interface BootstrapOptions {
  /** Sluice's ADS address, `host:port` */
  readonly xds: string;
  readonly nodeId: string;
  /** node.cluster; defaults to `sluice-gateway` */
  readonly cluster?: string;
  readonly adminPort?: number;
  /** incremental xDS (DELTA_GRPC) instead of state of the world */
  readonly delta?: boolean;
}

type Json = string | number | boolean | Json[] | { [key: string]: Json };

/** An Envoy v3 bootstrap: static xDS cluster to Sluice (HTTP/2), LDS and CDS over ADS. */
export function envoyBootstrap(options: BootstrapOptions): { [key: string]: Json } {
  const { host, port } = parseHostPort(options.xds, '--xds');
  const adminPort = options.adminPort ?? DEFAULT_ENVOY_ADMIN_PORT;
  if (!Number.isInteger(adminPort) || adminPort < 1 || adminPort > 65535) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--admin-port: "${options.adminPort}" is not a port number`);
  }
  if (options.nodeId === '') throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--node-id: must not be empty');
  const ads = () => ({ ads: {}, resource_api_version: 'V3' });
  const http2 = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
  return {
    node: { id: options.nodeId, cluster: options.cluster ?? 'sluice-gateway' },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: adminPort } } },
    dynamic_resources: {
      ads_config: {
        api_type: options.delta ? 'DELTA_GRPC' : 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
        set_node_on_first_message_only: true,
      },
      lds_config: ads(),
      cds_config: ads(),
    },
    static_resources: {
      clusters: [
        {
          name: XDS_CLUSTER,
          // An IP needs no resolving; a name is resolved and re-resolved by Envoy.
          type: isIP(host) ? 'STATIC' : 'LOGICAL_DNS',
          typed_extension_protocol_options: {
            [http2]: { '@type': `type.googleapis.com/${http2}`, explicit_http_config: { http2_protocol_options: {} } },
          },
          load_assignment: {
            cluster_name: XDS_CLUSTER,
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: port } } } }] }],
          },
        },
      ],
    },
  };
}

/** The bootstrap of a proxyless gRPC client (GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG). */
export function grpcBootstrap(options: Pick<BootstrapOptions, 'xds' | 'nodeId'>): { [key: string]: Json } {
  parseHostPort(options.xds, '--xds');
  return {
    xds_servers: [{ server_uri: options.xds, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: options.nodeId, locality: {} },
  };
}

export function renderBootstrap(bootstrap: { [key: string]: Json }, format: string): string {
  if (format === 'json') return `${JSON.stringify(bootstrap, null, 2)}\n`;
  if (format === 'yaml') return stringify(bootstrap, { lineWidth: 0, aliasDuplicateObjects: false });
  throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--output: "${format}" is not yaml or json`);
}

/** Adds `envoy bootstrap` to the program; output goes to `write` (stdout by default). */
export function registerEnvoyCommand(program: Command, write: (text: string) => void = (t) => void process.stdout.write(t)): void {
  const envoy = program.command('envoy').description('Run Envoy with Sluice as its control plane');
  envoy
    .command('bootstrap')
    .description("print an Envoy bootstrap that takes its listeners, routes and clusters from Sluice's xDS")
    .option('--xds <addr>', "Sluice's xDS (ADS) address, host:port", DEFAULT_XDS_ADDRESS)
    .option('--node-id <id>', 'Envoy node id', 'sluice-envoy')
    .option('--cluster <name>', 'Envoy node cluster', 'sluice-gateway')
    .option('--admin-port <port>', "Envoy's admin port (on 127.0.0.1)", String(DEFAULT_ENVOY_ADMIN_PORT))
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option('--delta', 'use incremental xDS (DELTA_GRPC)', false)
    .option('--grpc', 'print a proxyless gRPC client bootstrap (GRPC_XDS_BOOTSTRAP) instead', false)
    .action((opts: { xds: string; nodeId: string; cluster: string; adminPort: string; output: string; grpc: boolean; delta: boolean }) => {
      if (!/^\d+$/.test(opts.adminPort)) {
        throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--admin-port: "${opts.adminPort}" is not a port number`);
      }
      const bootstrap = opts.grpc
        ? grpcBootstrap({ xds: opts.xds, nodeId: opts.nodeId })
        : envoyBootstrap({
            xds: opts.xds,
            nodeId: opts.nodeId,
            cluster: opts.cluster,
            adminPort: Number(opts.adminPort),
            delta: opts.delta,
          });
      write(renderBootstrap(bootstrap, opts.output));
    });
}
