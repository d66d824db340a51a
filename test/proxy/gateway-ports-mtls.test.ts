// HTTPS Gateway ports with client certificate validation (Gateway spec.tls.frontend): AllowValidOnly
// refuses clients without a certificate from the port's CAs, AllowInsecureFallback serves them;
// turning validation on rebinds the port, so the next connection is checked.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClientValidation } from '../../src/snapshot/types.ts';
import { caCert, caSignedClientCert, type CertPair } from '../conformance/gateway-api/support/certs.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { makeCert, type TestCert } from './certs.ts';
import { cluster, freePort, port, portName, startPorts, tlsCert, vhost } from './gateway-ports-helpers.ts';

const HOST = 'a.example.com';

/** GET / over HTTPS with SNI and Host `a.example.com`, presenting `client` when given: the status, or the error. */
function get(p: number, server: TestCert, client?: CertPair): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port: p, servername: HOST, headers: { host: HOST }, ca: server.cert, agent: false, timeout: 5000, ...(client && { cert: client.cert, key: client.key }) },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS Gateway ports with client certificate validation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-gw-mtls-'));
  let server: TestCert;
  let ca: CertPair;
  let client: CertPair;
  let stranger: CertPair;
  let up: Upstream;
  before(async () => {
    server = makeCert(dir, 'a', [HOST]);
    ca = caCert();
    client = caSignedClientCert(ca);
    stranger = caSignedClientCert(caCert());
    up = await startUpstream('app');
  });
  after(async () => {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const publish = async (t: ReturnType<typeof startPorts>, p: number, clientValidation?: ClientValidation): Promise<void> => {
    const listener = { ...port(p, 'HTTPS', [vhost(portName(p), HOST, 'app')], ['default/a']), ...(clientValidation && { clientValidation }) };
    await t.publish({ tls: [tlsCert('default/a', [HOST], server)], clusters: [cluster('app', up.port)], ports: [listener] });
  };

  it('AllowValidOnly: a client certificate from the CA is served; none, or one from another CA, fails the connection', async () => {
    const t = startPorts();
    try {
      const p = await freePort();
      await publish(t, p, { caCertificates: ca.cert, mode: 'AllowValidOnly' });
      assert.equal(await get(p, server, client), 200);
      await assert.rejects(get(p, server));
      await assert.rejects(get(p, server, stranger));
    } finally {
      await t.stop();
    }
  });

  it('AllowInsecureFallback: served with a valid certificate, another CA\'s, or none', async () => {
    const t = startPorts();
    try {
      const p = await freePort();
      await publish(t, p, { caCertificates: ca.cert, mode: 'AllowInsecureFallback' });
      assert.equal(await get(p, server, client), 200);
      assert.equal(await get(p, server, stranger), 200);
      assert.equal(await get(p, server), 200);
    } finally {
      await t.stop();
    }
  });

  it('validation turned on (and off) applies to the next connection: the port is rebound', async () => {
    const t = startPorts();
    try {
      const p = await freePort();
      await publish(t, p);
      assert.equal(await get(p, server), 200);
      await publish(t, p, { caCertificates: ca.cert, mode: 'AllowValidOnly' });
      await assert.rejects(get(p, server));
      assert.equal(await get(p, server, client), 200);
      await publish(t, p);
      assert.equal(await get(p, server), 200);
    } finally {
      await t.stop();
    }
  });
});
