// Listener sockets with the limits every production listener needs: header size and count,
// a deadline for receiving request heads (slowloris), an idle keep-alive timeout, and 400s for
// malformed requests that affect only their own connection.
import http from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { SluiceError } from '../errors.ts';
import { type HostPort, formatAddress } from '../net/address.ts';
import type { ListenerKind } from '../snapshot/types.ts';

/** What every front end of one listener knows about it. */
export interface ListenerContext {
  /** listener name for metrics and logs: `http`, `https`, `local`, or a Gateway API port's name */
  readonly name: string;
  readonly kind: ListenerKind;
  readonly secure: boolean;
  /** normalise request paths before routing (default true; `--no-normalize-path` turns it off) */
  readonly normalizePath?: boolean;
}

export interface ListenerLimits {
  /** bytes of request head (request line + headers) */
  readonly maxHeaderSize: number;
  readonly maxHeadersCount: number;
  /** ms to receive a complete request head */
  readonly headersTimeout: number;
  /** ms an idle keep-alive connection is kept */
  readonly idleTimeout: number;
  /**
   * ms a client may leave a request body unfinished without sending a byte while Sluice waits
   * for it (0: no limit); never counts time spent waiting on the upstream
   */
  readonly bodyTimeout: number;
  /**
   * ms a client may leave a response unread (Sluice's writes to it backed up, nothing taken) (0: no
   * limit); never counts time spent waiting on the upstream
   */
  readonly sendTimeout: number;
}

export const defaultLimits: ListenerLimits = {
  maxHeaderSize: 64 * 1024,
  maxHeadersCount: 200,
  headersTimeout: 20_000,
  idleTimeout: 60_000,
  bodyTimeout: 60_000,
  sendTimeout: 60_000,
};

export function createHttpServer(limits: ListenerLimits, handler: http.RequestListener): http.Server {
  const onRequest: http.RequestListener = (req, res) => {
    // Node drops headers past maxHeadersCount silently; a gateway must refuse instead, or a
    // security header could vanish between client and upstream.
    if (req.rawHeaders.length > 2 * limits.maxHeadersCount) {
      res.shouldKeepAlive = false;
      res.writeHead(431, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end('too many request headers\n');
      return;
    }
    handler(req, res);
  };
  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderSize,
    headersTimeout: limits.headersTimeout,
    // No whole-request deadline: a long upload or a long-lived stream is not a slow client.
    requestTimeout: 0,
    keepAliveTimeout: limits.idleTimeout,
    // Check head deadlines often enough that the timeout is what the flag says.
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeout / 4))),
    noDelay: true,
  }, onRequest);
  // `Expect: 100-continue` comes here instead of 'request': the handler sends the 100 once it has a
  // route (expectContinue in h1.ts), so a request that gets 404 or 503 never has its body sent.
  server.on('checkContinue', onRequest);
  server.maxHeadersCount = limits.maxHeadersCount + 1;
  server.on('clientError', (err, socket) => answerClientError(err as Error & { code?: string }, socket as Socket));
  return server;
}

/** Malformed or oversized requests get a status line and a close, never a crash. */
export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  // A response already under way (a client FIN inside its request body, say): a status line now
  // would land inside that response's body. Node's own default handler checks the same field.
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || current?.headersSent === true) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  socket.destroySoon?.();
}

/** Binds a server; a bind failure becomes one clear SluiceError naming the flag and address. */
export function listen(server: NetServer, addr: HostPort, flag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error & { code?: string }) => {
      const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EADDRNOTAVAIL' ? 'address not available on this machine' : err.message;
      reject(new SluiceError('SLUICE_ERR_LISTEN', `${flag}: cannot listen on ${formatAddress({ address: addr.host, port: addr.port })}: ${why}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(addr.port, addr.host, () => {
      server.off('error', onError);
      resolve(formatAddress(server.address() as AddressInfo));
    });
  });
}

/** Stops accepting, lets in-flight requests finish until the deadline, then cuts the rest. */
export async function closeGracefully(servers: readonly http.Server[], inflight: () => number, deadlineMs: number): Promise<void> {
  const closed = servers.map((s) => new Promise<void>((r) => s.close(() => r())));
  for (const s of servers) s.closeIdleConnections();
  const until = Date.now() + deadlineMs;
  while (inflight() > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    for (const s of servers) s.closeIdleConnections();
  }
  for (const s of servers) s.closeAllConnections();
  await Promise.all(closed);
}
