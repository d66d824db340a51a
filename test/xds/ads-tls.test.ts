// The xDS server over TLS and mTLS, with real certificates from throwaway CAs: a TLS-only
// server refuses plaintext; mTLS refuses a client without a certificate or with one from another
// CA; with nodeIdFromCert the node id must be the certificate's CN or a URI SAN.
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { after, before, test } from 'node:test';
import { SettableFeed } from '../../src/snapshot/feed.ts';
import { TypeUrl } from '../../src/xds/protos.ts';
import { startXdsServer, type XdsServer } from '../../src/xds/server.ts';
import { makePki, type Pem, type TestPki } from './certs.ts';
import { node, sotw } from './ads-client.ts';
import { DEFAULT_ADDRESSES, resultOf, splitSnapshot } from './helpers.ts';

const feed = new SettableFeed();
let pki: TestPki;
let serverCa: Pem;
let serverCert: Pem;
let clientCa: Pem;
let envoyA: Pem;
let spiffe: Pem;
let stranger: Pem;
const servers: XdsServer[] = [];

before(() => {
  const s = splitSnapshot(1, 'hello.example.com', [{ cluster: 'default/a:80', port: 1001, percent: 100 }]);
  feed.publish(s, resultOf(s));
  pki = makePki();
  const sca = pki.ca('xds-ca');
  serverCa = sca;
  serverCert = sca.issue('xds-server', 'sluice-xds', ['IP:127.0.0.1', 'DNS:localhost']);
  const cca = pki.ca('client-ca');
  clientCa = cca;
  envoyA = cca.issue('envoy-a', 'envoy-a', []);
  spiffe = cca.issue('envoy-spiffe', 'whatever', ['URI:spiffe://cluster.local/ns/edge/sa/envoy']);
  stranger = pki.ca('other-ca').issue('stranger', 'envoy-a', []);
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  pki?.cleanup();
});

async function start(options: { clientCa?: boolean; nodeIdFromCert?: boolean }): Promise<XdsServer> {
  const s = await startXdsServer({
    address: '127.0.0.1:0',
    feed,
    listenerAddresses: DEFAULT_ADDRESSES,
    tls: { cert: serverCert.cert, key: serverCert.key, clientCa: options.clientCa ? clientCa.cert : undefined },
    access: { nodeIdFromCert: options.nodeIdFromCert },
  });
  servers.push(s);
  return s;
}

const tls = (client?: Pem) => grpc.credentials.createSsl(serverCa.cert, client?.key ?? null, client?.cert ?? null);

/** Opens a stream, asks for clusters as `id`, and says whether it was answered. */
async function answered(address: string, creds: grpc.ChannelCredentials, id = 'envoy-a'): Promise<{ ok: boolean; code?: number }> {
  const c = sotw(address, creds);
  try {
    c.send({ node: node(id), type_url: TypeUrl.cluster });
    const r = await c.nextOrStatus();
    return 'response' in r ? { ok: true } : { ok: false, code: r.status.code };
  } finally {
    c.close();
  }
}

test('a TLS server answers a client that trusts its CA and refuses plaintext', async () => {
  const s = await start({});
  assert.deepEqual(await answered(s.address, tls()), { ok: true });
  const plain = await answered(s.address, grpc.credentials.createInsecure());
  assert.equal(plain.ok, false);
  assert.equal(plain.code, grpc.status.UNAVAILABLE);
});

test('an mTLS server refuses a client without a certificate and one from another CA, and answers one from its CA', async () => {
  const s = await start({ clientCa: true });
  assert.equal((await answered(s.address, tls())).ok, false, 'no client certificate');
  assert.equal((await answered(s.address, tls(stranger))).ok, false, 'a certificate from another CA');
  assert.equal((await answered(s.address, grpc.credentials.createInsecure())).ok, false, 'plaintext');
  assert.deepEqual(await answered(s.address, tls(envoyA)), { ok: true });
});

test("with nodeIdFromCert a node id that is not the certificate's CN or a URI SAN gets PERMISSION_DENIED", async () => {
  const s = await start({ clientCa: true, nodeIdFromCert: true });
  assert.deepEqual(await answered(s.address, tls(envoyA), 'envoy-b'), { ok: false, code: grpc.status.PERMISSION_DENIED });
  assert.deepEqual(await answered(s.address, tls(envoyA), 'envoy-a'), { ok: true });
  assert.deepEqual(await answered(s.address, tls(spiffe), 'spiffe://cluster.local/ns/edge/sa/envoy'), { ok: true });
  assert.deepEqual(await answered(s.address, tls(spiffe), 'whatever'), { ok: true }, 'the CN counts too');
});

test('nodeIdFromCert without a client CA, or a key that does not fit the certificate, is refused at start', async () => {
  await assert.rejects(
    startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES, access: { nodeIdFromCert: true } }),
    { code: 'SLUICE_ERR_BAD_FLAG', message: /--xds-node-id-from-cert needs --xds-client-ca/ },
  );
  await assert.rejects(
    startXdsServer({ address: '127.0.0.1:0', feed, listenerAddresses: DEFAULT_ADDRESSES, tls: { cert: serverCert.cert, key: envoyA.key } }),
    { code: 'SLUICE_ERR_BAD_FLAG', message: /--xds-tls-cert/ },
  );
});
