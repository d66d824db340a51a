// Function bindings as Envoy config, encoded through the real Envoy protos and decoded back:
// gRPC-JSON calls turn on grpc_json_transcoder per route, Lambda calls aws_lambda per route with a
// cluster to the Lambda endpoint, REST calls forward unchanged and are listed as not served.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionBinding, GrpcJsonCall, LambdaCall } from '../../src/functions/types.ts';
import type { Route, Snapshot, Split } from '../../src/snapshot/types.ts';
import { envoyProtos } from '../../src/xds/protos.ts';
import { envoyFunctionWarnings } from '../../src/xds/functions.ts';
import { encodedResources, irRoute, irSnapshot } from './helpers.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk Envoy's JSON by path; a wrong path fails the assertion.
type Obj = Record<string, any>;

const TRANSCODER = 'envoy.filters.http.grpc_json_transcoder';
const LAMBDA = 'envoy.filters.http.aws_lambda';

/** A FileDescriptorSet with one service, `bookstore.Bookstore`, as protoc writes it. */
function descriptorSet(): string {
  const type = envoyProtos().lookupType('google.protobuf.FileDescriptorSet');
  const set = {
    file: [
      {
        name: 'bookstore.proto',
        package: 'bookstore',
        messageType: [{ name: 'Shelf', field: [{ name: 'id', number: 1, type: 3, label: 1 }] }],
        service: [{ name: 'Bookstore', method: [{ name: 'GetShelf', inputType: '.bookstore.Shelf', outputType: '.bookstore.Shelf' }] }],
        syntax: 'proto3',
      },
    ],
  };
  return Buffer.from(type.encode(type.fromObject(set)).finish()).toString('base64');
}

const grpcCall = (over: Partial<GrpcJsonCall> = {}): GrpcJsonCall => ({
  type: 'grpc-json',
  descriptorSet: descriptorSet(),
  services: ['bookstore.Bookstore'],
  print: { alwaysPrintPrimitiveFields: true, preserveProtoFieldNames: false },
  ignoredQueryParameters: ['api_key'],
  autoMapping: true,
  ...over,
});

const lambdaCall = (over: Partial<LambdaCall> = {}): LambdaCall => ({
  type: 'aws-lambda',
  functionName: 'arn:aws:lambda:us-east-1:123456789012:function:hello',
  qualifier: 'live',
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: 'TOKEN' },
  invocation: 'async',
  unwrapAsApiGateway: false,
  wrapAsApiGateway: false,
  ...over,
});

const fnSplit = (name: string, weight = 1): Split => ({ weight, filters: [], function: name });

/** One route per binding, `/<name>` calling it, on the external listener and a Gateway port. */
function snapshotWith(bindings: FunctionBinding[], routes: Route[] = bindings.map((b) => irRoute({ path: { type: 'prefix', value: `/${b.name}` }, splits: [fnSplit(b.name)] }))): Snapshot {
  const base = irSnapshot(routes);
  const port = { name: 'gateway/0.0.0.0:9090', address: '0.0.0.0', port: 9090, protocol: 'HTTP' as const, certificates: [], virtualHosts: base.listeners.external };
  return { ...base, ports: [port], functions: [...bindings].sort((a, b) => a.name.localeCompare(b.name)) };
}

function routesOf(resources: Obj, config = 'external'): Obj[] {
  return (resources.route.get(config).virtual_hosts as Obj[]).find((v) => v.name === 'web')!.routes as Obj[];
}

function httpFilters(resources: Obj, listener: string): string[] {
  const l = resources.listener.get(listener) as Obj;
  return (l.filter_chains[0].filters[0].typed_config.http_filters as Obj[]).map((f) => f.name as string);
}

