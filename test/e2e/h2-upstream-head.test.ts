// An HTTP/1.1 upstream response head that HTTP/2 cannot carry (a single-value field such as
// Content-Type sent twice) becomes a 502 for the HTTP/2 client, on the raw upstream sockets and
// through undici; it used to throw from an upstream callback and end the process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConfigDir } from '../support/config.ts';
import type { SluiceProcess } from '../support/sluice.ts';
import { connectH2, h2Request } from '../proxy/h2-helpers.ts';
import { type RawUpstream, rawUpstream, routeTo, serve } from './h2-serve-fixture.ts';

const HOST = 'head.example.com';

describe('HTTP/1.1 upstream heads HTTP/2 cannot carry (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let upstream: RawUpstream;

  before(async () => {
    // Raw: node:http would not send a field twice the way a broken backend does.
    upstream = await rawUpstream(() => ({ bytes: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok' }));
    cfg = await routeTo(HOST, upstream.port);
    sluice = await serve(cfg);
  });

  after(async () => {
    await sluice?.stop();
    await upstream?.close();
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
