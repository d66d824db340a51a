// `sluice envoy bootstrap`: the printed bootstrap is a valid envoy.config.bootstrap.v3.Bootstrap
// (strictly encoded and decoded back unchanged), written only with fields whose proto3 JSON form
// equals their plain form (so Envoy parses the printed YAML as we encoded it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import type { ReflectionObject, Type } from 'protobufjs';
import { parse } from 'yaml';
import { envoyBootstrap, grpcBootstrap, registerEnvoyCommand } from '../../src/cli/commands/envoy.ts';
import { decodeMessage, encodeMessage, type ProtoObject } from '../../src/xds/encode.ts';
import { envoyProtos } from '../../src/xds/protos.ts';

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
  registerEnvoyCommand(program, (t) => (out += t));
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
