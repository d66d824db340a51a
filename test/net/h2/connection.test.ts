// The core against a real node:http2 client: requests, bodies both ways under flow control,
// trailers, resets from either side, many streams at once, GOAWAY.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import { H2Connection } from '../../../src/net/h2/connection.ts';
import { afterEach, describe, it } from 'node:test';
import type { H2Stream } from '../../../src/net/h2/stream.ts';
import { connect, request, until } from './client.ts';
import { helloHandler } from './hello-handler.ts';
import { type CoreServer, startCore } from './support.ts';

let server: CoreServer | undefined;
let sessions: http2.ClientHttp2Session[] = [];

afterEach(async () => {
  for (const s of sessions) s.destroy();
  sessions = [];
  await server?.close();
  server = undefined;
});

async function start(handler: (s: H2Stream) => void, options = {}): Promise<http2.ClientHttp2Session> {
  server = await startCore(handler, options);
  const session = connect(server.port);
  sessions.push(session);
  return session;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('HTTP/2 core with a node:http2 client', () => {
  it('answers a GET, handing the handler the request pseudo-headers and fields', async () => {
    let seen: H2Stream | undefined;
    const session = await start((s) => {
      seen = s;
      helloHandler(s);
    });
    const r = await request(session, { ':path': '/a?b=1', 'x-test': 'yes' });
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'hello');
    assert.equal(r.headers['content-type'], 'text/plain');
    assert.equal(seen!.method, 'GET');
    assert.equal(seen!.path, '/a?b=1');
    assert.equal(seen!.scheme, 'http');
    assert.equal(seen!.authority, `127.0.0.1:${server!.port}`);
    assert.equal(seen!.endStream, true);
    assert.deepEqual(seen!.headers.slice(seen!.headers.indexOf('x-test'), seen!.headers.indexOf('x-test') + 2), ['x-test', 'yes']);
    assert.ok(seen!.bytesIn > 0 && seen!.bytesOut >= 5);
  });

  it('holds a 1 MiB upload to the stream window while the reader consumes nothing, then takes it all', async () => {
    const window = 65_535;
    const held: Buffer[] = [];
    let stream: H2Stream | undefined;
    let ended = false;
    const session = await start((s) => {
      stream = s;
      s.read((c) => held.push(Buffer.from(c)), () => {
        ended = true;
        const body = Buffer.concat(held);
        s.respond(200, ['x-sha', sha(body)]);
        s.end();
      });
    }, { initialWindowSize: window, connectionWindowSize: 4 * 1024 * 1024 });
    const body = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) & 0xff;
    const pending = request(session, { ':method': 'POST', ':path': '/up' }, body);
    const heldBytes = (): number => held.reduce((n, c) => n + c.length, 0);
    await until(() => heldBytes() >= window, 'the stream window to fill');
    // The client is held at the window: no more than it arrives until the reader consumes.
    await new Promise((r) => setTimeout(r, 100));
    const received = heldBytes();
    assert.equal(received, window);
    assert.equal(ended, false);
    // The consumer now takes bytes as they come: the window reopens and the rest flows.
    stream!.consume(received);
    stream!.read((c) => {
      held.push(Buffer.from(c));
      stream!.consume(c.length);
    }, () => {
      ended = true;
      stream!.respond(200, ['x-sha', sha(Buffer.concat(held))]);
      stream!.end();
    });
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-sha'], sha(body));
  });

  it('echoes a 1 MiB POST body through the response (both flow-control directions)', async () => {
    const session = await start(helloHandler);
    const body = Buffer.alloc(1024 * 1024, 0x5a);
    const r = await request(session, { ':method': 'POST', ':path': '/echo' }, body);
    assert.equal(r.status, 200);
    assert.equal(sha(r.body), sha(body));
  });

  it('sends a large response to a client with a tiny window, within its windows', async () => {
    const big = Buffer.alloc(300_000, 0x61);
    server = await startCore((s) => {
      s.respond(200, []);
      s.write(big);
      s.end();
    });
    const session = connect(server.port, { initialWindowSize: 1000 });
    sessions.push(session);
    const r = await request(session, { ':path': '/big' });
    assert.equal(r.body.length, big.length);
  });

  it('says write() is full past the high-water mark and calls onDrain once the client takes it', async () => {
    let results: boolean[] = [];
    let drained = 0;
    const session = await start((s) => {
      s.respond(200, []);
      const chunk = Buffer.alloc(40_000, 0x62);
      results = [s.write(chunk), s.write(chunk), s.write(chunk)];
      s.onDrain = () => {
        drained++;
        s.end();
      };
    });
    const r = await request(session, { ':path': '/' });
    assert.deepEqual(results, [true, false, false]);
    assert.equal(drained, 1);
    assert.equal(r.body.length, 120_000);
  });

  it('resets a stream whose consumer queues past the hard bound regardless of write() saying to wait', { timeout: 10_000 }, async () => {
    const closes: number[] = [];
    const session = await start((s) => {
      s.onClose = (code) => closes.push(code);
      s.respond(200, []);
      for (let i = 0; i < 80; i++) s.write(Buffer.alloc(65_536));
    });
    await assert.rejects(request(session, { ':path': '/' }), /stream reset 2|INTERNAL_ERROR/);
    assert.deepEqual(closes, [http2.constants.NGHTTP2_INTERNAL_ERROR]);
  });

  it('passes trailers both ways', async () => {
    let got: string[] | undefined;
    const session = await start((s) => {
      s.read((c) => s.consume(c.length), (trailers) => {
        got = trailers;
        s.respond(200, ['content-type', 'application/grpc']);
        s.write(Buffer.from('payload'));
        s.end(['grpc-status', '0', 'grpc-message', 'ok']);
      });
    });
    const r = await new Promise<{ trailers: http2.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': '/t' }, { waitForTrailers: true });
      req.on('wantTrailers', () => req.sendTrailers({ 'x-client-trailer': 'done' }));
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d) => {
        body += d;
      });
      req.on('trailers', (t) => resolve({ trailers: t, body }));
      req.on('error', reject);
      req.end('body');
    });
    assert.deepEqual(got, ['x-client-trailer', 'done']);
    assert.equal(r.trailers['grpc-status'], '0');
    assert.equal(r.trailers['grpc-message'], 'ok');
    assert.equal(r.body, 'payload');
  });

  it('tells the handler when the client resets its stream', async () => {
    const closes: [number, boolean][] = [];
    const session = await start((s) => {
      if (s.path !== '/hold') return helloHandler(s);
      s.onClose = (code, byPeer) => closes.push([code, byPeer]);
      s.respond(200, []);
    });
    const req = session.request({ ':path': '/hold' });
    await new Promise((r) => req.on('response', r));
    req.close(http2.constants.NGHTTP2_CANCEL);
    await until(() => closes.length === 1, 'the handler to see the reset');
    assert.deepEqual(closes, [[http2.constants.NGHTTP2_CANCEL, true]]);
    // The connection lives on.
    assert.equal((await request(session, { ':path': '/' })).body.toString(), 'hello');
  });

  it('resets a stream from the server side, the connection living on', async () => {
    let n = 0;
    const session = await start((s) => {
      if (n++ === 0) return s.reset(http2.constants.NGHTTP2_REFUSED_STREAM);
      helloHandler(s);
    });
    await assert.rejects(request(session, { ':path': '/' }), /stream reset 7|REFUSED/);
    assert.equal((await request(session, { ':path': '/' })).body.toString(), 'hello');
  });

  it('serves 200 concurrent streams on one connection', async () => {
    const session = await start((s) => {
      // Answer on a later turn so that all are open at once.
      setImmediate(() => {
        s.respond(200, []);
        s.write(Buffer.from(s.path!));
        s.end();
      });
    }, { maxConcurrentStreams: 250 });
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => request(session, { ':path': `/s${i}` })));
    replies.forEach((r, i) => assert.equal(r.body.toString(), `/s${i}`));
  });

  it('sends GOAWAY on close, finishes the open stream, then closes the connection', async () => {
    let pending: H2Stream | undefined;
    const session = await start((s) => {
      pending = s;
    });
    const goaway = new Promise<number>((resolve) => session.on('goaway', (code) => resolve(code)));
    const reply = request(session, { ':path': '/slow' });
    await until(() => pending !== undefined, 'the stream');
    const conn = [...server!.connections][0]!;
    conn.close();
    assert.equal(await goaway, 0);
    pending!.respond(200, []);
    pending!.end();
    assert.equal((await reply).status, 200);
    await until(() => server!.connections.size === 0, 'the connection to close');
  });

  it('takes over a socket whose first bytes a listener already read (sniffing for the preface)', async () => {
    const plain = net.createServer((socket) => {
      socket.once('data', (first: Buffer) => {
        socket.pause();
        const conn = new H2Connection(socket, {}, helloHandler);
        conn.receive(first);
        socket.resume();
      });
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const session = connect((plain.address() as net.AddressInfo).port);
    sessions.push(session);
    try {
      assert.equal((await request(session, { ':path': '/' })).body.toString(), 'hello');
    } finally {
      session.destroy();
      await new Promise((r) => plain.close(r));
    }
  });

  it('tells open streams when the connection dies under them', async () => {
    const closes: [number, boolean][] = [];
    const session = await start((s) => {
      s.onClose = (code, byPeer) => closes.push([code, byPeer]);
    });
    session.request({ ':path': '/' }).on('error', () => {});
    await until(() => server!.connections.size === 1 && [...server!.connections][0]!.streams.size === 1, 'the stream');
    session.destroy();
    await until(() => closes.length === 1, 'the close');
    assert.deepEqual(closes, [[http2.constants.NGHTTP2_CANCEL, true]]);
  });
});
