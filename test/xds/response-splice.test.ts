// Responses spliced from their resources' bytes read back as protobufjs would have encoded them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envoyProtos, TypeUrl } from '../../src/xds/protos.ts';
import { spliceDelta, spliceSotw } from '../../src/xds/response-splice.ts';
import { encodeAny } from '../../src/xds/encode.ts';

const decode = (name: string, body: Uint8Array) => {
  const type = envoyProtos().lookupType(name);
  return type.toObject(type.decode(body), { longs: String, enums: String, defaults: true, arrays: true, objects: true });
};
const encode = (name: string, value: object) => {
  const type = envoyProtos().lookupType(name);
  return type.encode(type.fromObject(value)).finish();
};
const cluster = (name: string) => encodeAny('envoy.config.cluster.v3.Cluster', { name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } });
const DELTA = 'envoy.service.discovery.v3.DeltaDiscoveryResponse';
const SOTW = 'envoy.service.discovery.v3.DiscoveryResponse';

test('a spliced delta response decodes as the protobufjs encoding of the same response', () => {
  const response = {
    system_version_info: 'v1',
    // a long name and a large resource: multi-byte lengths
    resources: [
      { name: 'a'.repeat(300), version: 'h1', resource: cluster('a'.repeat(300)) },
      { name: 'ü', version: '', resource: { type_url: TypeUrl.cluster, value: new Uint8Array(70_000).fill(1) } },
    ],
    type_url: TypeUrl.cluster,
    removed_resources: ['gone', ''],
    control_plane: { identifier: 'sluice' },
  };
  const spliced = spliceDelta(response, '42');
  assert.deepEqual(decode(DELTA, spliced.body), decode(DELTA, encode(DELTA, { ...response, nonce: '42' })));
  assert.deepEqual(decode(DELTA, spliced.body.subarray(0, spliced.unnumbered)), decode(DELTA, encode(DELTA, response)), 'the bytes before the nonce');
});

test('a spliced state-of-the-world response decodes as the protobufjs encoding of the same response', () => {
  const response = { version_info: 'v2', resources: [cluster('a'), cluster('b')], type_url: TypeUrl.cluster, control_plane: { identifier: 'sluice' } };
  const spliced = spliceSotw(response, '7');
  assert.deepEqual(decode(SOTW, spliced.body), decode(SOTW, encode(SOTW, { ...response, nonce: '7' })));
  assert.deepEqual(decode(SOTW, spliceSotw({ ...response, resources: [] }, '8').body), decode(SOTW, encode(SOTW, { ...response, resources: [], nonce: '8' })));
});
