// The raw-socket HTTP/1.1 fast path as a connection handler and as a listener.
// node:http stays the full implementation: the fast path hands it every connection it does not
// handle itself (see FastConnection), so the fallback server never listens on its own.
import type http from 'node:http';
import net from 'node:net';
import type { DataPlane } from '../dataplane.ts';
import type { ListenerContext } from '../h1.ts';
import { closeGracefully, type ListenerLimits } from '../listeners.ts';
import { FastConnection } from './connection.ts';
import type { FastShared } from './shared.ts';
import { FastUpstreams } from './upstream-pool.ts';

export interface FastH1Handler {
  (socket: net.Socket): void;
  /** shutdown: idle connections close now, busy ones after their current response */
  drain(): void;
  /** closes every fast-path connection, stops the timers and the upstream sockets */
  destroy(): void;
  /** open fast-path connections (handed-off ones are node:http's) */
  readonly connections: number;
}

export function createFastH1Handler(dp: DataPlane, ctx: ListenerContext, limits: ListenerLimits, fallback: http.Server): FastH1Handler {
  const shared: FastShared = {
    dp,
    ctx,
    limits,
    fallback,
    upstreams: new FastUpstreams(),
    conns: new Set(),
    draining: false,
  };
  // node:http tracks its connections (head deadlines, closeIdleConnections) from 'listening' on;
  // the fallback never listens, so start that tracking here.
  if (!fallback.listening) fallback.emit('listening');
  // One timer per listener checks every connection's head deadline and idle timeout.
  const every = Math.max(100, Math.min(1000, Math.floor(limits.headersTimeout / 4)));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const c of shared.conns) c.tick(now);
  }, every);
  timer.unref();

  const handler = (socket: net.Socket): void => {
    if (shared.draining) {
      socket.destroy();
      return;
    }
    shared.conns.add(new FastConnection(socket, shared));
  };
  return Object.assign(handler, {
    drain(): void {
      shared.draining = true;
      for (const c of [...shared.conns]) c.closeIfIdle();
    },
    destroy(): void {
      shared.draining = true;
      clearInterval(timer);
      for (const c of [...shared.conns]) c.socket.destroy();
      shared.upstreams.close();
    },
    get connections(): number {
      return shared.conns.size;
    },
  });
}

/** A plain listener whose connections go to the fast path, with `fallback` behind it. */
export class FastServer extends net.Server {
  readonly handler: FastH1Handler;
  readonly fallback: http.Server;

  constructor(dp: DataPlane, ctx: ListenerContext, limits: ListenerLimits, fallback: http.Server) {
    // Same socket options as node:http's own listener (it relies on half-open sockets).
    super({ noDelay: true, allowHalfOpen: true });
    this.fallback = fallback;
    this.handler = createFastH1Handler(dp, ctx, limits, fallback);
    this.on('connection', this.handler);
  }

  /** Stops accepting, lets in-flight requests (both paths) finish until the deadline, then cuts the rest. */
  async closeGracefully(inflight: () => number, deadlineMs: number): Promise<void> {
    const closed = new Promise<void>((r) => this.close(() => r()));
    this.handler.drain();
    const until = Date.now() + deadlineMs;
    await closeGracefully([this.fallback], inflight, deadlineMs);
    while (inflight() > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 25));
      this.handler.drain();
    }
    this.handler.destroy();
    await closed;
  }
}
