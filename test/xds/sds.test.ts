// TLS certificates reach Envoy through SDS over ADS: listeners name their secrets and never carry
// a private key; the Secret is sent only to a client that asks for it by name (both ADS variants).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import type { Snapshot } from '../../src/snapshot/types.ts';
import { decodeAny } from '../../src/xds/encode.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { delta, node, sotw } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const HOST = 'hello.example.com';
const KEY = '-----BEGIN PRIVATE KEY-----\naGVsbG8ta2V5\n-----END PRIVATE KEY-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n';
const SECRET = 'default/hello-tls';

function withTls(version: number): Snapshot {
  const s = splitSnapshot(version, HOST, [{ cluster: 'default/a:80', port: 1001, percent: 100 }]);
  return { ...s, tls: [{ name: SECRET, hosts: [HOST], certChain: CERT, privateKey: KEY }] };
}

const feed = new SettableFeed();
let server: XdsServer;

before(async () => {
  const s = withTls(1);
  feed.publish(s, resultOf(s));
  server = await startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES });
});
after(() => server.close());

const hasKey = (bytes: Uint8Array) => Buffer.from(bytes).includes('PRIVATE KEY');

type TlsListener = {
  filter_chains: Array<{
    transport_socket: {
      typed_config: {
        common_tls_context: {
          tls_certificates?: unknown[];
          tls_certificate_sds_secret_configs: Array<{ name: string; sds_config: { ads: object } }>;
        };
      };
    };
  }>;
};

test('LDS carries no private key: the TLS listener names its certificate as an SDS secret over ADS', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('sds-lds'), type_url: TypeUrl.listener });
    const r = await c.next();
    for (const any of r.resources) assert.equal(hasKey(any.value), false, 'no PRIVATE KEY in the encoded listener');
    const tls = r.resources.map((a) => decodeAny(a)).find((l) => l.name === 'external-tls') as unknown as TlsListener;
    assert.ok(tls, 'the TLS listener is served');
    const ctx = tls.filter_chains[0]!.transport_socket.typed_config.common_tls_context;
    assert.equal(ctx.tls_certificates, undefined);
    assert.deepEqual(
      ctx.tls_certificate_sds_secret_configs.map((s) => ({ name: s.name, ads: s.sds_config.ads })),
      [{ name: SECRET, ads: {} }],
    );
  } finally {
    c.close();
  }
});

type SecretMessage = { name: string; tls_certificate: { certificate_chain: { inline_string: string }; private_key: { inline_string: string } } };

test('a state-of-the-world SDS request by name gets the Secret; a nameless one gets nothing', async () => {
  const c = sotw(server.address);
  try {
    c.send({ node: node('sds-sotw'), type_url: TypeUrl.secret, resource_names: [SECRET] });
    const r = await c.next();
    assert.equal(r.type_url, TypeUrl.secret);
    const secret = decodeAny(r.resources[0]!) as unknown as SecretMessage;
    assert.equal(secret.name, SECRET);
    assert.equal(secret.tls_certificate.private_key.inline_string, KEY);
    assert.equal(secret.tls_certificate.certificate_chain.inline_string, CERT);

    const wildcard = sotw(server.address);
    try {
      wildcard.send({ node: node('sds-wild'), type_url: TypeUrl.secret });
      assert.deepEqual((await wildcard.next()).resources, [], 'secrets are never sent to a wildcard subscription');
    } finally {
      wildcard.close();
    }
  } finally {
    c.close();
  }
});

test('a delta SDS subscription gets the Secret by name, and a rotated key is pushed', async () => {
  const c = delta(server.address);
  try {
    c.send({ node: node('sds-delta'), type_url: TypeUrl.secret, resource_names_subscribe: [SECRET] });
    const r1 = await c.next();
    assert.deepEqual(r1.resources.map((r) => r.name), [SECRET]);
    assert.equal(hasKey(r1.resources[0]!.resource.value), true);
    c.send({ type_url: TypeUrl.secret, response_nonce: r1.nonce });

    const rotated = withTls(2);
    const next: Snapshot = { ...rotated, tls: [{ ...rotated.tls[0]!, privateKey: KEY.replace('aGVsbG8ta2V5', 'bmV3LWtleQ==') }] };
    feed.publish(next, resultOf(next));
    const r2 = await c.next();
    const secret = decodeAny(r2.resources[0]!.resource) as unknown as SecretMessage;
    assert.match(secret.tls_certificate.private_key.inline_string, /bmV3LWtleQ==/);
  } finally {
    c.close();
  }
});
