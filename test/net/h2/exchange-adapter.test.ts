// The adapter sketch for the proxy's H2Exchange: request facts, the body as a Readable and the
// response as a Writable under node's stream backpressure, with a real node:http2 client.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type http2 from 'node:http2';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, it } from 'node:test';
import { bodyReadable, requestFacts, responseWritable, streamActivity } from '../../../src/net/h2/exchange-adapter.ts';
import type { H2Stream } from '../../../src/net/h2/stream.ts';
import { connect, request } from './client.ts';
import { type CoreServer, startCore } from './support.ts';

let server: CoreServer | undefined;
let session: http2.ClientHttp2Session | undefined;

afterEach(async () => {
  session?.destroy();
  await server?.close();
  server = undefined;
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('HTTP/2 core exchange adapter (sketch)', () => {
  it('gives the exchange host from :authority and one joined cookie line', async () => {
    let facts: ReturnType<typeof requestFacts> | undefined;
    server = await startCore((s) => {
      facts = requestFacts(s);
      s.respond(204, [], true);
    });
    session = connect(server.port);
    await request(session, { ':path': '/p', cookie: ['a=1', 'b=2'], 'x-y': 'z' });
    assert.equal(facts!.method, 'GET');
    assert.equal(facts!.path, '/p');
    assert.equal(facts!.bodyless, true);
    assert.deepEqual(facts!.raw.slice(0, 2), ['host', `127.0.0.1:${server.port}`]);
    const at = facts!.raw.indexOf('cookie');
    assert.equal(facts!.raw[at + 1], 'a=1; b=2');
    assert.equal(facts!.raw.filter((x) => x === 'cookie').length, 1);
  });

  it('pipes a 1 MiB body through a slow transform back to the client with backpressure both ways', async () => {
    let stream: H2Stream | undefined;
    server = await startCore((s) => {
      stream = s;
      s.respond(200, []);
      const slow = new Transform({
        highWaterMark: 16_384,
        transform(chunk, _enc, cb) {
          setImmediate(() => cb(null, chunk));
        },
      });
      pipeline(bodyReadable(s), slow, responseWritable(s, () => ['x-done', 'yes'])).catch(() => s.reset());
    }, { initialWindowSize: 65_535 });
    session = connect(server.port);
    const body = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 13) & 0xff;
    const r = await request(session, { ':method': 'POST', ':path': '/' }, body);
    assert.equal(sha(r.body), sha(body));
    assert.equal(r.trailers?.['x-done'], 'yes');
    assert.ok(streamActivity(stream!) >= 2 * body.length);
  });
});
