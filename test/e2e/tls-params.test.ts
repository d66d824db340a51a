// --tls-min-version and --tls-cipher-suites through the real `sluice serve`: clients below the
// minimum version or without an offered cipher suite are refused (Node's TLS client and
// `openssl s_client`), the rest served; bad values end with one line naming the flag.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { runSluice, type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type Upstream, startUpstream } from '../support/upstream.ts';
import { makeCert, type TestCert, tlsSecret } from '../proxy/certs.ts';
import { splitAddress } from './raw-client.ts';

const HOST = 'tls.example.com';

export function handshake(addr: string, opts: tls.ConnectionOptions = {}): Promise<{ protocol: string | null; cipher: string }> {
  const { host, port } = splitAddress(addr);
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host, port, servername: HOST, rejectUnauthorized: false, timeout: 10_000, ...opts }, () => {
      resolve({ protocol: s.getProtocol(), cipher: s.getCipher().name });
      s.destroy();
    });
    s.once('error', reject);
    s.once('timeout', () => {
      s.destroy();
      reject(new Error('handshake timed out'));
    });
  });
}

/** `openssl s_client` with `args` (stdin closed: it ends after the handshake): whether a cipher was agreed. */
function opensslConnects(addr: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-connect', addr, '-servername', HOST, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(/Cipher is (?!\(NONE\))/.test(out));
    });
  });
}

describe('TLS versions and cipher suites (sluice serve --tls-min-version, --tls-cipher-suites)', () => {
  let cfg: ConfigDir;
  let certDir: string;
  let cert: TestCert;
  let up: Upstream;
  let only13: SluiceProcess;
  let ciphers: SluiceProcess;

  before(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'sluice-tlsp-'));
    cert = makeCert(certDir, 'tls', [HOST]);
    up = await startUpstream('web');
    cfg = await ConfigDir.create();
    await cfg.write('config.yaml', [
      ...backend('web', [{ ip: '127.0.0.1', port: up.port }]),
      tlsSecret('tls-cert', cert),
      ingress('tls', [{ hosts: [HOST], paths: [{ splits: [{ service: 'web' }] }] }], { tls: [{ hosts: [HOST], secretName: 'tls-cert' }] }),
    ]);
    const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0'];
    [only13, ciphers] = await Promise.all([
      startSluice([...args, '--tls-min-version', '1.3'], ['https']),
      startSluice([...args, '--tls-cipher-suites', 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256'], ['https']),
    ]);
  });

  after(async () => {
    await Promise.all([only13?.stop(), ciphers?.stop()]);
    await up?.close();
    await cfg?.cleanup();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  it('--tls-min-version 1.3 refuses TLS 1.2 clients and serves TLS 1.3 ones', async () => {
    await assert.rejects(handshake(only13.addresses.https!, { maxVersion: 'TLSv1.2' }));
    assert.equal((await handshake(only13.addresses.https!)).protocol, 'TLSv1.3');
    assert.equal(await opensslConnects(only13.addresses.https!, ['-tls1_2']), false, 'openssl s_client -tls1_2');
    assert.equal(await opensslConnects(only13.addresses.https!, ['-tls1_3']), true, 'openssl s_client -tls1_3');
  });

  it('--tls-cipher-suites offers only the listed TLS 1.2 suites; TLS 1.3 keeps its own', async () => {
    await assert.rejects(handshake(ciphers.addresses.https!, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384' }));
    assert.equal((await handshake(ciphers.addresses.https!, { maxVersion: 'TLSv1.2' })).cipher, 'ECDHE-ECDSA-AES128-GCM-SHA256');
    assert.equal((await handshake(ciphers.addresses.https!)).protocol, 'TLSv1.3');
    assert.equal(await opensslConnects(ciphers.addresses.https!, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-CHACHA20-POLY1305']), false);
    assert.equal(await opensslConnects(ciphers.addresses.https!, ['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256']), true);
  });

  it('bad values end with one line naming the flag', async () => {
    for (const [flag, value] of [['--tls-min-version', '1.1'], ['--tls-cipher-suites', 'NOT-A-CIPHER'], ['--trusted-hops', '-1'], ['--proxy-protocol', 'htp']]) {
      const r = await runSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--https', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', flag!, value!]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`${flag}: "${value}"`));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
