// A twin of the Gateway API conformance suite's `echo-basic` image (conformance/echo-basic): every
// request is answered with a JSON description of itself (path, host, method, proto, headers,
// namespace, ingress, service, pod), so a test sees exactly what reached the backend. Like the
// image it also serves `/status/NNN` (that status, no body), `/health`, `/ws` (a WebSocket echo),
// `/retry/?uuid=..&succeedAfter=N[&responseCode=C]`, a `delay` query parameter, and sets the
// response headers listed in `X-Echo-Set-Header` ("Name:value,Name2:value2"). HTTP/1.1 and
// HTTP/2 cleartext with prior knowledge share one port on 127.0.0.1, as the image's h2c port does.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { WebSocketServer } from 'ws';

export interface EchoIdentity {
  readonly namespace: string;
  readonly pod: string;
  readonly ingress?: string;
  readonly service?: string;
}

/** What the image answers with (RequestAssertions). */
export interface EchoAssertions {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  httpPort: string;
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
}

export interface EchoBackend {
  readonly port: number;
  readonly identity: EchoIdentity;
  /** requests seen so far (the suite reads mirrored requests from the pod's log) */
  readonly seen: readonly EchoAssertions[];
  close(): Promise<void>;
}

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Go's textproto.CanonicalMIMEHeaderKey: `x-foo-bar` -> `X-Foo-Bar`. */
export function canonicalHeaderKey(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/** The request's headers as Go's http.Header holds them: canonical keys, one entry per field, no pseudo-headers or Host. */
function goHeaders(req: Req): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.startsWith(':') || name.toLowerCase() === 'host') continue;
    const key = canonicalHeaderKey(name);
    (out[key] ??= []).push(raw[i + 1]!);
  }
  return out;
}

/** Go's time.ParseDuration for the forms the suite sends (`1s`, `500ms`, `1.5s`); undefined when absent or bad. */
function parseGoDuration(s: string | null): number | undefined {
  if (!s) return undefined;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * unit[m[2]!]!;
    end = re.lastIndex;
  }
  return end === s.length && end > 0 ? total : undefined;
}

function writeEchoResponseHeaders(res: Res, headers: Record<string, string[]>): Record<string, string> {
  const set: Record<string, string> = {};
  for (const list of headers['X-Echo-Set-Header'] ?? []) {
    for (const kv of list.split(',')) {
      const t = kv.trim();
      const colon = t.indexOf(':');
      const name = colon < 0 ? t : t.slice(0, colon);
      const value = colon < 0 ? '' : t.slice(colon + 1);
      if (!name) continue;
      set[name] = set[name] === undefined ? value : `${set[name]},${value.trim()}`;
    }
  }
  for (const [k, v] of Object.entries(set)) res.setHeader(k, v);
  return set;
}

function plain(res: Res, code: number, body: string): void {
  res.writeHead(code);
  res.end(body);
}

function jsonError(res: Res, message: string, code: number): void {
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.writeHead(code);
  res.end(JSON.stringify({ message }));
}

/** Starts an echo backend on 127.0.0.1:0 answering as the pod `identity.pod` of `identity.namespace`. */
export async function startEchoBackend(identity: EchoIdentity): Promise<EchoBackend> {
  const seen: EchoAssertions[] = [];
  const attempts = new Map<string, number>();
  let port = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const echo = (req: Req, res: Res, url: URL): void => {
    const run = (): void => {
      const headers = goHeaders(req);
      const a: EchoAssertions = {
        path: req.url ?? '',
        host: (req.headers[':authority'] as string | undefined) ?? req.headers.host ?? '',
        method: req.method ?? '',
        proto: req.httpVersionMajor === 2 ? 'HTTP/2.0' : `HTTP/${req.httpVersion}`,
        headers,
        httpPort: String(port),
        namespace: identity.namespace,
        ingress: identity.ingress ?? '',
        service: identity.service ?? '',
        pod: identity.pod,
      };
      seen.push(a);
      writeEchoResponseHeaders(res, headers);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end(JSON.stringify(a, null, ' '));
    };
    const delay = url.searchParams.get('delay');
    if (delay === null) return run();
    const ms = parseGoDuration(delay);
    if (ms === undefined) return jsonError(res, `time: invalid duration "${delay}"`, 500);
    later(ms, run);
  };

  const handler = (req: Req, res: Res): void => {
    req.on('error', () => {});
    res.on('error', () => {});
    // The image's preserveSlashes: `//` -> `/` before its mux picks a handler (RequestURI is echoed as sent).
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://echo');
    } catch {
      return jsonError(res, 'bad request target', 400);
    }
    const path = url.pathname.replaceAll('//', '/');
    req.resume();
    if (path === '/health') {
      res.writeHead(200);
      res.end('OK');
      return;
    }
    if (path.startsWith('/status/')) {
      const m = /^\/status\/(\d\d\d)$/.exec(req.url ?? '');
      res.writeHead(m ? Number(m[1]) : 400);
      res.end();
      return;
    }
    if (path.startsWith('/retry/')) {
      const uuid = url.searchParams.get('uuid');
      if (!uuid) return plain(res, 400, 'uuid is required');
      const succeedAfter = Number.parseInt(url.searchParams.get('succeedAfter') ?? '', 10);
      if (Number.isNaN(succeedAfter)) return plain(res, 400, 'succeedAfter is required');
      const n = attempts.get(uuid) ?? 0;
      if (n < succeedAfter) {
        attempts.set(uuid, n + 1);
        const code = Number.parseInt(url.searchParams.get('responseCode') ?? '', 10);
        const fail = (): void => {
          if (!Number.isNaN(code)) {
            res.writeHead(code);
            res.end();
          } else if (req instanceof http.IncomingMessage) {
            // SetLinger(0) + Close: the connection is reset.
            req.socket.resetAndDestroy();
          } else {
            req.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
          }
        };
        const d = url.searchParams.get('delayRetry');
        const ms = parseGoDuration(d);
        if (d !== null && ms === undefined) return jsonError(res, `time: invalid duration "${d}"`, 500);
        if (ms) later(ms, fail);
        else fail();
        return;
      }
    }
    echo(req, res, url);
  };

  const h1 = http.createServer(handler);
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => {
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  h1.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if ((req.url ?? '').split('?')[0] !== '/ws') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const h2 = http2.createServer(handler);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  h2.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => s.destroy());
  });
  // The connection's first bytes choose HTTP/2 (the client preface) or HTTP/1.1.
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const n = Math.min(buf.length, PREFACE.length);
      const isH2 = buf.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (isH2 && n < PREFACE.length) return;
      socket.off('data', onData);
      socket.pause();
      socket.unshift(buf);
      if (isH2) h2.emit('connection', socket);
      else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()));
  port = (front.address() as net.AddressInfo).port;
  return {
    port,
    identity,
    seen,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const c of wss.clients) c.terminate();
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      h1.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
