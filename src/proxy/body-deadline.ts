// The client body timeout of the node:http and HTTP/2 paths (the fast path keeps its own, in its
// per-connection tick): a request body the client leaves unfinished, sending nothing while
// Sluice is ready to read it, for longer than the timeout is cut (nginx's client_body_timeout).
// Time the body waits on the upstream (backpressure, a connect) never counts, and neither does
// anything once the body is complete: a slow upstream or a long response is never cut.
// One timer per data plane sweeps the watched bodies, so a request costs no timer of its own.

import type { IncomingMessage } from 'node:http';
import http2 from 'node:http2';

export interface BodyProbe {
  /** a count that grows whenever the client sends body bytes (bytes read, or chunks) */
  received(): number;
  /** true while the body is unfinished and its consumer is reading (not paused, not waiting to start) */
  waiting(): boolean;
  /** the client left the body idle too long: end the request (called once, then unwatched) */
  expire(): void;
}

interface Watched {
  seen: number;
  since: number;
}

export class BodyDeadlines {
  /** ms; 0: no timeout */
  readonly timeoutMs: number;
  readonly #watched = new Map<BodyProbe, Watched>();
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Starts watching a body; the returned function stops (call it when the body or the request ends). */
  watch(probe: BodyProbe): () => void {
    if (this.timeoutMs <= 0) return noop;
    this.#watched.set(probe, { seen: probe.received(), since: Date.now() });
    if (this.#timer === undefined) {
      // Checked often enough that a cut comes at most a quarter of the timeout late.
      this.#timer = setInterval(() => this.sweep(Date.now()), Math.max(100, Math.min(1000, Math.floor(this.timeoutMs / 4))));
      this.#timer.unref();
    }
    return () => this.#unwatch(probe);
  }

  get size(): number {
    return this.#watched.size;
  }

  sweep(now: number): void {
    for (const [probe, w] of [...this.#watched]) {
      const seen = probe.received();
      if (seen !== w.seen || !probe.waiting()) {
        // Bytes came, or the wait is not the client's: the clock starts again.
        w.seen = seen;
        w.since = now;
      } else if (now - w.since >= this.timeoutMs) {
        this.#unwatch(probe);
        probe.expire();
      }
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#watched.clear();
  }

  #unwatch(probe: BodyProbe): void {
    this.#watched.delete(probe);
    if (this.#watched.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

function noop(): void {}

/**
 * Watches a node:http request body until it ends: bytes read on the connection are the client's
 * progress, and Sluice waits on it while whoever reads the body (undici, a pipe) is flowing.
 */
export function watchH1Body(deadlines: BodyDeadlines, req: IncomingMessage, expire: () => void): void {
  if (req.complete) return;
  const unwatch = deadlines.watch({
    received: () => req.socket.bytesRead,
    waiting: () => !req.complete && req.readableFlowing === true,
    expire,
  });
  req.once('end', unwatch);
  req.once('close', unwatch);
}

/**
 * Watches an HTTP/2 request body (already piped to its consumer) until it ends: progress is
 * counted in DATA chunks; a cut resets the stream (CANCEL), which also cancels the upstream side.
 */
export function watchH2Body(deadlines: BodyDeadlines, stream: http2.ServerHttp2Stream): void {
  if (deadlines.timeoutMs <= 0 || stream.readableEnded) return;
  let chunks = 0;
  const count = (): void => void chunks++;
  // The pipe already made the stream flow (or paused it): one more listener only counts.
  stream.on('data', count);
  const unwatch = deadlines.watch({
    received: () => chunks,
    waiting: () => !stream.readableEnded && !stream.destroyed && stream.readableFlowing === true,
    expire: () => {
      stream.off('data', count);
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
    },
  });
  stream.once('end', unwatch);
  stream.once('close', unwatch);
}
