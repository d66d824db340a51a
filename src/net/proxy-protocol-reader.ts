// Reads a PROXY protocol header off a new connection before anything else sees it, then hands the
// connection on with the bytes after the header pushed back (unshift) and the header's source as
// the socket's peer, so every front end (fast path, node:http, HTTP/2, WebSockets, TLS) and every
// reader of `remoteAddress` (logs, X-Forwarded-For, policies) takes it for the client.
import type net from 'node:net';
import { DEFAULT_MAX_HEADER_BYTES, isHeaderError, MORE, parseProxyHeader, type ProxySource } from './proxy-protocol.ts';

export interface ProxyReadOptions {
  /** ms to receive the whole header; a connection still short of it is closed */
  readonly timeoutMs: number;
  /** the largest v2 header accepted (v1 is 107 bytes at most) */
  readonly maxBytes?: number;
  /** a connection closed for want of a valid header, and why */
  readonly onRefused?: (why: string) => void;
}

/** Sockets whose peer a PROXY header gave; a TLS socket over one takes the same peer (adoptProxiedPeer). */
const proxied = new WeakSet<object>();

export function readProxyHeader(socket: net.Socket, options: ProxyReadOptions, next: (socket: net.Socket) => void): void {
  let seen: Buffer | undefined;
  const refuse = (why: string): void => {
    cleanup();
    options.onRefused?.(why);
    socket.destroy();
  };
  const timer = setTimeout(() => refuse('no complete PROXY protocol header in time'), options.timeoutMs);
  const onData = (chunk: Buffer): void => {
    seen = seen ? Buffer.concat([seen, chunk]) : chunk;
    const p = parseProxyHeader(seen, options.maxBytes ?? DEFAULT_MAX_HEADER_BYTES);
    if (p === MORE) return;
    if (isHeaderError(p)) return refuse(p.error);
    cleanup();
    socket.pause();
    if (p.source !== undefined) setPeer(socket, p.source);
    if (seen.length > p.length) socket.unshift(seen.subarray(p.length));
    next(socket);
  };
  const onEnd = (): void => refuse('connection ended before its PROXY protocol header');
  const onError = (): void => {
    cleanup();
    socket.destroy();
  };
  function cleanup(): void {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onError);
  }
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onError);
}

/**
 * Own properties shadow net.Socket's getters: what the header says is what every reader sees,
 * at no cost to connections without one.
 */
function setPeer(socket: net.Socket, source: ProxySource): void {
  Object.defineProperties(socket, {
    remoteAddress: { value: source.address, configurable: true },
    remotePort: { value: source.port, configurable: true },
    remoteFamily: { value: source.family, configurable: true },
  });
  proxied.add(socket);
}

/**
 * A TLS socket made over a proxied connection reads its peer from the TCP handle underneath, not
 * from the JavaScript socket that read the header: copy the header's peer onto it. `_parent` is
 * where node:tls keeps the socket it wraps (lib/_tls_wrap.js).
 */
export function adoptProxiedPeer(tlsSocket: net.Socket): void {
  const parent = (tlsSocket as net.Socket & { _parent?: net.Socket | null })._parent;
  if (parent == null || !proxied.has(parent)) return;
  setPeer(tlsSocket, { address: parent.remoteAddress!, port: parent.remotePort!, family: parent.remoteFamily as 'IPv4' | 'IPv6' });
}
