// The plain listener's protocol sniffing, on the bytes alone and on real sockets.
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { H2Connection } from '../../src/net/h2/connection.ts';
import { H2_PREFACE, createPlainListener, nodeHttp1Dispatch, sniff } from '../../src/proxy/plain-listener.ts';

describe('sniff', () => {
  it('needs the whole HTTP/2 preface, and decides HTTP/1.1 at the first differing byte', () => {
    assert.equal(sniff(H2_PREFACE), 'h2');
    assert.equal(sniff(Buffer.concat([H2_PREFACE, Buffer.from([0, 0, 0, 4])])), 'h2');
    assert.equal(sniff(H2_PREFACE.subarray(0, 10)), 'more');
    assert.equal(sniff(Buffer.from('P')), 'more');
    assert.equal(sniff(Buffer.from('POST / HTTP/1.1\r\n')), 'h1');
    assert.equal(sniff(Buffer.from('GET')), 'h1');
    assert.equal(sniff(Buffer.from('PRI * HTTP/1.1\r\n')), 'h1');
  });
});

describe('createPlainListener', () => {
  let server: net.Server;
  let port: number;
  const h1 = http.createServer((req, res) => res.end(`h1 ${req.method} ${req.url}`));
  // As the HTTP/2 front end takes a sniffed socket (h2core/front.ts): a core connection on it, then resume.
  const h2 = (socket: net.Socket): void => {
    new H2Connection(socket, {}, (s) => {
      s.respond(200, []);
      s.write(Buffer.from(`h2 ${String(s.path)}`));
      s.end();
    });
    socket.resume();
  };

  before(async () => {
    server = createPlainListener({ http1: nodeHttp1Dispatch(h1), h2, firstBytesTimeout: 500 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    h1.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('hands pipelined HTTP/1.1 requests, split at any byte, to node:http in order', async () => {
    const c = net.connect(port, '127.0.0.1');
    const text = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    // one byte first, then the rest: the sniffer must wait, then replay what it read
    c.write(text.slice(0, 1));
    await new Promise((r) => setTimeout(r, 30));
    c.write(text.slice(1));
    let out = '';
    c.on('data', (d) => (out += d));
    await new Promise((r) => c.on('close', r));
    assert.match(out, /h1 GET \/a[\s\S]*h1 GET \/b/);
  });

  it('hands a prior-knowledge HTTP/2 connection (preface split in two) to the HTTP/2 front end', async () => {
    const s = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = s.request({ ':path': '/z' });
        let b = '';
        req.on('data', (d) => (b += d));
        req.on('end', () => resolve(b));
        req.on('error', reject);
      });
      assert.equal(body, 'h2 /z');
    } finally {
      s.destroy();
    }
  });

  it('closes a connection that sends nothing within the first-bytes deadline', async () => {
    const c = net.connect(port, '127.0.0.1');
    const started = Date.now();
    await new Promise((r) => c.on('close', r));
    assert.ok(Date.now() - started >= 400, 'not before the deadline');
  });
});
