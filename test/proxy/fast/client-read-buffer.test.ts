// Fast-path client connections read into their listener's one buffer (client-reads.ts) rather than
// a new Buffer (and ArrayBuffer) per read, whose sweeping was half of every scavenge under load.
// The buffer is shared by all the listener's connections, so whatever outlives a read (a partial
// head, pipelined bytes, body bytes queued for an upstream) must be copied out of it or kept in a
// buffer of the connection's own: the tests below make other connections' reads land between.
// One in-process gateway, so the test sees its accepted sockets (diagnostics channel
// 'net.server.socket') and its reads happen in turns the test's writes decide.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import dc from 'node:diagnostics_channel';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { Gateway } from '../../../src/gateway.ts';
import type { DataPlane } from '../../../src/proxy/dataplane.ts';
import { silentLogger } from '../../../src/log.ts';
import { CAN_READ_INTO } from '../../../src/proxy/fast/client-reads.ts';
import { FileSource } from '../../../src/sources/file.ts';
import { defaultTranslateOptions } from '../../../src/translate/options.ts';
import { ConfigDir, backend, ingress } from '../../support/config.ts';
import { editSplits } from '../../support/route-edits.ts';

const HOST = 'reads.example.com';
/** a host whose requests a fault delay holds (the router is wrapped: see holdRequests) */
const HELD = 'held.example.com';
const BOUND_MS = 10_000;

interface Reply {
  readonly head: string;
  readonly body: Buffer;
}

/** A raw keep-alive client: sends bytes, and collects whole responses (Content-Length framed). */
class RawClient {
  readonly sock: net.Socket;
  #buf = Buffer.alloc(0);
  #waiting: Array<(r: Reply) => void> = [];
  /** responses that came before anyone asked for them */
  #arrived: Reply[] = [];
  readonly ready: Promise<void>;

