// `sluice envoy bootstrap`: the printed bootstrap is a valid envoy.config.bootstrap.v3.Bootstrap
// (strictly encoded and decoded back unchanged), written only with fields whose proto3 JSON form
// equals their plain form (so Envoy parses the printed YAML as we encoded it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import type { ReflectionObject, Type } from 'protobufjs';
import { parse } from 'yaml';
import { envoyBootstrap, envoyCommand, grpcBootstrap } from '../../src/cli/commands/envoy.ts';
import { decodeMessage, encodeMessage, type ProtoObject } from '../../src/xds/encode.ts';
import { envoyProtos } from '../../src/xds/protos.ts';
import { wantsVhds } from '../../src/xds/vhds.ts';

const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';
// Well-known types whose JSON form differs from their message form (a Duration is "5s", ...).
const SPECIAL_JSON = /^\.google\.protobuf\.(Duration|Timestamp|FieldMask|Struct|Value|ListValue|\w+Value)$/;

function isType(o: ReflectionObject | null): o is Type {
  return !!o && 'fieldsArray' in o;
}

/** Paths of fields in `value` whose type has a special proto3 JSON mapping. */
function specialJsonFields(type: Type, value: unknown, at: string): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => specialJsonFields(type, v, `${at}[${i}]`));
  const obj = value as Record<string, unknown>;
  if (type.fullName === '.google.protobuf.Any') {
    const inner = envoyProtos().lookup(String(obj['@type']).split('/').pop()!);
    const { '@type': _, ...rest } = obj;
    return isType(inner) ? specialJsonFields(inner, rest, at) : [];
  }
  return Object.entries(obj).flatMap(([k, v]) => {
    const field = type.fields[k];
    const t = field?.resolvedType;
    if (!isType(t ?? null)) return [];
    if (SPECIAL_JSON.test(t!.fullName)) return [`${at}.${k}`];
    if (field!.map) return Object.values(v as object).flatMap((x) => specialJsonFields(t as Type, x, `${at}.${k}`));
    return specialJsonFields(t as Type, v, `${at}.${k}`);
  });
}

function assertValidBootstrap(b: ProtoObject) {
  const decoded = decodeMessage(BOOTSTRAP, encodeMessage(BOOTSTRAP, b));
  // Decoding puts an Any's @type last; compare as JSON values with sorted keys.
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort().map(([k, x]) => [k, sorted(x)])) : v;
  assert.deepEqual(sorted(decoded), sorted(b), 'nothing is lost in encoding');
  assert.deepEqual(specialJsonFields(envoyProtos().lookupType(BOOTSTRAP), b, 'Bootstrap'), []);
}

test('the Envoy bootstrap encodes as a Bootstrap and points ADS at Sluice over HTTP/2', () => {
  const b = envoyBootstrap({ xds: '10.0.0.5:18000', nodeId: 'gw-1', adminPort: 9911 });
  assertValidBootstrap(b);
  const cluster = (b.static_resources as { clusters: Array<Record<string, unknown>> }).clusters[0]!;
  assert.equal(cluster.type, 'STATIC');
  assert.deepEqual(b.node, { id: 'gw-1', cluster: 'sluice-gateway' });
  assert.match(JSON.stringify(cluster), /"address":"10.0.0.5","port_value":18000/);
  assert.match(JSON.stringify(cluster), /http2_protocol_options/);
  assert.equal(JSON.stringify(b.dynamic_resources).match(/"ads":\{\}/g)?.length, 2);
});

test('a DNS name for the xDS server makes a LOGICAL_DNS cluster; an IPv6 address is unbracketed', () => {
  const named = envoyBootstrap({ xds: 'sluice.sluice-system.svc:18000', nodeId: 'n' });
  assertValidBootstrap(named);
  assert.match(JSON.stringify(named), /"type":"LOGICAL_DNS"/);
  const v6 = envoyBootstrap({ xds: '[::1]:18000', nodeId: 'n' });
  assertValidBootstrap(v6);
  assert.match(JSON.stringify(v6), /"address":"::1","port_value":18000/);
});

