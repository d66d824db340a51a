// The raw-socket HTTP/1.1 fast path as a connection handler (the plain listener's HTTP/1.1 branch).
// node:http stays the full implementation: the fast path hands it every connection it does not
// handle itself (see FastConnection). `fallback` never listens; its owner must have started its
// connection tracking (Frontend emits 'listening' on it).
import type http from 'node:http';
import type net from 'node:net';
import type { DataPlane } from '../dataplane.ts';
import type { ListenerContext } from '../listeners.ts';
import type { ListenerLimits } from '../listeners.ts';
import { FastConnection } from './connection.ts';
import { HeadBuffer } from './head-buffer.ts';
import type { FastShared } from './shared.ts';
import { READ_BUFFER_BYTES } from './upstream-pool.ts';

export interface FastH1Handler {
  (socket: net.Socket): void;
  /** shutdown: idle connections close now, busy ones after their current response */
  drain(): void;
  /** closes every fast-path connection and stops the timer (the upstream pool is the DataPlane's) */
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
    upstreams: dp.fast,
    conns: new Set(),
    readBuffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    heads: new HeadBuffer(),
    draining: false,
  };
  // One timer per listener checks every connection's head deadline, idle, body and send timeouts.
  const shortest = Math.min(limits.headersTimeout, ...[limits.bodyTimeout, limits.sendTimeout].filter((t) => t > 0));
  const every = Math.max(100, Math.min(1000, Math.floor(shortest / 4)));
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
    },
    get connections(): number {
      return shared.conns.size;
    },
  });
}
