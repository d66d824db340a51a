// HTTPS Gateway ports: TLS with ALPN h2/http1.1, the certificate chosen by SNI among the port's
// own certificates (the first is the default), changes applied in place without rebinding.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { makeCert, type TestCert } from './certs.ts';
import { h2Request } from './h2-helpers.ts';
import { cluster, freePort, port, portName, startPorts, tlsCert, vhost } from './gateway-ports-helpers.ts';

interface Handshake {
  readonly cn: string;
  readonly alpn: string | false;
}

/** A TLS handshake with `servername` (none when undefined); the served certificate's CN and the protocol chosen. */
function handshake(p: number, servername: string | undefined, alpn: string[] = ['h2', 'http/1.1']): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: p, ...(servername ? { servername } : {}), ALPNProtocols: alpn, rejectUnauthorized: false });
    const timer = setTimeout(() => s.destroy(new Error('handshake timed out')), 5000);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      const cn = String(s.getPeerCertificate().subject?.CN ?? '');
      const proto = s.alpnProtocol;
      s.destroy();
      resolve({ cn, alpn: proto ?? false });
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('HTTPS Gateway ports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-gw-ports-tls-'));
  let a: TestCert;
  let b: TestCert;
  let a2: TestCert;
  let up: Upstream;
  before(async () => {
    a = makeCert(dir, 'a', ['a.example.com']);
    b = makeCert(dir, 'b', ['*.b.example.com']);
    a2 = makeCert(dir, 'a2', ['a.example.com', 'new.example.com']);
    up = await startUpstream('app');
  });
  after(async () => {
    await up.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('chooses among the port\'s certificates by SNI (wildcards too), the first for unknown names and for clients without SNI', async () => {
    const t = startPorts();
    try {
      const p = await freePort();
      // another certificate in the snapshot, not the port's: never served on it
      const other = makeCert(dir, 'o', ['o.example.com']);
      await t.publish({ tls: [tlsCert('default/a', ['a.example.com'], a), tlsCert('default/b', ['*.b.example.com'], b), tlsCert('default/o', ['o.example.com'], other)], ports: [port(p, 'HTTPS', [], ['default/b', 'default/a'])] });
      assert.equal((await handshake(p, 'a.example.com')).cn, 'a.example.com');
      assert.equal((await handshake(p, 'x.b.example.com')).cn, '*.b.example.com');
      assert.equal((await handshake(p, 'o.example.com')).cn, '*.b.example.com');
      assert.equal((await handshake(p, undefined)).cn, '*.b.example.com');
      assert.equal((await handshake(p, 'a.example.com')).alpn, 'h2');
      assert.equal((await handshake(p, 'a.example.com', ['http/1.1'])).alpn, 'http/1.1');
    } finally {
      await t.stop();
    }
  });

  it('applies changed certificates to the next handshake without rebinding', async () => {
    const t = startPorts();
    try {
      const p = await freePort();
      await t.publish({ tls: [tlsCert('default/a', ['a.example.com'], a), tlsCert('default/b', ['*.b.example.com'], b)], ports: [port(p, 'HTTPS', [], ['default/a'])] });
      assert.equal((await handshake(p, undefined)).cn, 'a.example.com');
      const open = tls.connect({ host: '127.0.0.1', port: p, servername: 'a.example.com', rejectUnauthorized: false });
      open.on('error', () => {});
      await new Promise((r) => open.once('secureConnect', r));
      // the Secret is rotated and the port gets b first: the default changes too
      await t.publish({ tls: [tlsCert('default/a', ['a.example.com', 'new.example.com'], a2), tlsCert('default/b', ['*.b.example.com'], b)], ports: [port(p, 'HTTPS', [], ['default/b', 'default/a'])] });
      assert.equal((await handshake(p, 'new.example.com')).cn, 'a.example.com');
      assert.equal((await handshake(p, undefined)).cn, '*.b.example.com');
      assert.equal((await handshake(p, 'a.example.com')).alpn, 'h2');
      assert.equal(open.destroyed, false, 'a connection made before the change is not cut');
      open.destroy();
      assert.equal(t.logs.filter((l) => l.msg === 'listening').length, 1, 'bound once');
    } finally {
      await t.stop();
    }
  });

  it('fails handshakes, with or without SNI, once the port has no usable certificate left', async () => {
    const t = startPorts();
    try {
      const p = await freePort();
      await t.publish({ tls: [tlsCert('default/a', ['a.example.com'], a)], ports: [port(p, 'HTTPS', [], ['default/a'])] });
      assert.equal((await handshake(p, undefined)).cn, 'a.example.com');
      await t.publish({ tls: [tlsCert('default/a', ['a.example.com'], { cert: 'not a certificate', key: 'nor a key' })], ports: [port(p, 'HTTPS', [], ['default/a', 'default/missing'])] });
      await assert.rejects(handshake(p, 'a.example.com'));
      await assert.rejects(handshake(p, undefined));
      const skipped = t.logs.filter((l) => l.listener === portName(p) && l.level === 40);
      assert.deepEqual(skipped.map((l) => l.secret).sort(), ['default/a', 'default/missing']);
    } finally {
      await t.stop();
    }
  });

  it('rebinds a port whose protocol changes from HTTP to HTTPS', async () => {
    const t = startPorts();
    try {
      const p = await freePort();
      await t.publish({ tls: [tlsCert('default/a', ['a.example.com'], a)], ports: [port(p, 'HTTP')] });
      await assert.rejects(handshake(p, 'a.example.com'));
      await t.publish({ tls: [tlsCert('default/a', ['a.example.com'], a)], ports: [port(p, 'HTTPS', [], ['default/a'])] });
      assert.equal((await handshake(p, 'a.example.com')).cn, 'a.example.com');
    } finally {
      await t.stop();
    }
  });

  it('routes HTTP/2 and HTTP/1.1 over TLS by the port\'s host table', async () => {
    const t = startPorts();
    try {
      const p = await freePort();
      await t.publish({
        clusters: [cluster('default/app:80', up.port)],
        tls: [tlsCert('default/a', ['a.example.com'], a)],
        ports: [port(p, 'HTTPS', [vhost(portName(p), 'a.example.com', 'default/app:80')], ['default/a'])],
      });
      const session = http2.connect(`https://127.0.0.1:${p}`, { servername: 'a.example.com', rejectUnauthorized: false });
      session.on('error', () => {});
      try {
        const r = await h2Request(session, { ':path': '/tls', ':authority': 'a.example.com' });
        assert.equal(r.status, 200, r.body);
        assert.equal(r.headers['x-upstream'], 'app');
        assert.equal(JSON.parse(r.body).headers['x-forwarded-proto'], 'https');
      } finally {
        session.close();
      }
    } finally {
      await t.stop();
    }
  });
});
