// The plain (cleartext) listeners, --http and --local: one TCP server whose connections are
// sniffed by their first bytes. The HTTP/2 connection preface (prior knowledge, RFC 9113 3.3)
// goes to the HTTP/2 front end; anything else to the HTTP/1.1 handler. The HTTP/1.1 branch is one
// function (`Http1Dispatch`) so a faster HTTP/1.1 implementation can take its place.
import net from 'node:net';
import type http from 'node:http';
import { type ProxyReadOptions, readProxyHeader } from '../net/proxy-protocol-reader.ts';

export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Takes over a connection whose first bytes were pushed back onto it with `unshift`. */
export type Http1Dispatch = (socket: net.Socket) => void;

/** The node:http dispatch: the server parses the connection as if it had accepted it. */
export function nodeHttp1Dispatch(server: http.Server): Http1Dispatch {
  return (socket) => {
    server.emit('connection', socket);
    // node:http reads the socket handle directly; the pushed-back bytes arrive by 'data' once
    // flowing again, before any new bytes from the network.
    socket.resume();
  };
}

export type Sniffed = 'h2' | 'h1' | 'more';

/** What a connection speaks, from the bytes seen so far. */
export function sniff(bytes: Buffer): Sniffed {
  const n = Math.min(bytes.length, H2_PREFACE.length);
  if (bytes.compare(H2_PREFACE, 0, n, 0, n) !== 0) return 'h1';
  return n === H2_PREFACE.length ? 'h2' : 'more';
}

export interface PlainListenerOptions {
  readonly http1: Http1Dispatch;
  readonly h2: (socket: net.Socket) => void;
  /** ms to receive the first bytes (a connection that sends nothing is closed) */
  readonly firstBytesTimeout: number;
  /** asked per connection: read a PROXY protocol header first (undefined: none expected) */
  readonly proxyProtocol?: () => ProxyReadOptions | undefined;
}

export function createPlainListener(options: PlainListenerOptions): net.Server {
  // allowHalfOpen as node:http has it: a client's FIN does not end the response being written.
  return net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: false }, (socket) => {
    const proxy = options.proxyProtocol?.();
    if (proxy === undefined) sniffConnection(socket, options);
    else readProxyHeader(socket, proxy, (s) => sniffConnection(s, options));
  });
}

function sniffConnection(socket: net.Socket, options: PlainListenerOptions): void {
  let seen: Buffer | undefined;
  const timer = setTimeout(() => socket.destroy(), options.firstBytesTimeout);
  const onError = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    seen = seen ? Buffer.concat([seen, chunk]) : chunk;
    const verdict = sniff(seen);
    if (verdict === 'more') return;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('end', onEnd);
    socket.pause();
    socket.unshift(seen);
    if (verdict === 'h2') options.h2(socket);
    else options.http1(socket);
  };
  const onEnd = (): void => {
    clearTimeout(timer);
    socket.destroy();
  };
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('end', onEnd);
  // After a PROXY header the socket comes paused, with what followed the header pushed back.
  socket.resume();
}
