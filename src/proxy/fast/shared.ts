// State one fast listener shares across its connections.
import type http from 'node:http';
import type { DataPlane } from '../dataplane.ts';
import type { ListenerContext } from '../listeners.ts';
import type { ListenerLimits } from '../listeners.ts';
import type { FastConnection } from './connection.ts';
import type { HeadBuffer } from './head-buffer.ts';
import type { FastUpstreams } from './upstream-pool.ts';

export interface FastShared {
  readonly dp: DataPlane;
  readonly ctx: ListenerContext;
  readonly limits: ListenerLimits;
  /** node:http server (not listening) that takes the requests the fast path hands off */
  readonly fallback: http.Server;
  readonly upstreams: FastUpstreams;
  readonly conns: Set<FastConnection>;
  /**
   * what every connection of the listener reads into between request bodies (client-reads.ts):
   * its bytes are good until the next read of any connection, so what outlives a read is copied
   */
  readonly readBuffer: Buffer;
  /** what the listener's heads are built in and written from (head-buffer.ts) */
  readonly heads: HeadBuffer;
  /** set on shutdown: finish what is in flight, then close each connection */
  draining: boolean;
}
