// HTTP/2 test helpers: an h2c echo upstream and a bounded request on a client session.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface H2Echo {
  name: string;
  method: string;
  path: string;
  httpVersion: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
}

export interface H2Upstream {
  readonly server: http2.Http2Server;
  readonly port: number;
  /** sessions (connections) the upstream has accepted */
  sessions: number;
  close(): Promise<void>;
  /** sends GOAWAY on every open session */
  goawayAll(): void;
}

/** An h2c (prior knowledge) upstream answering with JSON describing the request. */
export async function startH2Upstream(name: string): Promise<H2Upstream> {
  const server = http2.createServer();
  const open = new Set<http2.ServerHttp2Session>();
  const up: H2Upstream = {
    server,
    port: 0,
    sessions: 0,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
    goawayAll: () => {
      for (const s of open) s.close();
    },
  };
  server.on('session', (s) => {
    up.sessions++;
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    let bytes = 0;
    stream.on('data', (d: Buffer) => (bytes += d.length));
    stream.on('end', () => {
      const reply: H2Echo = { name, method: String(headers[':method']), path: String(headers[':path']), httpVersion: '2.0', headers: { ...headers }, bodyBytes: bytes };
      const body = JSON.stringify(reply);
      if (stream.destroyed) return;
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-upstream': name }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-trailer': name }));
      stream.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  (up as { port: number }).port = (server.address() as AddressInfo).port;
  return up;
}

export interface H2Reply {
  status: number;
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders | undefined;
  body: string;
}

/** One request on a session, bounded in time. */
export function h2Request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer | string, timeoutMs = 15_000): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined });
    const timer = setTimeout(() => {
      req.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error(`h2 request ${String(headers[':path'])} timed out`));
    }, timeoutMs);
    let respHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    req.on('response', (h) => (respHeaders = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      clearTimeout(timer);
      resolve({ status: Number(respHeaders[':status']), headers: respHeaders, trailers, body: Buffer.concat(chunks).toString() });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (body !== undefined) req.end(body);
  });
}

export function connectH2(addr: string): http2.ClientHttp2Session {
  const s = http2.connect(`http://${addr}`);
  s.on('error', () => {});
  return s;
}
