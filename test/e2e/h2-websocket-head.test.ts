// A WebSocket upstream whose 101 carries a field HTTP/2 cannot send (Content-Type twice) behind an
// extended CONNECT (RFC 8441): the HTTP/2 client gets a 502 and the process lives on, on both
// engines (the head used to be sent unguarded from the upstream socket's 'data' handler, where a
// refusal was an uncaught exception).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { connectH2, h2Request, H2_ENGINES } from '../proxy/h2-helpers.ts';

const HOST = 'ws.example.com';

for (const engine of H2_ENGINES) describe(`WebSocket upstream heads HTTP/2 cannot carry (sluice serve, ${engine} engine)`, () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let upstream: net.Server;

  before(async () => {
    upstream = net.createServer((socket) => {
      socket.on('error', () => {});
      let head = '';
      socket.on('data', (d: Buffer) => {
        head += d.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1];
        if (key === undefined) return void socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n`);
        head = '';
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('up', [{ ip: '127.0.0.1', port: (upstream.address() as AddressInfo).port }]),
      ingress('ws', [{ hosts: [HOST], paths: [{ splits: [{ service: 'up' }] }] }]),
    ]);
    sluice = await startSluice(['serve', '--h2-engine', engine, '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await new Promise<void>((r) => upstream?.close(() => r()));
    await cfg?.cleanup();
  });

  it('answers 502 and keeps serving', async () => {
    const s = connectH2(sluice.addresses.http!);
    try {
      const stream = s.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http', ':path': '/ws', ':authority': HOST, 'sec-websocket-version': '13' });
      stream.on('error', () => {});
      const status = await new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000);
        stream.once('response', (h) => {
          clearTimeout(t);
          resolve(Number(h[':status']));
        });
        stream.once('close', () => {
          clearTimeout(t);
          resolve(-stream.rstCode!);
        });
      });
      stream.close(http2.constants.NGHTTP2_CANCEL);
      assert.equal(status, 502);
      assert.equal(sluice.child.exitCode, null, `sluice exited: ${sluice.stderr().slice(-2000)}`);
      const s2 = connectH2(sluice.addresses.http!);
      try {
        assert.equal((await h2Request(s2, { ':path': '/plain', ':authority': HOST })).status, 200);
      } finally {
        s2.destroy();
      }
    } finally {
      s.destroy();
    }
  });
});
