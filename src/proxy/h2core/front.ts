// The HTTP/2 front end on Sluice's own core (src/net/h2/): one H2Connection per socket the plain
// (h2c prior knowledge) and TLS (ALPN h2) listeners hand over, the listener's limits as the
// core's settings, new streams routed once the read that opened them has been processed (so a
// stream the client reset in the same read never reaches an upstream: the "rapid reset" attack),
// and the connections kept for a graceful drain (the two-step GOAWAY, in-flight streams finish).
import type net from 'node:net';
import { H2Connection, type H2ServerOptions } from '../../net/h2/connection.ts';
import type { H2Stream } from '../../net/h2/stream.ts';
import type { H2Limits } from '../h2.ts';
import { type H2Peer, sniOf } from '../request-facts.ts';
import { type CoreStreamDeps, handleCoreStream } from './exchange.ts';

/**
 * Resets a client may make: a burst, refilled at a steady rate (a token bucket). Browsers cancel a
 * few streams on navigation and gRPC clients cancel calls; hundreds at once are the "rapid reset"
 * attack (CVE-2023-44487), which costs the client its connection (GOAWAY ENHANCE_YOUR_CALM).
 */
const RESET_BURST = 500;
const RESETS_PER_SECOND = 30;

/** The listener's limits as the core's options. */
function coreOptions(limits: H2Limits): H2ServerOptions {
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
  #queue: Array<H2Peer | H2Stream> = [];
  /** the drain's deadline (ms from when it began), once shutdown() was called */
  #draining: number | undefined = undefined;

  constructor(deps: CoreStreamDeps, limits: H2Limits) {
    this.#deps = deps;
    this.#options = coreOptions(limits);
  }

  /** Takes over a socket that speaks HTTP/2 (bytes a listener sniffed were pushed back with unshift). */
  readonly accept = (socket: net.Socket): void => {
    const peer: H2Peer = { address: socket.remoteAddress, sni: sniOf(socket) };
    socket.setNoDelay(true);
    const conn = new H2Connection(socket, this.#options, (stream) => this.#defer(peer, stream));
    this.#connections.add(conn);
    conn.onClose = () => this.#connections.delete(conn);
    // 'data' listeners make the socket flow: the pushed-back preface comes first.
    socket.resume();
    // Accepted by a listener as it closed (a TLS handshake that was under way): it drains too.
    if (this.#draining !== undefined) void conn.shutdown(this.#draining);
  };

  /**
   * Graceful shutdown of every connection (RFC 9113 6.8, the core's shutdown()): GOAWAY 2^31-1
   * and a PING, then, after its round trip, GOAWAY with the last stream processed. A stream the
   * client sent before it saw the first GOAWAY is served; later ones are refused (REFUSED_STREAM),
   * which a client may retry elsewhere. Connections still open at `deadlineMs` are destroyed.
   */
  shutdown(deadlineMs: number): void {
    this.#draining ??= deadlineMs;
    for (const c of this.#connections) void c.shutdown(deadlineMs);
  }

  /**
   * What a drain must still wait for besides the requests in flight: connections between their
   * two GOAWAYs (streams may still arrive) and streams read but not yet routed (counted in flight
   * once they are). Zero before shutdown().
   */
  get settling(): number {
    if (this.#draining === undefined) return 0;
    let n = this.#queue.length / 2;
    for (const c of this.#connections) if (!c.goingAway && !c.dead) n++;
    return n;
  }

  destroy(): void {
    for (const c of this.#connections) c.destroy();
    this.#connections.clear();
  }

  #defer(peer: H2Peer, stream: H2Stream): void {
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
        handleCoreStream(this.#deps, batch[i] as H2Peer, stream);
      } catch {
        // A bug must cost this stream, not the process.
        stream.reset();
      }
    }
  };
}
