// `sluice serve`: its flags, then runServe (src/cli/serve.ts, loaded on use: `--help` needs none of
// the gateway) does the work.
import { Command, Option } from 'commander';
import { SluiceError } from '../../errors.ts';
import { serveDefaults, type ServeFlags } from '../serve-flags.ts';
import { configLimitOptions, translateOptions, withOptions } from './reading-options.ts';

export function serveCommand(): Command {
  const base = new Command('serve')
    .description('serve Knative Ingresses from a config directory or a Kubernetes cluster')
    .option('--config <dir>', 'directory of YAML/JSON resources (hot-reloaded)')
    .option('--kubernetes', 'read resources from the Kubernetes API and write status back')
    .option('--kubeconfig <file>', 'kubeconfig for --kubernetes (default: $KUBECONFIG, ~/.kube/config, or in-cluster credentials)')
    .option('--http <addr>', 'external plain HTTP listener (HTTP/1.1 and h2c)', serveDefaults.http)
    .option('--https <addr>', 'external TLS listener (h2 and http/1.1 by ALPN)', serveDefaults.https)
    .option('--local <addr>', 'cluster-local listener (HTTP/1.1 and h2c)', serveDefaults.local)
    .option('--admin <addr>', 'admin endpoint (/ready /status /config /metrics ...)', serveDefaults.admin)
    .option('--admin-token-file <file>', 'require Authorization: Bearer <the token in this file> on the admin endpoint (but for /ready and /live)')
    .option('--admin-insecure', 'serve an --admin address that is not loopback without a token')
    .option('--health <addr>', "the kubelet's health checks (/ready /live only)", serveDefaults.health)
    .option('--default-cert <cert,key|dir>', 'certificate for TLS clients whose SNI matches no spec.tls host: CERT_FILE,KEY_FILE (PEM) or a directory with tls.crt and tls.key; without it such handshakes fail');
  const read = withOptions(base, translateOptions())
    .option('--gateway-service <ns/name>', 'Service in front of the external listeners', serveDefaults.gatewayService)
    .option('--local-gateway-service <ns/name>', 'Service in front of the local listener', serveDefaults.localGatewayService)
    .option('--gateway-api-service <ns/name>', 'Service in front of the Gateway API listeners (Kubernetes mode): Gateways report its addresses', serveDefaults.gatewayApiService)
    .option('--id <id>', 'identity in the leader Lease (default: POD_NAMESPACE/POD_NAME)')
    .option('--lease-duration <seconds>', 'leader Lease duration', serveDefaults.leaseDuration)
    .option('--kube-api-qps <n>', 'Kubernetes API requests per second, sustained (client-side limit, as client-go QPS; watches are not counted)', serveDefaults.kubeApiQps)
    .option('--kube-api-burst <n>', 'Kubernetes API requests allowed at once after a quiet spell (as client-go burst)', serveDefaults.kubeApiBurst)
    .option('--header-timeout <seconds>', 'time a client has to send a request head', serveDefaults.headerTimeout)
    .option('--idle-timeout <seconds>', 'idle keep-alive timeout for client connections', serveDefaults.idleTimeout)
    .option('--client-body-timeout <seconds>', 'time a client may send nothing of an unfinished request body (0: no limit)', serveDefaults.clientBodyTimeout)
    .option('--client-send-timeout <seconds>', 'time a client may leave a response unread while Sluice waits to write to it (0: no limit)', serveDefaults.clientSendTimeout)
    .option('--max-header-size <bytes>', 'largest request head accepted', serveDefaults.maxHeaderSize)
    .option('--proxy-protocol <listeners>', 'listeners whose connections start with a PROXY protocol header (v1 or v2), required: any of http, https, local, gateway (every Gateway API port), or all')
    .option('--trusted-hops <n>', 'proxies in front of Sluice whose X-Forwarded-For entries are trusted: the client is the n-th address from the right (0: the peer)')
    .option('--tls-min-version <1.2|1.3>', 'lowest TLS version offered by the HTTPS listeners (default 1.2)')
    .option('--tls-cipher-suites <names>', 'OpenSSL cipher suite names, colon-separated, offered by the HTTPS listeners (default: Node\'s)');
  return withOptions(read, configLimitOptions())
    .option('--xds <addr>', 'also serve the snapshot to Envoy over xDS (ADS) on this address (PORT or :PORT: 127.0.0.1)')
    .option('--xds-tls-cert <file>', 'serve xDS over TLS with this PEM certificate (chain)')
    .option('--xds-tls-key <file>', 'private key (PEM) of --xds-tls-cert')
    .option('--xds-client-ca <file>', 'require xDS clients to present a certificate from this CA (mTLS)')
    .option('--xds-allow-node <ids>', 'xDS node ids allowed, comma-separated; ID* matches a prefix (others get PERMISSION_DENIED)')
    .option('--xds-node-id-from-cert', "with --xds-client-ca: an xDS client's node id must be its certificate's CN or a URI SAN")
    .option('--drain-timeout <seconds>', 'time in-flight requests get on shutdown', serveDefaults.drainTimeout)
    .option('--drain-delay <seconds>', 'on SIGTERM, time to keep serving with /ready failing before draining (0: none)', serveDefaults.drainDelay)
    .option('--workers <n>', 'processes sharing the listeners, one per core (node:cluster)', '1')
    .option('--no-fast-path', 'serve HTTP/1.1 through node:http only (no raw-socket fast path)')
    .option('--no-normalize-path', 'route and forward request paths as sent (no removal of dot-segments, no %2e decoding, no merging of slashes)')
    .option('--access-log <path|-|off>', 'one line per request to this file (appended), - for stdout, or off', serveDefaults.accessLog)
    .option('--access-log-format <json|template>', "json, or a template of Envoy's command operators (%REQ(X)%, %RESPONSE_CODE%, %DURATION%, ...)", serveDefaults.accessLogFormat)
    .option('--access-log-flush-interval <ms>', 'the access log is written at least this often (and whenever 1 MiB waits)', serveDefaults.accessLogFlushInterval)
    .option('--access-log-sample-rate <rate>', 'share (0 to 1) of ordinary requests logged; failures (5xx, any response flag) always are (default 1)')
    .option('--access-log-listeners <names>', 'listeners that log, comma-separated: http, https, local, gateway (every Gateway port), gateway/ADDRESS:PORT, or all (default all)')
    .option('--no-request-id', 'pass x-request-id as the client sent it (by default one is made when absent and sent upstream)')
    .option('--request-id-in-response', "also return x-request-id on upstreams' responses (the gateway's own answers always carry it)")
    .option('--no-trust-request-id', "replace a client's x-request-id with a new one (by default a client's id is kept)")
    .option('--tracing-otlp-endpoint <url>', 'export a span per request (and per configuration translation) over OTLP to this collector, e.g. http://otel-collector:4318 (off by default)')
    .addOption(new Option('--tracing-protocol <protocol>', 'OTLP transport: http (protobuf, POST /v1/traces) or grpc (default http)').choices(['http', 'grpc']))
    .option('--tracing-sample-rate <rate>', "share (0 to 1) of new traces recorded; a client's sampled flag decides for its own trace (default 1)")
    .option('--tracing-service-name <name>', 'the service.name of the spans (default sluice)')
    .option('--tracing-resource-attributes <k=v,...>', 'more resource attributes of the spans, as OTEL_RESOURCE_ATTRIBUTES')
    .option('--tracing-flush-interval <ms>', 'spans are exported at least this often (and whenever 512 wait; default 5000)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(serveDefaults.logLevel))
    .action(async (opts: ServeFlags) => {
      if (opts.config && opts.kubernetes) throw new SluiceError('SLUICE_ERR_BAD_FLAG', '--config and --kubernetes cannot be used together');
      const { runServe } = await import('../serve.ts');
      await runServe(opts);
    });
}
