// `sluice envoy bootstrap`: prints the bootstrap that makes an Envoy (or, with --grpc, a proxyless
// gRPC client) take all of its configuration from Sluice's ADS.
// Only fields whose proto3 JSON form is the same as their plain form are used (no Duration or
// wrapper types), so the printed YAML/JSON is what Envoy parses and the object also encodes
// through envoy.config.bootstrap.v3.Bootstrap (checked in tests).
import { isIP } from 'node:net';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { SluiceError } from '../../errors.ts';
import { parseHostPort } from '../../xds/common.ts';
import { VHDS_METADATA_KEY } from '../../xds/vhds.ts';

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
  /** ask Sluice for VHDS (node metadata `sluice.vhds: true`): edits send only the changed virtual hosts; implies delta */
  readonly vhds?: boolean;
  /** TLS (and with a client certificate, mTLS) to Sluice's xDS server */
  readonly tls?: XdsClientTls;
}

/**
 * Files the client reads at run time (paths on the client's machine, never inlined, so the
 * printed bootstrap holds no key): the CA that signed Sluice's xDS certificate and, for mTLS,
 * the client's own certificate and key.
 */
export interface XdsClientTls {
  readonly ca?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
}

/** Checks the combination of TLS files; undefined when none is given (plaintext). */
function checkClientTls(tls: XdsClientTls | undefined): XdsClientTls | undefined {
  if (!tls || (!tls.ca && !tls.clientCert && !tls.clientKey)) return undefined;
  if (Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--client-cert and --client-key go together');
  }
  // TLS that does not verify the server would hand the node's identity to anyone on the path.
  if (!tls.ca) throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--client-cert needs --xds-ca (the CA of the xDS server certificate)');
  return tls;
}

type Json = string | number | boolean | Json[] | { [key: string]: Json };

/**
 * Envoy's transport socket for the xDS cluster: the server's certificate must chain to the CA
 * and name the host Envoy dials (as a DNS or IP SAN), as a gRPC client would check it.
 */
function upstreamTls(host: string, tls: XdsClientTls): { [key: string]: Json } {
  const type = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
  const ip = isIP(host) !== 0;
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': `type.googleapis.com/${type}`,
      // SNI may not be an IP address (RFC 6066 3).
      ...(ip ? {} : { sni: host }),
      common_tls_context: {
        validation_context: {
          trusted_ca: { filename: tls.ca! },
          match_typed_subject_alt_names: [{ san_type: ip ? 'IP_ADDRESS' : 'DNS', matcher: { exact: host } }],
        },
        ...(tls.clientCert
          ? { tls_certificates: [{ certificate_chain: { filename: tls.clientCert }, private_key: { filename: tls.clientKey! } }] }
          : {}),
      },
    },
  };
}

