// The client send timeout (--client-send-timeout): a client that stops reading a response while
// Sluice's writes to it are backed up is cut, on the fast path, on node:http (--no-fast-path) and
// over HTTP/2 and in WebSocket tunnels; a reader that is slow but keeps reading, a response slow
// to come from the upstream and an idle WebSocket are never cut.
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { ConfigDir, backend, ingress } from '../support/config.ts';
import { type Upstream, startSlowUpstream, startUpstream } from '../support/upstream.ts';
import { type SluiceProcess, startSluice } from '../support/sluice.ts';

const HOST = 's.example.com';
const BOUND_MS = 10_000;
const MB = 1024 * 1024;

/** Streams `size` bytes with backpressure; records whether the response was cut before its end. */
function bigUpstream(cut: { count: number }): Promise<Upstream> {
  return startUpstream('big', (req, res) => {
    const size = Number(new URL(req.url!, 'http://x').searchParams.get('mb')) * MB;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
    const piece = Buffer.alloc(64 * 1024, 'z');
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        sent += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => {
      if (!res.writableFinished) cut.count++;
    });
    pump();
  });
}

/**
 * GET over a raw socket that reads nothing after the first bytes until `stalled()` says the proxy
 * gave up; then reads on to the close. (A paused socket does not see a close: it looks on resume.)
 */
function stalledReader(addr: string, path: string, stalled: () => Promise<void>): Promise<{ firstLine: string; bytes: number }> {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    let firstLine = '';
    let bytes = 0;
    const s = net.connect(Number(port), host!, () => s.write(`GET ${path} HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`));
    s.on('data', (d: Buffer) => {
      if (bytes === 0) {
        firstLine = d.toString('latin1').split('\r\n')[0]!;
        s.pause();
        stalled().then(() => s.resume(), (e: Error) => {
          s.destroy();
          reject(e);
        });
      }
      bytes += d.length;
    });
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`the connection was not closed within ${BOUND_MS} ms`));
    }, BOUND_MS);
    s.on('close', () => {
      clearTimeout(t);
      resolve({ firstLine, bytes });
    });
    s.on('error', () => {});
  });
}

/** Resolves when the upstream saw `n` responses cut, rejects after the bound. */
async function cutCount(cut: { count: number }, n: number): Promise<void> {
  const deadline = Date.now() + BOUND_MS;
  while (cut.count < n) {
    if (Date.now() > deadline) throw new Error(`the upstream response was not cut within ${BOUND_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** GET that reads in short bursts with pauses shorter than the timeout; resolves with the bytes read. */
function slowReader(addr: string, path: string, pauseMs: number): Promise<{ status: number; bytes: number }> {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port: Number(port), path, headers: { host: HOST }, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => {
        bytes += d.length;
        res.pause();
        setTimeout(() => res.resume(), pauseMs);
      });
      res.on('end', () => resolve({ status: res.statusCode!, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error('slow reader took too long')));
  });
}

for (const fastPath of [true, false]) {
  describe(`client send timeout over HTTP/1.1 (${fastPath ? 'fast path' : 'node:http'})`, () => {
    let cfg: ConfigDir;
    let sluice: SluiceProcess;
    let big: Upstream;
    let slow: Upstream;
    const cut = { count: 0 };

    before(async () => {
      big = await bigUpstream(cut);
      slow = await startSlowUpstream('slow');
      cfg = await ConfigDir.create();
      await cfg.write('c.yaml', [
        ...backend('big', [{ ip: '127.0.0.1', port: big.port }]),
        ...backend('slow', [{ ip: '127.0.0.1', port: slow.port }]),
        ingress('s', [{ hosts: [HOST], paths: [{ path: '/slow', splits: [{ service: 'slow' }] }, { splits: [{ service: 'big' }] }] }]),
      ]);
      // 2 s, not 1: the slow reader (10 ms pauses) runs in this test's process, which a busy machine
      // can leave off the CPU for over a second, and that is a stall the proxy rightly cuts.
      const args = ['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--client-send-timeout', '2'];
      sluice = await startSluice(fastPath ? args : [...args, '--no-fast-path']);
    });

    after(async () => {
      await sluice?.stop();
      await big?.close();
      await slow?.close();
      await cfg?.cleanup();
    });

    it('closes the connection of a client that stops reading, and the upstream response with it', async () => {
      const started = Date.now();
      const r = await stalledReader(sluice.addresses.http!, '/big?mb=256', () => cutCount(cut, cut.count + 1));
      assert.equal(r.firstLine, 'HTTP/1.1 200 OK');
      assert.ok(r.bytes < 256 * MB, 'the client got a cut response');
      assert.ok(Date.now() - started >= 1900, 'not before the timeout');
    });

    it('lets a reader that keeps reading, slowly, get everything', async () => {
      const r = await slowReader(sluice.addresses.http!, '/big?mb=24', 10);
      assert.deepEqual(r, { status: 200, bytes: 24 * MB });
    });

    it('never cuts a response that is slow to come from the upstream', async () => {
      const r = await slowReader(sluice.addresses.http!, '/slow', 0);
      assert.deepEqual(r, { status: 200, bytes: 2 });
    });
  });
}

describe('client send timeout over HTTP/2', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let big: Upstream;
  const cut = { count: 0 };

  before(async () => {
    big = await bigUpstream(cut);
    cfg = await ConfigDir.create();
    await cfg.write('c.yaml', [...backend('big', [{ ip: '127.0.0.1', port: big.port }]), ingress('s', [{ hosts: [HOST], paths: [{ splits: [{ service: 'big' }] }] }])]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--client-send-timeout', '1']);
  });

  after(async () => {
    await sluice?.stop();
    await big?.close();
    await cfg?.cleanup();
  });

  it('resets the stream of a client that stops reading', async () => {
    const started = Date.now();
    const session = http2.connect(`http://${sluice.addresses.http}`);
    session.on('error', () => {});
    try {
      const req = session.request({ ':path': '/big?mb=64', ':authority': HOST });
      req.on('error', () => {});
      const status = await new Promise<number>((resolve) => req.once('response', (h) => resolve(Number(h[':status']))));
      assert.equal(status, 200);
      // Read nothing more: the stream's flow-control window closes and Sluice's writes back up.
      req.pause();
      const code = await new Promise<number>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`stream not reset within ${BOUND_MS} ms`)), BOUND_MS);
        req.once('close', () => {
          clearTimeout(t);
          resolve(req.rstCode ?? 0);
        });
      });
      assert.equal(code, http2.constants.NGHTTP2_CANCEL);
      assert.ok(Date.now() - started >= 900);
    } finally {
      session.destroy();
    }
  });
});

