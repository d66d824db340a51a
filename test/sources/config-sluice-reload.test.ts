// `config-sluice` hot-reloaded through the real `sluice serve` (file mode): its keys override the
// flags for new connections and requests without a restart; a bad value is rejected with file, line
// and key while the last good settings keep serving; removing it gives the flags back.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { eventually, get, getJson } from '../support/http.ts';
import { v1Header } from '../support/proxy-header.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { makeCert, tlsSecret } from '../proxy/certs.ts';
import { rawExchange, splitAddress } from '../e2e/raw-client.ts';

const HOST = 'cs.example.com';

const configSluice = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config-sluice', namespace: 'sluice-system' }, data });

interface StatusBody {
  rejected: Array<{ file: string; line?: number; errors: Array<{ path: string; message: string; line?: number }> }>;
}

function tls12Handshake(addr: string): Promise<boolean> {
  const { host, port } = splitAddress(addr);
  return new Promise((resolve) => {
    const s = tls.connect({ host, port, servername: HOST, rejectUnauthorized: false, maxVersion: 'TLSv1.2', timeout: 5000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** The CN of the certificate served for `servername`, or '' when the handshake fails. */
function peerCn(addr: string, servername: string): Promise<string> {
  const { host, port } = splitAddress(addr);
  return new Promise((resolve) => {
    const s = tls.connect({ host, port, servername, rejectUnauthorized: false, timeout: 5000 }, () => {
      resolve(String(s.getPeerCertificate().subject?.CN ?? ''));
      s.destroy();
    });
    s.once('error', () => resolve(''));
    s.once('timeout', () => {
      s.destroy();
      resolve('');
    });
  });
}

describe('config-sluice hot reload (file mode)', () => {
  let cfg: ConfigDir;
  let certDir: string;
  let up: Upstream;
  let sluice: SluiceProcess;

  const externalAddress = async (xff: string): Promise<string | undefined> => {
    const r = await get(sluice.addresses.http!, HOST, '/', { 'x-forwarded-for': xff });
    return r.status === 200 ? ((JSON.parse(r.body) as EchoReply).headers['x-envoy-external-address'] as string | undefined) : `status ${r.status}`;
  };
  /** whether a plain request without a PROXY header is answered on --http */
  const servesWithoutHeader = async (): Promise<boolean> => {
    const r = await rawExchange(sluice.addresses.http!, [`GET / HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`], { boundMs: 3000 });
    return r.text.startsWith('HTTP/1.1 200');
  };
  const servesWithHeader = async (): Promise<boolean> => {
    const r = await rawExchange(sluice.addresses.http!, [v1Header('203.0.113.50', 1000), `GET / HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`], { boundMs: 3000 });
    return r.text.startsWith('HTTP/1.1 200');
  };

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-cs-'));
    const cert = makeCert(certDir, 'cs', [HOST]);
    up = await startUpstream('web');
    cfg = await ConfigDir.create();
    await cfg.write('routes.yaml', [
      ...backend('web', [{ ip: '127.0.0.1', port: up.port }]),
      tlsSecret('cs-cert', cert),
      ingress('cs', [{ hosts: [HOST], paths: [{ splits: [{ service: 'web' }] }] }], { tls: [{ hosts: [HOST], secretName: 'cs-cert' }] }),
    ]);
    await cfg.write('config-sluice.yaml', [configSluice({ _example: '# notes', 'trusted-hops-count': '1' })]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--trusted-hops', '0'], ['http', 'https', 'local', 'admin']);
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  it('a key set overrides its flag from the start (trusted-hops-count over --trusted-hops 0)', async () => {
    assert.equal(await externalAddress('198.51.100.5'), '198.51.100.5');
  });

  it('an edit applies to new connections without a restart: PROXY protocol and the TLS minimum', async () => {
    assert.equal(await tls12Handshake(sluice.addresses.https!), true);
    await cfg.write('config-sluice.yaml', [configSluice({ 'trusted-hops-count': '1', 'enable-proxy-protocol': 'http', 'tls-min-version': '1.3' })]);
    assert.ok(await eventually(async () => !(await servesWithoutHeader()), 10_000, 100), 'a connection without a header is closed once the edit is served');
    assert.equal(await servesWithHeader(), true);
    assert.equal(await tls12Handshake(sluice.addresses.https!), false, 'TLS 1.2 refused after the edit');
  });

  it('a bad value is rejected with file, line and key, and the last good settings keep serving', async () => {
    await cfg.write('config-sluice.yaml', "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-sluice\n  namespace: sluice-system\ndata:\n  enable-proxy-protocol: \"false\"\n  trusted-hops-count: many\n");
    let seen: StatusBody['rejected'][number] | undefined;
    assert.ok(await eventually(async () => {
      seen = (await getJson<StatusBody>(sluice.addresses.admin!, 'admin', '/status')).json.rejected.find((r) => r.file === 'config-sluice.yaml');
      return seen !== undefined;
    }, 10_000, 100), '/status lists the rejected document');
    const err = seen!.errors.find((e) => e.path === 'data.trusted-hops-count');
    assert.ok(err, JSON.stringify(seen));
    assert.match(err.message, /"many" must be a whole number/);
    assert.equal(err.line ?? seen!.line, 8);
    assert.equal(await servesWithoutHeader(), false, 'PROXY protocol still required (the last good document)');
    assert.equal(await servesWithHeader(), true);
  });

  it('default-certificate serves a Secret to clients whose SNI names no certificate, while it is set', async () => {
    const fallback = makeCert(certDir, 'fallback', ['fallback.example.com']);
    await cfg.write('config-sluice.yaml', [tlsSecret('fallback', fallback, 'certs'), configSluice({ 'default-certificate': 'certs/fallback' })]);
    assert.ok(await eventually(async () => (await peerCn(sluice.addresses.https!, 'unknown.example.com')) === 'fallback.example.com', 10_000, 100));
    assert.equal(await peerCn(sluice.addresses.https!, HOST), HOST, 'a named host keeps its own');
  });

  it('removing it gives the flags back', async () => {
    await cfg.remove('config-sluice.yaml');
    // The last edit set only default-certificate: its going is what says the removal is served.
    assert.ok(await eventually(async () => (await peerCn(sluice.addresses.https!, 'unknown.example.com')) === '', 10_000, 100), 'no default certificate without --default-cert');
    assert.equal(await servesWithoutHeader(), true);
    assert.equal(await externalAddress('198.51.100.5'), undefined, '--trusted-hops 0 again');
    assert.equal(await tls12Handshake(sluice.addresses.https!), true);
  });
});
