// Sluice's own kubeconfig loader (no @kubernetes/client-node): files merged as kubectl merges
// $KUBECONFIG, the current context's cluster and user, token files re-read as they rotate, exec
// credential plugins (v1 and v1beta1) cached until their expiry, client certificates over real mTLS,
// an http:// proxy's CONNECT tunnel, the in-cluster service account (IPv6 too), and errors that name
// the file and the field.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { KubeApiError, KubeClient, paths } from '../../src/k8s/client.ts';
import { loadKubeConfig } from '../../src/k8s/kubeconfig.ts';
import { makeFakeTls, type FakeTls } from '../support/fake-apiserver-tls.ts';
import { FakeApiServer } from '../support/fake-apiserver.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('kubeconfig loader', () => {
  let dir: string;
  let api: FakeApiServer;
  let tls: FakeTls;
  let mtls: Server;
  let mtlsUrl: string;
  let proxy: HttpServer;
  let connects: string[];
  const sockets = new Set<Socket>();
  const write = (name: string, doc: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return p;
  };
  /** a kubeconfig of one cluster, one user and one context */
  const config = (server: string, user: Record<string, unknown>, cluster: Record<string, unknown> = { 'certificate-authority-data': b64(api.caCert) }) => ({
    clusters: [{ name: 'c', cluster: { server, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
  /** a fake exec plugin: prints an ExecCredential and counts its runs in a file */
  const plugin = (name: string, credential: Record<string, unknown>): { exec: Record<string, unknown>; runs: () => number } => {
    const count = join(dir, `${name}.runs`);
    writeFileSync(count, '');
    const script = write(`${name}.mjs`, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(count)}, (process.env.KUBERNETES_EXEC_INFO ?? '') + '\\n');\nprocess.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
    return { exec: { apiVersion: credential.apiVersion, command: process.execPath, args: [script] }, runs: () => readFileSync(count, 'utf8').split('\n').filter(Boolean).length };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-kubeconfig-'));
    api = await FakeApiServer.start();
    // An API server that requires a client certificate signed by its CA and says whose it got.
    tls = makeFakeTls();
    execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=sluice-client'], { cwd: tls.dir, stdio: 'pipe' });
    execFileSync('openssl', ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2'], { cwd: tls.dir, stdio: 'pipe' });
    mtls = createServer({ cert: tls.serverCert, key: tls.serverKey, ca: tls.caCert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Namespace', metadata: { name: String(cn) } }));
    });
    await new Promise<void>((r) => mtls.listen(0, '127.0.0.1', () => r()));
    mtlsUrl = `https://127.0.0.1:${(mtls.address() as { port: number }).port}`;
    // A CONNECT proxy that records where it tunnels to.
    connects = [];
    proxy = createHttpServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: Socket) => {
      connects.push(req.url ?? '');
      const [host, port] = [req.url!.slice(0, req.url!.lastIndexOf(':')), Number(req.url!.slice(req.url!.lastIndexOf(':') + 1))];
      const upstream = connect(port, host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client).pipe(upstream);
      });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await api.close();
    await new Promise<void>((r) => mtls.close(() => r()));
    await new Promise<void>((r) => proxy.close(() => r()));
    tls.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('merges $KUBECONFIG files as kubectl does: the first to name an entry or set current-context wins', async () => {
    const first = write('first.json', { 'current-context': 'x', contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], users: [{ name: 'u', user: { token: api.token } }] });
    const second = write('second.json', {
      ...config(api.url, { token: 'wrong' }),
      'current-context': 'other',
      contexts: [{ name: 'x', context: { cluster: 'nowhere', user: 'u' } }],
    });
    const creds = loadKubeConfig(undefined, { env: { KUBECONFIG: [first, second].join(delimiter) }, home: dir });
    assert.equal(creds.server, api.url);
    const ns = await new KubeClient(creds).get<{ metadata: { name: string } }>(paths.namespaces('default')).catch((e: unknown) => e);
    // the fake answers 404 for a missing namespace, 401 for a wrong token: the token of the first file was sent
    assert.ok(!(ns instanceof KubeApiError && ns.status === 401), String(ns));
  });

  it('sends a token read from tokenFile, re-read after it rotates', async () => {
    const tokenFile = write('token', 'old-token');
    // a relative path is relative to the kubeconfig's directory
    const kc = write('token-file.json', config(api.url, { tokenFile: 'token' }));
    const client = new KubeClient(loadKubeConfig(kc, { rereadMs: 0 }));
    await assert.rejects(client.list(paths.namespaces()), (e: unknown) => e instanceof KubeApiError && e.status === 401);
    writeFileSync(tokenFile, `${api.token}\n`);
    assert.ok(Array.isArray((await client.list(paths.namespaces())).items));
  });

  it('runs a v1 exec plugin once and keeps its credential until expirationTimestamp', async () => {
    const p = plugin('v1', { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: api.token, expirationTimestamp: new Date(Date.now() + 3_600_000).toISOString() } });
    let now = Date.now();
    const client = new KubeClient(loadKubeConfig(write('exec-v1.json', config(api.url, { exec: p.exec })), { now: () => now }));
    await Promise.all([client.list(paths.namespaces()), client.list(paths.namespaces()), client.list(paths.namespaces())]);
    await client.list(paths.namespaces());
    assert.equal(p.runs(), 1, 'one run for four requests');
    const info = JSON.parse(readFileSync(join(dir, 'v1.runs'), 'utf8').split('\n')[0]!) as { apiVersion: string; spec: { interactive: boolean } };
    assert.deepEqual([info.apiVersion, info.spec.interactive], ['client.authentication.k8s.io/v1', false]);
    now += 3_600_000;
    await client.list(paths.namespaces());
    assert.equal(p.runs(), 2, 'run again once expired');
  });

  it('runs a v1beta1 exec plugin again after the API server refuses its credential (401)', async () => {
    const p = plugin('v1beta1', { apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'refused' } });
    const client = new KubeClient(loadKubeConfig(write('exec-v1beta1.json', config(api.url, { exec: p.exec }))));
    await assert.rejects(client.list(paths.namespaces()), (e: unknown) => e instanceof KubeApiError && e.status === 401);
    await assert.rejects(client.list(paths.namespaces()), (e: unknown) => e instanceof KubeApiError && e.status === 401);
    assert.equal(p.runs(), 2);
  });

  it('says which plugin of which file failed, and how', async () => {
    const bad = plugin('bad', { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: {} });
    const kc = write('exec-bad.json', config(api.url, { exec: bad.exec }));
    await assert.rejects(new KubeClient(loadKubeConfig(kc)).list(paths.namespaces()), (e: Error) => e.message.includes(kc) && /neither a token nor clientCertificateData/.test(e.message));
    const failing = write('exec-fail.json', config(api.url, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: ['-e', 'console.error("no SSO session"); process.exit(3)'] } }));
    await assert.rejects(new KubeClient(loadKubeConfig(failing)).list(paths.namespaces()), /exited with 3: no SSO session/);
  });

  it('presents a client certificate from files, and one from an exec plugin, over mutual TLS', async () => {
    const fromFiles = config(mtlsUrl, { 'client-certificate': join(tls.dir, 'client.crt'), 'client-key': join(tls.dir, 'client.key') }, { 'certificate-authority': join(tls.dir, 'ca.crt') });
    const got = await new KubeClient(loadKubeConfig(write('mtls.json', fromFiles))).get<{ metadata: { name: string } }>('/api/v1/namespaces/x');
    assert.equal(got.metadata.name, 'sluice-client');
    const cert = readFileSync(join(tls.dir, 'client.crt'), 'utf8');
    const key = readFileSync(join(tls.dir, 'client.key'), 'utf8');
    const p = plugin('cert', { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { clientCertificateData: cert, clientKeyData: key } });
    const viaExec = config(mtlsUrl, { exec: p.exec }, { 'certificate-authority-data': b64(tls.caCert) });
    const got2 = await new KubeClient(loadKubeConfig(write('mtls-exec.json', viaExec))).get<{ metadata: { name: string } }>('/api/v1/namespaces/x');
    assert.equal(got2.metadata.name, 'sluice-client');
    // without a certificate the TLS handshake is refused
    const none = config(mtlsUrl, {}, { 'certificate-authority-data': b64(tls.caCert) });
    await assert.rejects(new KubeClient(loadKubeConfig(write('mtls-none.json', none))).get('/api/v1/namespaces/x'));
  });

  it('checks the server name given by tls-server-name, and skips verification only when told to', async () => {
    const wrongName = config(api.url, { token: api.token }, { 'certificate-authority-data': b64(api.caCert), 'tls-server-name': 'not-the-server' });
    await assert.rejects(new KubeClient(loadKubeConfig(write('sni.json', wrongName))).list(paths.namespaces()), /not-the-server|altnames/i);
    const rightName = config(api.url, { token: api.token }, { 'certificate-authority-data': b64(api.caCert), 'tls-server-name': 'localhost' });
    await new KubeClient(loadKubeConfig(write('sni-ok.json', rightName))).list(paths.namespaces());
    const noCa = config(api.url, { token: api.token }, {});
    await assert.rejects(new KubeClient(loadKubeConfig(write('no-ca.json', noCa))).list(paths.namespaces()), /self[- ]signed|unable to verify/i);
    const skip = config(api.url, { token: api.token }, { 'insecure-skip-tls-verify': true });
    await new KubeClient(loadKubeConfig(write('skip.json', skip))).list(paths.namespaces());
  });

  it('reaches the API server through proxy-url with CONNECT', async () => {
    const port = (proxy.address() as { port: number }).port;
    const kc = config(api.url, { token: api.token }, { 'certificate-authority-data': b64(api.caCert), 'proxy-url': `http://127.0.0.1:${port}` });
    const client = new KubeClient(loadKubeConfig(write('proxy.json', kc)));
    await client.list(paths.namespaces());
    await client.list(paths.namespaces());
    assert.deepEqual(connects, [new URL(api.url).host], 'one tunnel, kept alive for both requests');
  });

  it('uses the pod service account in a cluster: IPv6 service host, CA file and the rotating token', async () => {
    const sa = mkdtempSync(join(dir, 'sa-'));
    writeFileSync(join(sa, 'token'), 'first');
    writeFileSync(join(sa, 'ca.crt'), api.caCert);
    writeFileSync(join(sa, 'namespace'), 'sluice-system\n');
    const creds = loadKubeConfig(undefined, { env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, home: dir, serviceAccountDir: sa, rereadMs: 0 });
    assert.equal(creds.server, 'https://[fd00::1]:443');
    assert.equal(creds.namespace, 'sluice-system');
    assert.equal((await creds.auth()).headers.authorization, 'Bearer first');
    writeFileSync(join(sa, 'token'), 'second');
    assert.equal((await creds.auth()).headers.authorization, 'Bearer second');
    assert.equal((await creds.auth()).tls.ca, api.caCert);
  });

  it('names the file and field of a bad kubeconfig', () => {
    const cases: Array<[unknown, RegExp]> = [
      [config('ftp://x', {}), /clusters\[0\]\.cluster\.server: is not an http\(s\) URL/],
      [{ ...config(api.url, {}), 'current-context': 'missing' }, /current-context "missing" .* names no context/],
      [config(api.url, { 'auth-provider': { name: 'gcp' } }), /users\[0\]\.user\.auth-provider: .*exec credential plugin/],
      [config(api.url, { exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'x' } }), /users\[0\]\.user\.exec\.apiVersion/],
      [config(api.url, {}, { 'proxy-url': 'socks5://127.0.0.1:1080' }), /clusters\[0\]\.cluster\.proxy-url/],
      [{ ...config(api.url, {}), contexts: [{ name: 'x', context: { cluster: 'c', user: 'nobody' } }] }, /names user "nobody"/],
      ['clusters: [', /not YAML/],
    ];
    cases.forEach(([doc, message], i) => {
      const p = write(`bad-${i}.yaml`, doc);
      assert.throws(() => loadKubeConfig(p), (e: Error) => e.message.includes(p) && message.test(e.message), `case ${i}`);
    });
  });
});