describe('client send timeout in a WebSocket tunnel', () => {
  let cfg: ConfigDir;
  let sluice: SluiceProcess;
  let server: WebSocketServer;
  const closed: number[] = [];

  before(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    server.on('connection', (ws, req) => {
      ws.on('close', () => closed.push(Date.now()));
      ws.on('message', (d) => ws.send(`echo:${d.toString()}`));
      if (req.url !== '/flood') return;
      // Sends as fast as the tunnel takes it, for as long as the connection lasts.
      const piece = Buffer.alloc(64 * 1024, 'w');
      const flood = (): void => {
        if (ws.readyState !== WebSocket.OPEN) return;
        ws.send(piece, { binary: true }, () => setImmediate(flood));
      };
      flood();
    });
    const port = (server.address() as { port: number }).port;
    cfg = await ConfigDir.create();
    await cfg.write('c.yaml', [...backend('ws', [{ ip: '127.0.0.1', port }]), ingress('s', [{ hosts: [HOST], paths: [{ splits: [{ service: 'ws' }] }] }])]);
    sluice = await startSluice(['serve', '--config', cfg.dir, '--http', '127.0.0.1:0', '--local', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--client-send-timeout', '1']);
  });

  after(async () => {
    await sluice?.stop();
    for (const c of server?.clients ?? []) c.terminate();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await cfg?.cleanup();
  });

  function open(path: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${sluice.addresses.http}${path}`, { headers: { host: HOST }, handshakeTimeout: 10_000 });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }

  it('closes the tunnel of a client that stops reading', async () => {
    const ws = await open('/flood');
    try {
      const started = Date.now();
      const before = closed.length;
      await new Promise((r) => ws.once('message', r));
      // Stop reading at the socket: the tunnel's writes to the client back up.
      (ws as unknown as { _socket: net.Socket })._socket.pause();
      const deadline = started + BOUND_MS;
      while (closed.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(closed.length, before + 1, 'the upstream side of the tunnel was closed');
      assert.ok(closed[before]! - started >= 900, 'not before the timeout');
    } finally {
      ws.terminate();
    }
  });

  it('keeps an idle tunnel open past the timeout', async () => {
    const ws = await open('/idle');
    try {
      await new Promise((r) => setTimeout(r, 2500));
      const reply = await new Promise<string>((resolve) => {
        ws.once('message', (d) => resolve(d.toString()));
        ws.send('still here');
      });
      assert.equal(reply, 'echo:still here');
    } finally {
      ws.terminate();
    }
  });
});