  constructor(addr: string) {
    const i = addr.lastIndexOf(':');
    this.sock = net.connect(Number(addr.slice(i + 1)), addr.slice(0, i));
    this.sock.setNoDelay(true);
    this.sock.on('error', () => {});
    this.sock.on('data', (d: Buffer) => this.#read(d));
    this.ready = new Promise((r) => this.sock.once('connect', () => r()));
  }

  /** The next whole response (bounded). */
  response(): Promise<Reply> {
    const early = this.#arrived.shift();
    if (early !== undefined) return Promise.resolve(early);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response within ${BOUND_MS} ms`)), BOUND_MS);
      this.#waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  #read(d: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, d]);
    for (;;) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.#buf.subarray(0, end).toString('latin1');
      const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.#buf.length < end + 4 + len) return;
      const body = this.#buf.subarray(end + 4, end + 4 + len);
      this.#buf = this.#buf.subarray(end + 4 + len);
      const waiter = this.#waiting.shift();
      if (waiter === undefined) this.#arrived.push({ head, body });
      else waiter({ head, body });
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

const get = (path: string, extra = '', host = HOST): string => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\n`;

/**
 * Holds every request to HELD for `ms` (a fault delay on each of its splits, which no file config
 * of this test's kind can write): a request policy that decides later, as far as the fast path sees.
 */
function holdRequests(dp: DataPlane, ms: number): void {
  const fault = { abort: undefined, delay: { percent: 100, ms } };
  editSplits(dp, (host) => host === HELD, (sp) => ({ ...sp, fault }));
}

describe('fast-path client reads go into the listener buffer', () => {
  let cfg: ConfigDir;
  let gw: Gateway;
  let echo: http.Server;
  /** the same answers, for the one test that watches the gateway's new upstream connections */
  let single: http.Server;
  let bodies: http.Server;
  /** the same answers as `bodies`, on a port of its own: only the held requests connect to it */
  let heldBodies: http.Server;
  let ws: WebSocketServer;
  /** the gateway's accepted sockets, by their peer's port */
  const accepted = new Map<number, net.Socket>();
  const onSocket = (m: unknown): void => {
    const s = (m as { socket: net.Socket }).socket;
    if (s.remotePort !== undefined) accepted.set(s.remotePort, s);
  };
  const clients: RawClient[] = [];
  /**
   * A connected client that has had one request answered: a connection's first bytes are read by
   * the listener's sniffer (plain-listener.ts), in a Buffer of their own; the reads after go into
   * the listener's buffer.
   */
  const client = async (): Promise<RawClient> => {
    const c = new RawClient(gw.addresses.http!);
    clients.push(c);
    await c.ready;
    c.sock.write(get('/warm'));
    assert.equal((await c.response()).body.toString(), '/warm ');
    return c;
  };

  before(async () => {
    // Answers with what it was asked: path and the x-which header.
    const answer: http.RequestListener = (req, res) => {
      req.resume();
      req.on('end', () => {
        const body = `${req.url} ${req.headers['x-which'] ?? ''}`;
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    };
    echo = http.createServer(answer);
    single = http.createServer(answer);
    // Answers with the length and SHA-256 of the body it received; /bodies/slow reads it a piece
    // per turn of its loop, so the gateway's writes to it back up and some go out in part.
    const hashBody: http.RequestListener = (req, res) => {
      const h = createHash('sha256');
      let n = 0;
      const slow = req.url === '/bodies/slow';
      req.on('data', (d: Buffer) => {
        h.update(d);
        n += d.length;
        if (slow) {
          req.pause();
          setImmediate(() => req.resume());
        }
      });
      req.on('end', () => {
        const body = `${n} ${h.digest('hex')}`;
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
        res.end(body);
      });
    };
    bodies = http.createServer(hashBody);
    heldBodies = http.createServer(hashBody);
    ws = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    ws.on('connection', (c) => c.on('message', (m, binary) => c.send(m, { binary })));
    await Promise.all([
      new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r())),
      new Promise<void>((r) => single.listen(0, '127.0.0.1', () => r())),
      new Promise<void>((r) => bodies.listen(0, '127.0.0.1', () => r())),
      new Promise<void>((r) => heldBodies.listen(0, '127.0.0.1', () => r())),
      new Promise<void>((r) => ws.once('listening', () => r())),
    ]);
    const port = (s: { address(): unknown }): number => (s.address() as net.AddressInfo).port;
    cfg = await ConfigDir.create();
    await cfg.write('reads.yaml', [
      ...backend('echo', [{ ip: '127.0.0.1', port: port(echo) }]),
      ...backend('single', [{ ip: '127.0.0.1', port: port(single) }]),
      ...backend('bodies', [{ ip: '127.0.0.1', port: port(bodies) }]),
      ...backend('held-bodies', [{ ip: '127.0.0.1', port: port(heldBodies) }]),
      ...backend('ws', [{ ip: '127.0.0.1', port: port(ws) }]),
      ingress('reads', [{ hosts: [HOST], paths: [{ path: '/bodies', splits: [{ service: 'bodies' }] }, { path: '/single', splits: [{ service: 'single' }] }, { path: '/ws', splits: [{ service: 'ws' }] }, { splits: [{ service: 'echo' }] }] },
        { hosts: [HELD], paths: [{ path: '/bodies', splits: [{ service: 'held-bodies' }] }, { splits: [{ service: 'echo' }] }] },
      ]),
    ]);
    gw = await Gateway.start({
      source: new FileSource({ dir: cfg.dir, watch: false }),
      translate: defaultTranslateOptions,
      http: { host: '127.0.0.1', port: 0 },
      log: silentLogger(),
      processMetrics: false,
      drainTimeout: 1000,
    });
    holdRequests(gw.dataPlane, 100);
    dc.subscribe('net.server.socket', onSocket);
  });

  after(async () => {
    dc.unsubscribe('net.server.socket', onSocket);
    for (const c of clients) c.close();
    await gw?.stop();
    echo?.closeAllConnections();
    single?.closeAllConnections();
    bodies?.closeAllConnections();
    heldBodies?.closeAllConnections();
    await Promise.all([
      new Promise((r) => echo?.close(r)),
      new Promise((r) => single?.close(r)),
      new Promise((r) => bodies?.close(r)),
      new Promise((r) => heldBodies?.close(r)),
      new Promise((r) => (ws ? ws.close(r) : r(undefined))),
    ]);
    await cfg?.cleanup();
  });

  it('this Node lets the fast path switch an accepted socket to its own buffer', () => {
    assert.equal(CAN_READ_INTO, true, "net.Socket's onread fields were not found: client reads fall back to a Buffer per read");
  });

  it('keep-alive requests make no Buffer per read: no data event on the accepted socket after the first request', async () => {
    const c = await client();
    const server = accepted.get(c.sock.localPort!);
    assert.ok(server !== undefined, 'the accepted socket was seen');
    let dataEvents = 0;
    server.on('data', () => dataEvents++);
    for (let i = 0; i < 20; i++) {
      c.sock.write(get(`/again-${i}`));
      assert.equal((await c.response()).body.toString(), `/again-${i} `);
    }
    assert.equal(dataEvents, 0, 'each read made a Buffer of its own');
  });

  it('each read into the listener buffer is published on the sluice:fast:client-read channel, which diagnostics watch instead of data events', async () => {
    const c = await client();
    const server = accepted.get(c.sock.localPort!)!;
    let reads = 0;
    const onRead = (m: unknown): void => {
      if (m === server) reads++;
    };
    dc.subscribe('sluice:fast:client-read', onRead);
    try {
      for (let i = 0; i < 5; i++) {
        c.sock.write(get(`/seen-${i}`));
        assert.equal((await c.response()).body.toString(), `/seen-${i} `);
      }
    } finally {
      dc.unsubscribe('sluice:fast:client-read', onRead);
    }
    // One read per request: each was written only after the previous response came.
    assert.equal(reads, 5);
  });

  it('a small GET goes upstream in one write and back to the client in one write', async () => {
    const c = await client();
    const server = accepted.get(c.sock.localPort!)!;
    const singlePort = (single.address() as net.AddressInfo).port;
    // Writes per socket while the requests run (net.connect puts the prototype's write back on a
    // socket as it connects, so the prototype's is the one to watch).
    const writes = new Map<net.Socket, number>();
    const write = net.Socket.prototype.write;
    net.Socket.prototype.write = function (this: net.Socket, ...args: unknown[]): boolean {
      writes.set(this, (writes.get(this) ?? 0) + 1);
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof write;
    try {
      for (let i = 0; i < 10; i++) {
        c.sock.write(get(`/single/${i}`));
        assert.equal((await c.response()).body.toString(), `/single/${i} `);
      }
    } finally {
      net.Socket.prototype.write = write;
    }
    assert.equal(writes.get(server), 10, 'one write per response to the client');
    // `single` is this test's alone: every connection to it was opened here, the first request
    // written while it was still connecting.
    let upstream = 0;
    for (const [s, n] of writes) if (s.remotePort === singlePort) upstream += n;
    assert.equal(upstream, 10, 'one write per request to the upstream');
  });

  it("a partial head kept between reads is not overwritten by other connections' reads", async () => {
    const partial = await Promise.all(Array.from({ length: 8 }, () => client()));
    const others = await Promise.all(Array.from({ length: 8 }, () => client()));
    // The partial heads first, then whole requests on other connections, in one turn of the test's
    // loop: the gateway reads them in that order, the later reads into the buffer the partial heads came in.
    partial.forEach((c, i) => c.sock.write(`GET /partial-${i} HTTP/1.1\r\nHost: ${HOST}\r\nX-Which: kept-${i}`));
    others.forEach((c, i) => c.sock.write(get(`/other-${i}`, `X-Which: other-${i}\r\n`)));
    const answers = await Promise.all(others.map((c) => c.response()));
    answers.forEach((a, i) => assert.equal(a.body.toString(), `/other-${i} other-${i}`));
    partial.forEach((c) => c.sock.write('\r\n\r\n'));
    const finished = await Promise.all(partial.map((c) => c.response()));
    finished.forEach((a, i) => assert.equal(a.body.toString(), `/partial-${i} kept-${i}`));
  });

  it('pipelined requests left over from a read are answered as sent', async () => {
    const c = await client();
    const others = await Promise.all(Array.from({ length: 8 }, () => client()));
    c.sock.write(get('/pipe-1') + get('/pipe-2') + get('/pipe-3'));
    others.forEach((o, i) => o.sock.write(get(`/between-${i}`)));
    const got = [await c.response(), await c.response(), await c.response()].map((r) => r.body.toString());
    assert.deepEqual(got, ['/pipe-1 ', '/pipe-2 ', '/pipe-3 ']);
    await Promise.all(others.map((o) => o.response()));
  });

  it('body bytes read with their head reach a fresh upstream connection intact while other connections read', async () => {
    const posts = await Promise.all(Array.from({ length: 8 }, () => client()));
    const others = await Promise.all(Array.from({ length: 8 }, () => client()));
    const sent = posts.map((_, i) => Buffer.alloc(3000 + i, String.fromCharCode(97 + i)));
    // Eight at once: the pool has no idle connection for them, so each body waits for a connect.
    posts.forEach((c, i) => c.sock.write(Buffer.concat([Buffer.from(`POST /bodies HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${sent[i]!.length}\r\n\r\n`), sent[i]!])));
    others.forEach((o, i) => o.sock.write(get(`/over-${i}`, `X-Which: ${'z'.repeat(3000)}\r\n`)));
    const got = await Promise.all(posts.map((c) => c.response()));
    got.forEach((r, i) => assert.equal(r.body.toString(), `${sent[i]!.length} ${createHash('sha256').update(sent[i]!).digest('hex')}`));
    await Promise.all(others.map((o) => o.response()));
  });

  it('body bytes read after a held request went on reach a fresh upstream connection intact while other connections read', async () => {
    const posts = await Promise.all(Array.from({ length: 8 }, () => client()));
    const others = await Promise.all(Array.from({ length: 8 }, () => client()));
    const sent = posts.map((_, i) => Buffer.alloc(3000 + i, String.fromCharCode(65 + i)));
    // Heads alone, held by the delay (the gateway stops reading those connections meanwhile); their
    // bodies wait in the socket. The others' held requests come with a second request pipelined
    // behind, which waits too. The holds end on the same sweep, and the next reads of all of them
    // come in one turn: the bodies' first reads went into the listener's buffer (they were bound
    // for it before the bodies started), and the upstream connections are still connecting.
    posts.forEach((c, i) => c.sock.write(`POST /bodies HTTP/1.1\r\nHost: ${HELD}\r\nContent-Length: ${sent[i]!.length}\r\n\r\n`));
    others.forEach((o, i) => o.sock.write(get(`/held-${i}`, '', HELD)));
    posts.forEach((c, i) => c.sock.write(sent[i]!));
    others.forEach((o, i) => o.sock.write(get(`/after-${i}`, `X-Which: ${'y'.repeat(3000)}\r\n`, HELD)));
    const got = await Promise.all(posts.map((c) => c.response()));
    got.forEach((r, i) => assert.equal(r.body.toString(), `${sent[i]!.length} ${createHash('sha256').update(sent[i]!).digest('hex')}`));
    await Promise.all(others.flatMap((o) => [o.response(), o.response()]));
  });

  it('a large body read in many pieces arrives intact, next to small requests', async () => {
    const c = await client();
    const others = await Promise.all(Array.from({ length: 4 }, () => client()));
    const body = Buffer.alloc(8_000_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7919) & 0xff;
    c.sock.write(`POST /bodies/slow HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${body.length}\r\n\r\n`);
    for (let off = 0; off < body.length; off += 400_000) {
      c.sock.write(body.subarray(off, off + 400_000));
      others.forEach((o, i) => o.sock.write(get(`/beside-${i}`)));
      await Promise.all(others.map((o) => o.response()));
    }
    const r = await c.response();
    assert.equal(r.body.toString(), `${body.length} ${createHash('sha256').update(body).digest('hex')}`);
  });

  it('a WebSocket handed to node:http keeps getting its bytes', async () => {
    const sock = new WebSocket(`ws://${gw.addresses.http}/ws`, { headers: { host: HOST } });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no WebSocket echo within 10 s')), BOUND_MS);
        const big = Buffer.alloc(200_000, 7);
        let n = 0;
        sock.on('error', reject);
        sock.on('open', () => sock.send('hello'));
        sock.on('message', (m: Buffer) => {
          n++;
          if (n === 1) {
            assert.equal(m.toString(), 'hello');
            sock.send(big);
          } else {
            assert.ok(Buffer.from(m).equals(big), 'the large message came back intact');
            clearTimeout(timer);
            resolve();
          }
        });
      });
      // A closing handshake ends the tunnel: the gateway sees the client's FIN and closes its side.
      const local = (sock as unknown as { _socket: net.Socket })._socket.localPort!;
      const server = accepted.get(local)!;
      const closed = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the gateway kept the tunnel open for 10 s after the close')), BOUND_MS);
        server.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      sock.close();
      await closed;
    } finally {
      sock.terminate();
    }
  });
});
