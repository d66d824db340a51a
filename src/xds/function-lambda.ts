// LambdaCall -> Envoy's aws_lambda filter: per-route invoke config on the route, and a cluster to
// the function's Lambda endpoint carrying the `com.amazonaws.lambda` metadata the filter requires
// before it acts on a route's request (it skips every other cluster's). Envoy needs the function's
// full ARN: the region it signs for and the account come from it.
import type { LambdaCall } from '../functions/types.ts';
import { loadAssignment } from './clusters.ts';
import { typed, type ProtoObject } from './encode.ts';

export const LAMBDA_FILTER_NAME = 'envoy.filters.http.aws_lambda';
const CONFIG_TYPE = 'envoy.extensions.filters.http.aws_lambda.v3.Config';
const PER_ROUTE_TYPE = 'envoy.extensions.filters.http.aws_lambda.v3.PerRouteConfig';

export interface LambdaEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** The endpoint Invoke is sent to: `lambda.<region>.amazonaws.com:443`, or the call's own. */
export function lambdaEndpoint(call: LambdaCall): LambdaEndpoint | undefined {
  if (call.endpoint === undefined) return { host: `lambda.${call.region}.amazonaws.com`, port: 443, tls: true };
  let url: URL;
  try {
    url = new URL(call.endpoint);
  } catch {
    return undefined;
  }
  const tls = url.protocol === 'https:';
  if (!tls && url.protocol !== 'http:') return undefined;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: url.port === '' ? (tls ? 443 : 80) : Number(url.port), tls };
}

/** Not a snapshot cluster name (those are `namespace/service:port`), so never one of them. */
export function lambdaClusterName(e: LambdaEndpoint): string {
  return `sluice.lambda/${e.tls ? 'https' : 'http'}/${e.host}:${e.port}`;
}

/** `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`, or undefined when the name is not an ARN. */
export function lambdaArn(call: LambdaCall): string | undefined {
  const parts = call.functionName.split(':');
  if (parts.length < 7 || parts.length > 8 || parts[0] !== 'arn' || parts[2] !== 'lambda' || parts[5] !== 'function' || parts.some((p) => p === '')) return undefined;
  return parts.length === 7 && call.qualifier ? `${call.functionName}:${call.qualifier}` : call.functionName;
}

function invokeConfig(call: LambdaCall, arn: string, endpoint: LambdaEndpoint): ProtoObject {
  const { accessKeyId, secretAccessKey, sessionToken } = call.credentials;
  return {
    arn,
    // Envoy's JSON wrapping is its own schema, close to API Gateway's: used when either is asked for.
    payload_passthrough: !(call.wrapAsApiGateway || call.unwrapAsApiGateway) || undefined,
    invocation_mode: call.invocation === 'async' ? 'ASYNCHRONOUS' : undefined,
    // Invoke is signed for the endpoint's host, not the client's.
    host_rewrite: endpoint.port === (endpoint.tls ? 443 : 80) ? endpoint.host : `${endpoint.host}:${endpoint.port}`,
    credentials: accessKeyId && secretAccessKey ? { access_key_id: accessKeyId, secret_access_key: secretAccessKey, session_token: sessionToken || undefined } : undefined,
  };
}

export function lambdaPerRoute(call: LambdaCall, arn: string, endpoint: LambdaEndpoint): ProtoObject {
  return typed(PER_ROUTE_TYPE, { invoke_config: invokeConfig(call, arn, endpoint) });
}

/**
 * The connection manager's aws_lambda filter. Its own config must hold a valid ARN; every Lambda
 * route brings its own (per-route) config, and the filter leaves routes to other clusters alone.
 */
export function lambdaFilter(call: LambdaCall, arn: string, endpoint: LambdaEndpoint): ProtoObject {
  return { name: LAMBDA_FILTER_NAME, typed_config: typed(CONFIG_TYPE, invokeConfig(call, arn, endpoint)) };
}

export function lambdaCluster(e: LambdaEndpoint): ProtoObject {
  const name = lambdaClusterName(e);
  return {
    name,
    connect_timeout: { seconds: 5 },
    type: 'LOGICAL_DNS',
    dns_lookup_family: 'V4_PREFERRED',
    lb_policy: 'ROUND_ROBIN',
    load_assignment: loadAssignment(name, [{ address: e.host, port: e.port }]),
    metadata: { filter_metadata: { 'com.amazonaws.lambda': { fields: { egress_gateway: { boolValue: true } } } } },
    transport_socket: e.tls
      ? { name: 'envoy.transport_sockets.tls', typed_config: typed('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', { sni: e.host }) }
      : undefined,
  };
}