test('bad options are refused with the flag named', () => {
  assert.throws(() => envoyBootstrap({ xds: 'nope', nodeId: 'n' }), { code: 'SLUICE_ERR_BAD_FLAG', message: /--xds/ });
  assert.throws(() => envoyBootstrap({ xds: '1.2.3.4:1', nodeId: 'n', adminPort: 70000 }), { message: /--admin-port/ });
  assert.throws(() => envoyBootstrap({ xds: '1.2.3.4:1', nodeId: '' }), { message: /--node-id/ });
});

async function run(args: string[]): Promise<string> {
  let out = '';
  const program = new Command().exitOverride();
  program.addCommand(envoyCommand((t) => (out += t)));
  await program.parseAsync(['envoy', 'bootstrap', ...args], { from: 'user' });
  return out;
}

test('the command prints YAML (default) or JSON equal to envoyBootstrap', async () => {
  const text = await run(['--xds', '127.0.0.1:18000', '--node-id', 'edge-7', '--admin-port', '9903']);
  assert.doesNotMatch(text, /[&*]a\d/, 'no YAML aliases');
  const yaml = parse(text);
  assert.deepEqual(yaml, envoyBootstrap({ xds: '127.0.0.1:18000', nodeId: 'edge-7', adminPort: 9903 }));
  const json = JSON.parse(await run(['-o', 'json']));
  assert.deepEqual(json, envoyBootstrap({ xds: '127.0.0.1:18000', nodeId: 'sluice-envoy' }));
  assertValidBootstrap(json);
  const grpc = JSON.parse(await run(['--grpc', '-o', 'json', '--xds', '127.0.0.1:1234']));
  assert.deepEqual(grpc, grpcBootstrap({ xds: '127.0.0.1:1234', nodeId: 'sluice-envoy' }));
  const delta = JSON.parse(await run(['-o', 'json', '--delta']));
  assert.equal(delta.dynamic_resources.ads_config.api_type, 'DELTA_GRPC');
  assertValidBootstrap(delta);
  await assert.rejects(run(['-o', 'toml']), { code: 'SLUICE_ERR_BAD_FLAG' });
  await assert.rejects(run(['--admin-port', 'x']), { code: 'SLUICE_ERR_BAD_FLAG' });
});

type XdsCluster = {
  transport_socket?: {
    name: string;
    typed_config: {
      '@type': string;
      sni?: string;
      common_tls_context: {
        validation_context: { trusted_ca: { filename: string }; match_typed_subject_alt_names: Array<{ san_type: string; matcher: { exact: string } }> };
        tls_certificates?: Array<{ certificate_chain: { filename: string }; private_key: { filename: string } }>;
      };
    };
  };
};
const xdsCluster = (b: ProtoObject) => (b.static_resources as unknown as { clusters: XdsCluster[] }).clusters[0]!;

test("with --xds-ca and a client certificate, Envoy's xDS cluster speaks mTLS and checks the server's name", () => {
  const b = envoyBootstrap({
    xds: 'sluice.sluice-system.svc:18000',
    nodeId: 'gw-1',
    tls: { ca: '/etc/sluice-xds/ca.crt', clientCert: '/etc/sluice-xds/tls.crt', clientKey: '/etc/sluice-xds/tls.key' },
  });
  assertValidBootstrap(b);
  const socket = xdsCluster(b).transport_socket!;
  assert.equal(socket.name, 'envoy.transport_sockets.tls');
  assert.equal(socket.typed_config['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
  assert.equal(socket.typed_config.sni, 'sluice.sluice-system.svc');
  const ctx = socket.typed_config.common_tls_context;
  assert.deepEqual(ctx.validation_context, {
    trusted_ca: { filename: '/etc/sluice-xds/ca.crt' },
    match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'sluice.sluice-system.svc' } }],
  });
  assert.deepEqual(ctx.tls_certificates, [
    { certificate_chain: { filename: '/etc/sluice-xds/tls.crt' }, private_key: { filename: '/etc/sluice-xds/tls.key' } },
  ]);
  assert.doesNotMatch(JSON.stringify(b), /BEGIN/, 'files are referenced, never inlined');
});

