// HTTP/2 clients send each cookie as its own `cookie` field (RFC 9113 8.2.3 lets them split the
// header for compression); an HTTP/1.1 upstream must get them joined into one `Cookie` line with
// "; ", on the raw-socket path (bodiless requests) and through undici (requests with a body).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';
import { type EchoReply, type Upstream, startUpstream } from '../support/upstream.ts';
import { DATA, END_STREAM, frame, headersFrame, RawH2, requestFields } from '../proxy/h2-frames.ts';
import { type H2Upstream, connectH2, h2Request, startH2Upstream, type H2Echo } from '../proxy/h2-helpers.ts';

const HOST = 'cookie.example.com';

describe('HTTP/2 cookie fields (sluice serve)', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let up: Upstream;
  let h2c: H2Upstream;

  before(async () => {
    up = await startUpstream('up');
    h2c = await startH2Upstream('h2c');
    cfg = await ConfigDir.create();
    await cfg.write('all.yaml', [
      ...backend('up', [{ ip: '127.0.0.1', port: up.port }]),
      ...backend('h2c', [{ ip: '127.0.0.1', port: h2c.port }], { portName: 'h2c' }),
      ingress('cookie', [{ hosts: [HOST], paths: [{ path: '/h2c', splits: [{ service: 'h2c' }] }, { splits: [{ service: 'up' }] }] }]),
    ]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
  });

  after(async () => {
    await sluice?.stop();
    await up?.close();
    await h2c?.close();
    await cfg?.cleanup();
  });

  /** Sends one request with three cookie fields (and a body when `body` is given); returns what the upstream saw. */
  async function send(method: string, path: string, body?: string): Promise<EchoReply> {
    const c = await RawH2.connect(sluice.addresses.http!);
    try {
      const seen = up.requests.length;
      const fields = requestFields(method, HOST, path, [['cookie', 'a=1'], ['x-other', 'o'], ['cookie', 'b=2'], ['cookie', 'c=3']]);
      c.send(headersFrame(1, fields, body === undefined));
      if (body !== undefined) c.send(frame(DATA, END_STREAM, 1, Buffer.from(body)));
      const answered = await c.waitFrame((f) => f.type === 0x1 && f.streamId === 1);
      assert.ok(answered, 'a response');
      assert.equal(up.requests.length, seen + 1);
      return up.requests[seen]!;
    } finally {
      c.destroy();
    }
  }

  for (const [what, method, body] of [['a bodiless request (raw upstream sockets)', 'GET', undefined], ['a request with a body (undici)', 'POST', 'hello']] as const) {
    it(`joins cookie fields with "; " for an HTTP/1.1 upstream: ${what}`, async () => {
      const echo = await send(method, '/c', body);
      const cookies = echo.rawHeaders.filter((_, i) => i % 2 === 0).filter((n) => n.toLowerCase() === 'cookie');
      assert.equal(cookies.length, 1, `one Cookie line: ${JSON.stringify(echo.rawHeaders)}`);
      assert.equal(echo.headers.cookie, 'a=1; b=2; c=3');
      assert.equal(echo.headers['x-other'], 'o');
    });
  }

  it('passes cookies to an h2c upstream intact', async () => {
    const s = connectH2(sluice.addresses.http!);
    try {
      const r = await h2Request(s, { ':path': '/h2c', ':authority': HOST, cookie: ['a=1', 'b=2'] });
      assert.equal(r.status, 200);
      assert.equal((JSON.parse(r.body) as H2Echo).headers.cookie, 'a=1; b=2');
    } finally {
      s.destroy();
    }
  });
});