/** An Envoy v3 bootstrap: static xDS cluster to Sluice (HTTP/2, TLS when asked), LDS and CDS over ADS. */
export function envoyBootstrap(options: BootstrapOptions): { [key: string]: Json } {
  const { host, port } = parseHostPort(options.xds, '--xds');
  const adminPort = options.adminPort ?? DEFAULT_ENVOY_ADMIN_PORT;
  if (!Number.isInteger(adminPort) || adminPort < 1 || adminPort > 65535) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--admin-port: "${options.adminPort}" is not a port number`);
  }
  if (options.nodeId === '') throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--node-id: must not be empty');
  const tls = checkClientTls(options.tls);
  const ads = () => ({ ads: {}, resource_api_version: 'V3' });
  const http2 = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
  return {
    node: {
      id: options.nodeId,
      cluster: options.cluster ?? 'sluice-gateway',
      // A Struct in its JSON form, which is how Envoy reads a YAML or JSON bootstrap.
      ...(options.vhds ? { metadata: { [VHDS_METADATA_KEY]: true } } : {}),
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: adminPort } } },
    dynamic_resources: {
      ads_config: {
        api_type: options.delta || options.vhds ? 'DELTA_GRPC' : 'GRPC',
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
          ...(tls ? { transport_socket: upstreamTls(host, tls) } : {}),
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

/**
 * The bootstrap of a proxyless gRPC client (GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG).
 * TLS uses the `tls` channel credentials of gRFC A65 (gRPC C++, Go, Java); @grpc/grpc-js-xds
 * 1.14 knows only `insecure` and `google_default` and refuses such a bootstrap.
 */
export function grpcBootstrap(options: Pick<BootstrapOptions, 'xds' | 'nodeId' | 'tls'>): { [key: string]: Json } {
  parseHostPort(options.xds, '--xds');
  const tls = checkClientTls(options.tls);
  const creds: Json = tls
    ? {
        type: 'tls',
        config: {
          ca_certificate_file: tls.ca!,
          ...(tls.clientCert ? { certificate_file: tls.clientCert, private_key_file: tls.clientKey! } : {}),
        },
      }
    : { type: 'insecure' };
  return {
    xds_servers: [{ server_uri: options.xds, channel_creds: [creds], server_features: ['xds_v3'] }],
    node: { id: options.nodeId, locality: {} },
  };
}

export function renderBootstrap(bootstrap: { [key: string]: Json }, format: string): string {
  if (format === 'json') return `${JSON.stringify(bootstrap, null, 2)}\n`;
  if (format === 'yaml') return stringify(bootstrap, { lineWidth: 0, aliasDuplicateObjects: false });
  throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--output: "${format}" is not yaml or json`);
}

interface EnvoyBootstrapFlags {
  xds: string;
  nodeId: string;
  cluster: string;
  adminPort: string;
  output: string;
  grpc: boolean;
  delta: boolean;
  vhds: boolean;
  xdsCa?: string;
  clientCert?: string;
  clientKey?: string;
}

/** `envoy` with its `bootstrap` subcommand; output goes to `write` (stdout by default). */
export function envoyCommand(write: (text: string) => void = (t) => void process.stdout.write(t)): Command {
  const envoy = new Command('envoy').description('Run Envoy with Sluice as its control plane');
  envoy
    .command('bootstrap')
    .description("print an Envoy bootstrap that takes its listeners, routes and clusters from Sluice's xDS")
    .option('--xds <addr>', "Sluice's xDS (ADS) address, host:port", DEFAULT_XDS_ADDRESS)
    .option('--node-id <id>', 'Envoy node id', 'sluice-envoy')
    .option('--cluster <name>', 'Envoy node cluster', 'sluice-gateway')
    .option('--admin-port <port>', "Envoy's admin port (on 127.0.0.1)", String(DEFAULT_ENVOY_ADMIN_PORT))
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option('--delta', 'use incremental xDS (DELTA_GRPC)', false)
    .option('--vhds', 'ask for virtual hosts one by one over VHDS, so an edit sends only the changed ones (implies --delta)', false)
    .option('--grpc', 'print a proxyless gRPC client bootstrap (GRPC_XDS_BOOTSTRAP) instead', false)
    .option('--xds-ca <file>', "connect over TLS, trusting this CA for Sluice's xDS certificate (a path on the client's machine)")
    .option('--client-cert <file>', 'with --xds-ca: client certificate for mTLS (PEM path)')
    .option('--client-key <file>', 'private key of --client-cert (PEM path)')
    .action((opts: EnvoyBootstrapFlags) => {
      if (!/^\d+$/.test(opts.adminPort)) {
        throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--admin-port: "${opts.adminPort}" is not a port number`);
      }
      const tls = { ca: opts.xdsCa, clientCert: opts.clientCert, clientKey: opts.clientKey };
      const bootstrap = opts.grpc
        ? grpcBootstrap({ xds: opts.xds, nodeId: opts.nodeId, tls })
        : envoyBootstrap({
            xds: opts.xds,
            nodeId: opts.nodeId,
            cluster: opts.cluster,
            adminPort: Number(opts.adminPort),
            delta: opts.delta || opts.vhds,
            vhds: opts.vhds,
            tls,
          });
      write(renderBootstrap(bootstrap, opts.output));
    });
  return envoy;
}
