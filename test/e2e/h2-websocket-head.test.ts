// A WebSocket upstream whose 101 carries a field HTTP/2 cannot send (Content-Type twice) behind an
// extended CONNECT (RFC 8441): the HTTP/2 client gets a 502 and the process lives on (the head used
// to be sent unguarded from the upstream socket's 'data' handler, where a refusal was an uncaught
// exception).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import type { ConfigDir } from '../support/config.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { type RawUpstream, rawUpstream, routeTo, serve } from './h2-serve-fixture.ts';

const HOST = 'ws.example.com';

describe('WebSocket upstream heads HTTP/2 cannot carry (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let upstream: RawUpstream;

  before(async () => {
    upstream = await rawUpstream((head) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1];
      if (key === undefined) return { bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', end: true };
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      return { bytes: `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n` };
    });
    cfg = await routeTo(HOST, upstream.port);
    sluice = await serve(cfg);
  });

  after(async () => {
    await sluice?.stop();
    await upstream?.close();
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
