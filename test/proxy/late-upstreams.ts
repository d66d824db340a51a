// Upstreams that act late: each request is answered (or its connection or stream cut) a fixed
// time after it arrives, so a test can have the client misbehave in between. They count what
// they accepted and tell when every late action has been taken.
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface LateUpstream {
  readonly port: number;
  /** TCP connections (HTTP/1.1) or sessions (h2c) accepted so far */
  connections: number;
  /** requests (streams) received so far */
  requests: number;
  /** resolves once every request received so far has had its late answer or cut (bounded) */
  settled(boundMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** What to do with a request once `lateMs` has passed: a path containing `/close` is cut, anything else answered 200. */
function cuts(path: string | undefined): boolean {
  return path?.includes('/close') ?? false;
}

class Pending {
  #open = 0;
  #waiters: Array<() => void> = [];

  add(): void {
    this.#open++;
  }

  done(): void {
    this.#open--;
    if (this.#open === 0) for (const w of this.#waiters.splice(0)) w();
  }

  settled(boundMs: number): Promise<void> {
    if (this.#open === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.#open} late upstream actions still pending after ${boundMs} ms`)), boundMs);
      this.#waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** An HTTP/1.1 upstream; a `/quick` path is answered at once. */
export async function startLateH1(lateMs: number): Promise<LateUpstream> {
  const pending = new Pending();
  const server = http.createServer((req, res) => {
    up.requests++;
    req.resume();
    if (req.url?.includes('/quick')) {
      req.on('end', () => res.end('quick'));
      return;
    }
    pending.add();
    setTimeout(() => {
      if (cuts(req.url)) req.socket.destroy();
      else if (!res.destroyed) res.end('late');
      pending.done();
    }, lateMs);
  });
  server.on('connection', () => up.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const up: LateUpstream = {
    port: (server.address() as AddressInfo).port,
    connections: 0,
    requests: 0,
    settled: (boundMs = 10_000) => pending.settled(boundMs),
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  return up;
}

/** An h2c upstream: late streams are answered 200 or reset (INTERNAL_ERROR); `/quick` at once. */
export async function startLateH2c(lateMs: number): Promise<LateUpstream> {
  const pending = new Pending();
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    up.connections++;
    sessions.add(s);
    s.on('error', () => {});
    s.once('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    up.requests++;
    stream.on('error', () => {});
    stream.resume();
    const path = headers[':path'];
    if (path?.includes('/quick')) {
      stream.on('end', () => {
        if (!stream.destroyed) stream.respond({ ':status': 200 }, { endStream: true });
      });
      return;
    }
    pending.add();
    setTimeout(() => {
      if (!stream.destroyed && !stream.closed) {
        if (cuts(path)) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        else {
          stream.respond({ ':status': 200 });
          stream.end('late');
        }
      }
      pending.done();
    }, lateMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const up: LateUpstream = {
    port: (server.address() as AddressInfo).port,
    connections: 0,
    requests: 0,
    settled: (boundMs = 10_000) => pending.settled(boundMs),
    close: () => new Promise<void>((r) => {
      for (const s of sessions) s.destroy();
      server.close(() => r());
    }),
  };
  return up;
}
