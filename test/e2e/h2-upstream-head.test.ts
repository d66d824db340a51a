// An HTTP/1.1 upstream response head that HTTP/2 cannot carry (a single-value field such as
// Content-Type sent twice: node:http2 refuses it) becomes a 502 for the HTTP/2 client, on the raw
// upstream sockets and through undici; it used to throw from an upstream callback and end the process.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { connectH2, h2Request, H2_ENGINES } from '../proxy/h2-helpers.ts';

const HOST = 'head.example.com';

for (const engine of H2_ENGINES) describe(`HTTP/1.1 upstream heads HTTP/2 cannot carry (sluice serve, ${engine} engine)`, () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let upstream: net.Server;

  before(async () => {
    // A raw upstream: node:http would not send a field twice the way a broken backend does.
    upstream = net.createServer((socket) => {
      socket.on('error', () => {});
      let head = '';
      socket.on('data', (d: Buffer) => {
        head += d.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const length = /content-length: *(\d+)/i.exec(head)?.[1];
        // Answer once the (small) request body is in.
        if (length !== undefined && Buffer.byteLength(head.slice(head.indexOf('\r\n\r\n') + 4), 'latin1') < Number(length)) return;
        head = '';
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('up', [{ ip: '127.0.0.1', port: (upstream.address() as AddressInfo).port }]),
      ingress('head', [{ hosts: [HOST], paths: [{ splits: [{ service: 'up' }] }] }]),
    ]);
    sluice = await startSluice(['serve', '--h2-engine', engine, '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await new Promise<void>((r) => upstream?.close(() => r()));
    await cfg?.cleanup();
  });

  it('answers 502 on the raw upstream sockets (GET) and through undici (POST), and keeps serving', async () => {
    const s = connectH2(sluice.addresses.http!);
    try {
      const get = await h2Request(s, { ':path': '/', ':authority': HOST });
      assert.equal(get.status, 502);
      const post = await h2Request(s, { ':path': '/', ':method': 'POST', ':authority': HOST }, 'body');
      assert.equal(post.status, 502);
      assert.equal(sluice.child.exitCode, null, `sluice exited: ${sluice.stderr().slice(-2000)}`);
      assert.equal((await h2Request(s, { ':path': '/again', ':authority': HOST })).status, 502);
    } finally {
      s.destroy();
    }
  });
});
