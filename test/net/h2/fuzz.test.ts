// Seeded random frames against the core: whatever a client sends, no error escapes, every
// connection ends or lives on, and the server still answers afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mulberry32 } from '../../support/prng.ts';
import { helloHandler } from './hello-handler.ts';
import { RawClient } from './raw-client.ts';
import { type CoreServer, literalBlock, startCore } from './support.ts';
import { connect, request } from './client.ts';
import { PING } from '../../../src/net/h2/frames.ts';

const MARKER = Buffer.from('marker!!');

describe('HTTP/2 core under random frames', () => {
  let server: CoreServer;
  before(async () => {
    server = await startCore(helloHandler, { idleTimeoutMs: 2000 });
  });
  after(async () => {
    await server.close();
  });

  it('survives 300 connections of random frames and keeps serving', async () => {
    const rand = mulberry32(20261207);
    const int = (n: number): number => Math.floor(rand() * n);
    const ids = [0, 1, 2, 3, 5, 7, 9, 0x7fffffff];
    const block = literalBlock([':method', 'POST', ':scheme', 'http', ':authority', 'x', ':path', '/']);
    const clients: RawClient[] = [];
    for (let conn = 0; conn < 300; conn++) {
      const c = await RawClient.open(server.port);
      clients.push(c);
      for (let f = 0, n = 1 + int(30); f < n; f++) {
        const type = int(12);
        const payload = rand() < 0.3 && type === 1 ? block : Buffer.from(Array.from({ length: int(40) }, () => int(256)));
        c.out.frame(type, int(256), ids[int(ids.length)]!, payload);
      }
      // A marker PING: its ACK says the server read everything before it.
      c.out.ping(false, MARKER);
      c.send();
    }
    // Every connection either answers the marker or was closed by the server; none hangs.
    let answered = 0;
    for (const c of clients) {
      const ack = await c.waitFor((f) => f.type === PING && (f.flags & 1) === 1 && f.payload.equals(MARKER), 'marker').catch((err: Error) => {
        if (!c.closed) throw err;
      });
      if (ack !== undefined) answered++;
    }
    for (const c of clients) c.destroy();
    assert.ok(answered > 0 && answered < clients.length, `some connections live on, some were closed (${answered})`);
    const session = connect(server.port);
    try {
      assert.equal((await request(session, { ':path': '/' })).body.toString(), 'hello');
    } finally {
      session.destroy();
    }
  });
});
