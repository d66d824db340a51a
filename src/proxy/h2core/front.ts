// The HTTP/2 front end on Sluice's own core (src/net/h2/): one H2Connection per socket the plain
// (h2c prior knowledge) and TLS (ALPN h2) listeners hand over, the listener's limits as the
// core's settings, new streams routed once the read that opened them has been processed (so a
// stream the client reset in the same read never reaches an upstream: the "rapid reset" attack),
// and the connections kept for a graceful drain (GOAWAY, in-flight streams finish).
import type net from 'node:net';
import { H2Connection, type H2ServerOptions } from '../../net/h2/connection.ts';
import type { H2Stream } from '../../net/h2/stream.ts';
import type { H2Limits } from '../h2.ts';
import { RESET_BURST, RESETS_PER_SECOND } from '../h2-session-guard.ts';
import { sniOf } from '../request-facts.ts';
import { type CorePeer, type CoreStreamDeps, handleCoreStream } from './exchange.ts';

/** The listener's limits as the core's options. */
export function coreOptions(limits: H2Limits): H2ServerOptions {
  return {
    maxConcurrentStreams: limits.maxConcurrentStreams,
    maxHeaderListSize: limits.maxHeaderSize,
    idleTimeoutMs: limits.idleTimeout,
    // A connection quiet for the idle timeout with streams still open (a long gRPC call, a slow
    // upstream) must show it is alive: a PING, and it is dropped unless the ACK comes back in time.
    // With no stream open the idle timeout closes it (PINGs do not count as activity).
    ...(limits.idleTimeout > 0 ? { keepAlive: { intervalMs: limits.idleTimeout, timeoutMs: Math.min(limits.idleTimeout, 10_000) } } : {}),
    rapidReset: { burst: RESET_BURST, perSecond: RESETS_PER_SECOND },
  };
}

export class CoreH2Front {
  readonly #deps: CoreStreamDeps;
  readonly #options: H2ServerOptions;
  readonly #connections = new Set<H2Connection>();
  /** Flat: peer, stream, ... for the streams opened in this turn of the event loop. */
  #queue: Array<CorePeer | H2Stream> = [];

  constructor(deps: CoreStreamDeps, limits: H2Limits) {
    this.#deps = deps;
    this.#options = coreOptions(limits);
  }

  /** Takes over a socket that speaks HTTP/2 (bytes a listener sniffed were pushed back with unshift). */
  readonly accept = (socket: net.Socket): void => {
    const peer: CorePeer = { socket, address: socket.remoteAddress, sni: sniOf(socket) };
    socket.setNoDelay(true);
    const conn = new H2Connection(socket, this.#options, (stream) => this.#defer(peer, stream));
    this.#connections.add(conn);
    conn.onClose = () => this.#connections.delete(conn);
    // 'data' listeners make the socket flow: the pushed-back preface comes first.
    socket.resume();
  };

  /** Open connections, for tests and the drain. */
  get connections(): number {
    return this.#connections.size;
  }

  /** GOAWAY to every client: open streams finish, no new ones start. */
  close(): void {
    for (const c of this.#connections) c.close();
  }

  destroy(): void {
    for (const c of this.#connections) c.destroy();
    this.#connections.clear();
  }

  #defer(peer: CorePeer, stream: H2Stream): void {
    if (this.#queue.length === 0) setImmediate(this.#flush);
    this.#queue.push(peer, stream);
  }

  readonly #flush = (): void => {
    const batch = this.#queue;
    this.#queue = [];
    for (let i = 0; i < batch.length; i += 2) {
      const stream = batch[i + 1] as H2Stream;
      if (stream.closed) continue;
      try {
        handleCoreStream(this.#deps, batch[i] as CorePeer, stream);
      } catch {
        // A bug must cost this stream, not the process.
        stream.reset();
      }
    }
  };
}