describe('gRPC-JSON calls as grpc_json_transcoder', () => {
  it('turns the transcoder on per route with the call\'s descriptors, services and options, sent to the binding\'s cluster', () => {
    const call = grpcCall();
    const r = encodedResources(snapshotWith([{ name: 'shelves', cluster: 'default/a:80', call }])) as Obj;
    const route = routesOf(r)[0]!;
    assert.equal(route.route.cluster, 'default/a:80');
    const cfg = route.typed_per_filter_config[TRANSCODER];
    assert.equal(cfg['@type'], 'type.googleapis.com/envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder');
    assert.equal(cfg.proto_descriptor_bin, call.descriptorSet);
    assert.deepEqual(cfg.services, ['bookstore.Bookstore']);
    assert.deepEqual(cfg.print_options, { always_print_primitive_fields: true });
    assert.deepEqual(cfg.ignored_query_parameters, ['api_key']);
    assert.equal(cfg.auto_mapping, true);
    assert.equal(cfg.match_incoming_request_route, true, 'the REST route stays chosen after the path becomes the gRPC method\'s');
    assert.equal(cfg.convert_grpc_status, true);
  });

  it('puts a no-op transcoder before the router in every connection manager, only when a route uses it', () => {
    const r = encodedResources(snapshotWith([{ name: 'shelves', cluster: 'default/a:80', call: grpcCall() }])) as Obj;
    for (const l of ['external', 'local', 'gateway/0.0.0.0:9090']) {
      assert.deepEqual(httpFilters(r, l), ['envoy.filters.http.cors', TRANSCODER, 'envoy.filters.http.router'], l);
    }
    const own = (r.listener.get('external') as Obj).filter_chains[0].filters[0].typed_config.http_filters[1].typed_config;
    assert.equal(own.proto_descriptor_bin, '', 'an empty descriptor set: transcodes nothing by itself');
    assert.equal(own.services, undefined);

    const unused = encodedResources({ ...irSnapshot([irRoute()]), functions: [{ name: 'shelves', cluster: 'default/a:80', call: grpcCall() }] }) as Obj;
    assert.deepEqual(httpFilters(unused, 'external'), ['envoy.filters.http.cors', 'envoy.filters.http.router']);
  });

  it('answers 500 instead of sending Envoy descriptors it would refuse, and says why', () => {
    const bad: FunctionBinding = { name: 'bad', cluster: 'default/a:80', call: grpcCall({ services: ['bookstore.Nope'] }) };
    const r = encodedResources(snapshotWith([bad])) as Obj;
    assert.deepEqual(routesOf(r)[0]!.direct_response, { status: 500 });
    const [w] = envoyFunctionWarnings(snapshotWith([bad]));
    assert.equal(w!.function, 'bad');
    assert.match(w!.message, /no service bookstore\.Nope/);
  });
});

