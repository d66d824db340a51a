// The client timeouts of the node:http and HTTP/2 paths (the fast path keeps its own, in its
// per-connection tick), for clients that stall a transfer Sluice waits on:
// - body: a request body the client leaves unfinished, sending nothing while Sluice is ready to
//   read it (nginx's client_body_timeout). Time the body waits on the upstream (backpressure, a
//   connect) never counts, nor does anything once the body is complete, nor anything once the
//   response has started: a bidirectional stream (gRPC, a streamed upload answered as it goes)
//   may leave its request side quiet while the response flows.
// - send: a response the client does not read, so that Sluice's writes to it stay backed up
//   (nginx's send_timeout). A response that is slow to come from the upstream never counts.
// So a slow upstream or a long response or stream is never cut. One timer per kind and data plane
// sweeps what is watched, so a request costs no timer of its own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CANCEL } from '../net/h2/frames.ts';
import { reset } from './h2-stream-guard.ts';
import type { CoreHttp2Stream } from './h2core/compat-stream.ts';

export interface ClientProbe {
  /** a value that changes whenever the client makes progress (bytes read, chunks, bytes still to send) */
  received(): number;
  /** true while Sluice waits on the client (and on nothing else) */
  waiting(): boolean;
  /** the client left the transfer idle too long: end it (called once, then unwatched) */
  expire(): void;
}

/** How long a watched value has stood still while Sluice waited on the client (both timeouts, all paths). */
export class StallClock {
  #seen = 0;
  /** ms when the value last moved or the wait began (0: not started) */
  #since = 0;

  /** Starts over (a new exchange). */
  reset(): void {
    this.#since = 0;
  }

  /** True once `value` has not changed for `limit` ms, all of them spent `waiting` on the client. */
  stalled(now: number, value: number, waiting: boolean, limit: number): boolean {
    if (this.#since === 0 || !waiting || value !== this.#seen) {
      // The client moved, or the wait is not the client's: the clock starts again.
      this.#seen = value;
      this.#since = now;
      return false;
    }
    return now - this.#since >= limit;
  }
}

/** A send backlog's progress as one number: each drain, and each change in the bytes still queued. */
export function sendProgress(drains: number, queued: number): number {
  // distinct for every (drains, queued) pair that can occur: the queue is far below 2^32 bytes
  return drains * 2 ** 32 + queued;
}

export class ClientDeadlines {
  /** ms; 0: no timeout */
  readonly timeoutMs: number;
  readonly #watched = new Map<ClientProbe, StallClock>();
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Starts watching a transfer; the returned function stops (call it when the transfer ends). */
  watch(probe: ClientProbe): () => void {
    if (this.timeoutMs <= 0) return noop;
    const clock = new StallClock();
    clock.stalled(Date.now(), probe.received(), true, this.timeoutMs);
    this.#watched.set(probe, clock);
    if (this.#timer === undefined) {
      // Checked often enough that a cut comes at most a quarter of the timeout late.
      this.#timer = setInterval(() => this.sweep(Date.now()), Math.max(100, Math.min(1000, Math.floor(this.timeoutMs / 4))));
      this.#timer.unref();
    }
    return () => this.#unwatch(probe);
  }

  sweep(now: number): void {
    for (const [probe, clock] of [...this.#watched]) {
      if (clock.stalled(now, probe.received(), probe.waiting(), this.timeoutMs)) {
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

  #unwatch(probe: ClientProbe): void {
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
 * progress, and Sluice waits on it while whoever reads the body (undici, a pipe) is flowing and
 * no response has started.
 */
export function watchH1Body(deadlines: ClientDeadlines, req: IncomingMessage, res: ServerResponse, expire: () => void): void {
  if (req.complete) return;
  const unwatch = deadlines.watch({
    received: () => req.socket.bytesRead,
    waiting: () => !req.complete && req.readableFlowing === true && !res.headersSent,
    expire,
  });
  req.once('end', unwatch);
  req.once('close', unwatch);
}

/**
 * Watches an HTTP/2 request body (already piped to its consumer) until it ends or the response
 * starts: progress is counted in DATA chunks; a cut resets the stream (CANCEL), which also
 * cancels the upstream side.
 */
export function watchH2Body(deadlines: ClientDeadlines, stream: CoreHttp2Stream): void {
  if (deadlines.timeoutMs <= 0 || stream.readableEnded) return;
  let chunks = 0;
  const count = (): void => void chunks++;
  // The pipe already made the stream flow (or paused it): one more listener only counts.
  stream.on('data', count);
  const unwatch = deadlines.watch({
    received: () => chunks,
    waiting: () => !stream.readableEnded && !stream.destroyed && stream.readableFlowing === true && !stream.headersSent,
    expire: () => {
      stream.off('data', count);
      cancelStream(stream);
    },
  });
  stream.once('end', unwatch);
  stream.once('close', unwatch);
}

/** What a response writer (ServerResponse, Http2Stream) tells of its backlog. */
interface Sink {
  readonly writableLength: number;
  readonly writableNeedDrain: boolean;
  readonly destroyed: boolean;
  once(event: 'close' | 'finish', listener: () => void): unknown;
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/** Sinks being watched: a call for one already watched does nothing. */
const watchedSinks = new WeakSet<Sink>();

/**
 * Watches a response until it ends, from the first write the client did not take (the caller's
 * write() returned false: calling again on later ones is free) or from the start for a piped one. Sluice waits on the client while the
 * writer needs a drain; the client's progress is each drain and each change in the bytes still
 * queued. (The queue alone can look still while data flows: a backed-up writer refills it to the
 * same size after every drain.)
 */
export function watchSend(deadlines: ClientDeadlines, sink: Sink, expire: () => void): void {
  if (deadlines.timeoutMs <= 0 || sink.destroyed || watchedSinks.has(sink)) return;
  watchedSinks.add(sink);
  let drains = 0;
  const drained = (): void => void drains++;
  sink.on('drain', drained);
  const unwatch = deadlines.watch({
    received: () => sendProgress(drains, sink.writableLength),
    waiting: () => sink.writableNeedDrain && !sink.destroyed,
    expire,
  });
  const stop = (): void => {
    sink.off('drain', drained);
    unwatch();
  };
  sink.once('finish', stop);
  sink.once('close', stop);
}

/** A client timeout's end of an HTTP/2 exchange: the stream is reset (CANCEL), cancelling the upstream side too. */
export function cancelStream(stream: CoreHttp2Stream): void {
  reset(stream, CANCEL);
}
