// The Envoy v3 protos, loaded once into one protobufjs Root. Every resource Sluice serves is
// encoded through these message types, so a misspelt field fails here (in tests) and not in Envoy.
// The .proto files are the ones @grpc/grpc-js-xds bundles (envoy-api, xds, googleapis, validate).
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Root } from 'protobufjs';
// proto-loader's helper is what @grpc/grpc-js-xds itself uses to get a protobufjs Root with
// include paths resolved; proto-loader has no `exports` map, so the deep import is allowed.
import * as protoUtil from '@grpc/proto-loader/build/src/util.js';

const PROTO_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/grpc_json_transcoder/v3/transcoder.proto',
  'envoy/extensions/filters/http/aws_lambda/v3/aws_lambda.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/ratelimit/v3/rate_limit.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/jwt_authn/v3/config.proto',
  'envoy/extensions/filters/http/buffer/v3/buffer.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/filters/listener/proxy_protocol/v3/proxy_protocol.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
];

export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Type URLs of the resource kinds served over ADS (secrets are SDS over the same stream). */
export const TypeUrl = {
  listener: `${TYPE_URL_PREFIX}envoy.config.listener.v3.Listener`,
  route: `${TYPE_URL_PREFIX}envoy.config.route.v3.RouteConfiguration`,
  cluster: `${TYPE_URL_PREFIX}envoy.config.cluster.v3.Cluster`,
  endpoint: `${TYPE_URL_PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  secret: `${TYPE_URL_PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`,
  /** VHDS (delta only): one virtual host of a route configuration (vhds.ts) */
  vhost: `${TYPE_URL_PREFIX}envoy.config.route.v3.VirtualHost`,
} as const;
export type ResourceKind = keyof typeof TypeUrl;
/** Push order: clusters before endpoints, a rotated secret before the listeners that name it, listeners before routes, routes before their virtual hosts. */
export const RESOURCE_KINDS: readonly ResourceKind[] = ['cluster', 'endpoint', 'secret', 'listener', 'route', 'vhost'];

function protoRoots(): string[] {
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  return ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(pkg, 'deps', d));
}

let root: Root | undefined;

/** The shared Root; the first call parses the protos (a few hundred milliseconds). */
export function envoyProtos(): Root {
  if (!root) {
    // google/protobuf/*.proto come from protobufjs' bundled copies, registered by this call.
    protoUtil.addCommonProtos();
    root = protoUtil.loadProtosWithOptionsSync(PROTO_FILES, { keepCase: true, includeDirs: protoRoots() });
    root.resolveAll();
  }
  return root;
}