describe('Lambda calls as aws_lambda', () => {
  it('invokes the function per route and sends it to a TLS cluster of the region\'s endpoint carrying the Lambda metadata', () => {
    const r = encodedResources(snapshotWith([{ name: 'hello', call: lambdaCall() }])) as Obj;
    const route = routesOf(r)[0]!;
    const cluster = 'sluice.lambda/https/lambda.us-east-1.amazonaws.com:443';
    assert.equal(route.route.cluster, cluster);
    const cfg = route.typed_per_filter_config[LAMBDA];
    assert.equal(cfg['@type'], 'type.googleapis.com/envoy.extensions.filters.http.aws_lambda.v3.PerRouteConfig');
    assert.deepEqual(cfg.invoke_config, {
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:hello:live',
      payload_passthrough: true,
      invocation_mode: 'ASYNCHRONOUS',
      host_rewrite: 'lambda.us-east-1.amazonaws.com',
      credentials: { access_key_id: 'AKID', secret_access_key: 'SECRET', session_token: 'TOKEN' },
    });
    const c = r.cluster.get(cluster) as Obj;
    assert.equal(c.type, 'LOGICAL_DNS');
    assert.deepEqual(c.metadata.filter_metadata['com.amazonaws.lambda'], { fields: { egress_gateway: { boolValue: true } } });
    assert.equal(c.transport_socket.typed_config.sni, 'lambda.us-east-1.amazonaws.com');
    assert.deepEqual(c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, { address: 'lambda.us-east-1.amazonaws.com', port_value: 443 });
    assert.deepEqual(httpFilters(r, 'external'), ['envoy.filters.http.cors', LAMBDA, 'envoy.filters.http.router']);
    assert.equal(r.endpoint.has(cluster), false, 'its endpoint is inline, not over EDS');
  });

  it('reaches a custom endpoint over plain HTTP, wraps as Envoy does when asked, and waits for the answer of a sync call', () => {
    const call = lambdaCall({ endpoint: 'http://127.0.0.1:9001', qualifier: undefined, invocation: 'sync', wrapAsApiGateway: true, unwrapAsApiGateway: true });
    const r = encodedResources(snapshotWith([{ name: 'hello', call }])) as Obj;
    const cfg = routesOf(r)[0]!.typed_per_filter_config[LAMBDA].invoke_config;
    assert.equal(cfg.arn, 'arn:aws:lambda:us-east-1:123456789012:function:hello');
    assert.equal(cfg.payload_passthrough, undefined);
    assert.equal(cfg.invocation_mode, undefined, 'SYNCHRONOUS is the default');
    assert.equal(cfg.host_rewrite, '127.0.0.1:9001');
    const c = r.cluster.get('sluice.lambda/http/127.0.0.1:9001') as Obj;
    assert.equal(c.transport_socket, undefined);
    assert.match(envoyFunctionWarnings(snapshotWith([{ name: 'hello', call }]))[0]!.message, /its own JSON schema/);
  });

  it('answers 500 for a function named without its ARN, and says Envoy needs the ARN', () => {
    const s = snapshotWith([{ name: 'hello', call: lambdaCall({ functionName: 'hello' }) }]);
    assert.deepEqual(routesOf(encodedResources(s) as Obj)[0]!.direct_response, { status: 500 });
    assert.match(envoyFunctionWarnings(s)[0]!.message, /full ARN/);
  });

  it('carries the per-route config on a weighted cluster when the function is one of several backends', () => {
    const route = irRoute({ splits: [fnSplit('hello', 1), { cluster: 'default/b:80', weight: 3, filters: [] }] });
    const r = encodedResources(snapshotWith([{ name: 'hello', call: lambdaCall() }], [route])) as Obj;
    const clusters = routesOf(r)[0]!.route.weighted_clusters.clusters as Obj[];
    assert.equal(clusters[0]!.name, 'sluice.lambda/https/lambda.us-east-1.amazonaws.com:443');
    assert.ok(clusters[0]!.typed_per_filter_config[LAMBDA]);
    assert.equal(clusters[1]!.typed_per_filter_config, undefined);
  });
});

describe('REST calls and what Envoy cannot serve', () => {
  it('forwards a REST call to the binding\'s cluster unchanged and lists it as not served by Envoy', () => {
    const rest: FunctionBinding = { name: 'pets', cluster: 'default/b:80', call: { type: 'rest', function: 'findPets', template: { headers: [], body: { type: 'passthrough' } }, parameters: { headers: [] } } };
    const s = snapshotWith([rest]);
    const route = routesOf(encodedResources(s) as Obj)[0]!;
    assert.equal(route.route.cluster, 'default/b:80');
    assert.equal(route.typed_per_filter_config, undefined);
    assert.deepEqual(
      envoyFunctionWarnings(s).map((w) => w.function),
      ['pets'],
    );
    assert.match(envoyFunctionWarnings(s)[0]!.message, /forwarded to the cluster unchanged/);
  });

  it('answers 500 for a split naming a function the snapshot does not have', () => {
    const s = snapshotWith([], [irRoute({ splits: [fnSplit('ghost')] })]);
    assert.deepEqual(routesOf(encodedResources(s) as Obj)[0]!.direct_response, { status: 500 });
  });

  it('gives proxyless gRPC clients the function\'s cluster without filter config they could not load', () => {
    const r = encodedResources(snapshotWith([{ name: 'shelves', cluster: 'default/a:80', call: grpcCall() }])) as Obj;
    const grpc = (r.route.get('web.example.com') as Obj).virtual_hosts[0].routes[0];
    assert.equal(grpc.route.cluster, 'default/a:80');
    assert.equal(grpc.typed_per_filter_config, undefined);
  });
});
