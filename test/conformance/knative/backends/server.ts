// The server every Knative test image runs (knative.dev/pkg/network.NewServer: Go's net/http behind
// h2c.NewHandler), so HTTP/1.1 and HTTP/2 cleartext with prior knowledge share one port, wrapped in
// knative.dev/networking/pkg/http/probe.NewHandler. Listens on 127.0.0.1:0.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';

export type BackendRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type BackendResponse = http.ServerResponse | http2.Http2ServerResponse;
export type Handler = (req: BackendRequest, res: BackendResponse) => void;
/** HTTP/1.1 Upgrade requests (the wsserver image); without one, upgrades go to the handler. */
export type UpgradeHandler = (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => void;

export interface Backend {
  readonly port: number;
  close(): Promise<void>;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

export const HASH_KEY = 'k-network-hash';
export const PROBE_KEY = 'k-network-probe';

/**
 * probe.NewHandler: `K-Network-Probe: probe` is answered here (400 without a non-empty
 * K-Network-Hash, else 200 echoing it); any other request loses its K-Network-Hash and goes on.
 */
export function withProbe(next: Handler): Handler {
  return (req, res) => {
    if (header(req, PROBE_KEY) !== 'probe') {
      delete req.headers[HASH_KEY];
      next(req, res);
      return;
    }
    const hh = header(req, HASH_KEY);
    if (!hh) {
      goError(res, `a probe request must contain a non-empty "K-Network-Hash" header`, 400);
      return;
    }
    res.setHeader('K-Network-Hash', hh);
    res.writeHead(200);
    res.end();
  };
}

/** Go's Header.Get: the first value, or "". */
export function header(req: BackendRequest, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** Go's http.Error: text/plain, nosniff, the message and a newline. */
export function goError(res: BackendResponse, msg: string, code: number): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.writeHead(code);
  res.end(msg + '\n');
}

export async function startBackend(handler: Handler, onUpgrade?: UpgradeHandler): Promise<Backend> {
  const entry = withProbe(handler);
  const h1 = http.createServer(entry);
  if (onUpgrade) h1.on('upgrade', onUpgrade);
  const h2 = http2.createServer(entry);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  h2.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  // The connection's first bytes decide, as h2c.NewHandler does with the client preface.
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let seen = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      seen = Buffer.concat([seen, d]);
      const n = Math.min(seen.length, PREFACE.length);
      const h2c = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (h2c && n < PREFACE.length) return;
      socket.off('data', onData);
      socket.pause();
      socket.unshift(seen);
      // node:http2 drains the pushed-back bytes itself; node:http gets them by 'data' once flowing.
      if (h2c) h2.emit('connection', socket);
      else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
  return {
    port: (front.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      h1.closeAllConnections();
      await new Promise<void>((r) => front.close(() => r()));
    },
  };
}

/** Writes a chunk on either protocol's response (the union's write signatures do not unify). */
export function send(res: BackendResponse, chunk: Buffer | string): void {
  (res as NodeJS.WritableStream).write(chunk);
}

/** Sends the response head now (HTTP/2's writeHead already does). */
export function flushHead(res: BackendResponse): void {
  if (res instanceof http.ServerResponse) res.flushHeaders();
}
