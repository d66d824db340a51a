// The own core's stream as a node:http2-shaped Duplex (src/proxy/h2core/compat-stream.ts), over a
// real socket with a node:http2 client: the request body is held to the client's window while the
// consumer does not read, the response carries trailers when asked for them, a destroy with an
// AbortError resets with CANCEL, and a response field HTTP/2 cannot carry throws (the callers'
// guard turns that into a 502).
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { H2Connection } from '../../src/net/h2/connection.ts';
import { CoreHttp2Stream } from '../../src/proxy/h2core/compat-stream.ts';

const WINDOW = 64 * 1024;

describe('CoreHttp2Stream', () => {
  let server: net.Server;
  let port = 0;
  let onStream: (s: CoreHttp2Stream) => void = () => {};

  before(async () => {
    server = net.createServer((socket) => {
      new H2Connection(socket, { initialWindowSize: WINDOW, connectionWindowSize: 4 * WINDOW }, (core) => onStream(new CoreHttp2Stream(core)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as net.AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  function client(): http2.ClientHttp2Session {
    const s = http2.connect(`http://127.0.0.1:${port}`);
    s.on('error', () => {});
    return s;
  }

  it('holds a request body the consumer does not read to the stream window, then takes the rest as it reads', async () => {
    const s = client();
    try {
      const got = new Promise<CoreHttp2Stream>((resolve) => (onStream = resolve));
      const req = s.request({ ':path': '/', ':method': 'POST' });
      req.on('error', () => {});
      const body = Buffer.alloc(1024 * 1024, 1);
      req.end(body);
      const stream = await got;
      // Not read: what the client could send is the window plus what the Readable buffers.
      await until(() => stream.core.bytesIn >= WINDOW);
      // An observation window, not a synchronisation: nothing more may arrive while nobody reads.
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(stream.core.bytesIn < WINDOW + 64 * 1024 + 1024, `received ${stream.core.bytesIn} before anything was read`);
      let n = 0;
      stream.on('data', (c: Buffer) => (n += c.length));
      await new Promise<void>((resolve) => stream.once('end', () => resolve()));
      assert.equal(n, body.length);
      stream.respond({ ':status': 200 }, { endStream: true });
    } finally {
      s.destroy();
    }
  });

  it('sends trailers after the body when the response asked to wait for them', async () => {
    const s = client();
    try {
      onStream = (stream) => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'ok' }));
        stream.end(Buffer.from('payload'));
      };
      const req = s.request({ ':path': '/' }, { endStream: true });
      const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => req.once('trailers', resolve));
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      await new Promise<void>((resolve) => req.once('end', () => resolve()));
      assert.equal(body, 'payload');
      assert.equal((await trailers)['grpc-status'], '0');
    } finally {
      s.destroy();
    }
  });

  it('resets with CANCEL when destroyed with an AbortError, INTERNAL_ERROR with any other error', async () => {
    const s = client();
    try {
      for (const [err, code] of [[Object.assign(new Error('x'), { name: 'AbortError' }), http2.constants.NGHTTP2_CANCEL], [new Error('y'), http2.constants.NGHTTP2_INTERNAL_ERROR]] as const) {
        onStream = (stream) => stream.destroy(err);
        const req = s.request({ ':path': '/' }, { endStream: true });
        req.on('error', () => {});
        await new Promise<void>((resolve) => req.once('close', () => resolve()));
        assert.equal(req.rstCode, code);
      }
    } finally {
      s.destroy();
    }
  });

  it('refuses response fields HTTP/2 cannot carry by throwing, and a single-value field given twice', async () => {
    const s = client();
    try {
      const thrown: string[] = [];
      onStream = (stream) => {
        for (const h of [{ 'x-bad': 'a\r\nb' }, { connection: 'close' }, { 'content-type': ['a', 'b'] }]) {
          try {
            stream.respond({ ':status': 200, ...h });
          } catch (err) {
            thrown.push((err as Error).message);
          }
        }
        stream.respond({ ':status': 502, 'content-length': '0' }, { endStream: true });
      };
      const req = s.request({ ':path': '/' }, { endStream: true });
      const status = await new Promise<number>((resolve) => req.once('response', (h) => resolve(Number(h[':status']))));
      assert.equal(status, 502);
      assert.equal(thrown.length, 3, thrown.join('; '));
    } finally {
      s.destroy();
    }
  });
});

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