test('TLS to an xDS server given by IP checks an IP SAN and sends no SNI; without a client certificate it is TLS only', () => {
  const b = envoyBootstrap({ xds: '10.0.0.5:18000', nodeId: 'gw-1', tls: { ca: 'ca.pem' } });
  assertValidBootstrap(b);
  const tlsContext = xdsCluster(b).transport_socket!.typed_config;
  assert.equal(tlsContext.sni, undefined);
  assert.deepEqual(tlsContext.common_tls_context.validation_context.match_typed_subject_alt_names, [
    { san_type: 'IP_ADDRESS', matcher: { exact: '10.0.0.5' } },
  ]);
  assert.equal(tlsContext.common_tls_context.tls_certificates, undefined);
  assert.equal(xdsCluster(envoyBootstrap({ xds: '10.0.0.5:18000', nodeId: 'gw-1' })).transport_socket, undefined);
});

test('a client certificate without its key, or without --xds-ca, is refused', () => {
  assert.throws(() => envoyBootstrap({ xds: '1.2.3.4:1', nodeId: 'n', tls: { ca: 'ca', clientCert: 'c' } }), {
    code: 'SLUICE_ERR_BAD_FLAG',
    message: /--client-cert and --client-key go together/,
  });
  assert.throws(() => envoyBootstrap({ xds: '1.2.3.4:1', nodeId: 'n', tls: { clientCert: 'c', clientKey: 'k' } }), {
    code: 'SLUICE_ERR_BAD_FLAG',
    message: /--client-cert needs --xds-ca/,
  });
});

test('the proxyless gRPC bootstrap gets tls channel_creds (gRFC A65) with the same files', () => {
  const b = grpcBootstrap({ xds: 'sluice:18000', nodeId: 'n', tls: { ca: 'ca.pem', clientCert: 'c.pem', clientKey: 'k.pem' } });
  assert.deepEqual((b.xds_servers as Array<{ channel_creds: unknown }>)[0]!.channel_creds, [
    { type: 'tls', config: { ca_certificate_file: 'ca.pem', certificate_file: 'c.pem', private_key_file: 'k.pem' } },
  ]);
  const caOnly = grpcBootstrap({ xds: 'sluice:18000', nodeId: 'n', tls: { ca: 'ca.pem' } });
  assert.deepEqual((caOnly.xds_servers as Array<{ channel_creds: unknown }>)[0]!.channel_creds, [
    { type: 'tls', config: { ca_certificate_file: 'ca.pem' } },
  ]);
});

test('the command takes --xds-ca, --client-cert and --client-key for both bootstraps', async () => {
  const tls = { ca: '/x/ca.crt', clientCert: '/x/tls.crt', clientKey: '/x/tls.key' };
  const files = ['--xds-ca', tls.ca, '--client-cert', tls.clientCert, '--client-key', tls.clientKey];
  const envoy = JSON.parse(await run(['-o', 'json', '--xds', 'sluice:18000', ...files]));
  assert.deepEqual(envoy, envoyBootstrap({ xds: 'sluice:18000', nodeId: 'sluice-envoy', tls }));
  const grpc = JSON.parse(await run(['--grpc', '-o', 'json', '--xds', 'sluice:18000', ...files]));
  assert.deepEqual(grpc, grpcBootstrap({ xds: 'sluice:18000', nodeId: 'sluice-envoy', tls }));
  await assert.rejects(run(['--client-key', 'k']), { code: 'SLUICE_ERR_BAD_FLAG' });
});

test('--vhds asks for VHDS in the node metadata and speaks delta xDS, which VHDS needs', async () => {
  const b = JSON.parse(await run(['-o', 'json', '--vhds']));
  assert.equal(b.dynamic_resources.ads_config.api_type, 'DELTA_GRPC');
  // A Struct in its JSON form, as Envoy reads the YAML; the server sees it decoded as a Struct.
  assert.deepEqual(b.node.metadata, { 'sluice.vhds': true });
  const { metadata, ...node } = b.node;
  assertValidBootstrap({ ...b, node });
  const decoded = decodeMessage(BOOTSTRAP, encodeMessage(BOOTSTRAP, { ...b, node: { ...node, metadata: { fields: { 'sluice.vhds': { boolValue: true } } } } }));
  assert.ok(wantsVhds(decoded.node as Parameters<typeof wantsVhds>[0]), 'the server reads the opt-in');
  assert.equal(metadata['sluice.vhds'], true);
  const yaml = parse(await run(['--vhds']));
  assert.deepEqual(yaml, envoyBootstrap({ xds: '127.0.0.1:18000', nodeId: 'sluice-envoy', delta: true, vhds: true }));
});
