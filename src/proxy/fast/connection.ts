// One client connection on the raw-socket fast path: parses request heads, asks decide(), and
// proxies each request over a keep-alive upstream socket, one request at a time and in order
// (pipelined requests wait in `pending`). Anything it does not handle goes to node:http at a
// request boundary, with the bytes already read pushed back onto the socket.
import type { Socket } from 'node:net';
import type { Endpoint } from '../../snapshot/types.ts';
import { decide } from '../decide.ts';
import { upstreamRequestHeaders } from '../headers.ts';
import { type LocalReply, NO_CONFIG, NO_ENDPOINTS, UPSTREAM_RESET, replyFor } from '../local-reply.ts';
import { ChunkedDecoder, type ChunkSink, INVALID, NEED_MORE } from './chunked.ts';
import { CHUNKED, HeadError, LENGTH, NO_BODY, parseRequestHead, type RequestHead, type ResponseHead, UNTIL_CLOSE } from './parse.ts';
import type { FastShared } from './shared.ts';
import { IDEMPOTENT, type UpstreamConn, type UpstreamOwner } from './upstream-pool.ts';
import { resendIfStale, UpstreamResponseReader } from './upstream-response.ts';
import { type UpstreamErrorReason, upstreamErrorReason } from '../upstream-errors.ts';

import { sendProgress, StallClock } from '../client-deadlines.ts';
import { backedUp, chunkHead, CRLF, errorBytes, LAST_CHUNK, localReplyBytes, requestHead } from './wire.ts';
import { writeClientHead } from './client-head.ts';

/** request side: no body left to read, or reading a Content-Length / chunked body */
const REQ_DONE = 0;
const REQ_LENGTH = 1;
const REQ_CHUNKED = 2;



export class FastConnection extends UpstreamResponseReader implements UpstreamOwner {
  readonly socket: Socket;
  readonly #shared: FastShared;
  readonly #clientAddress: string | undefined;
  /** client bytes read but not yet consumed (a partial head, or pipelined requests) */
  #pending: Buffer | null = null;
  /** ms when the head being awaited started (0: between requests) */
  headStart: number;
  idleSince = 0;
  #closed = false;
  #clientEnded = false;
  #paused = false;

  // The exchange in progress (at most one).
  active = false;
  #head: RequestHead | null = null;
  #reqPhase = REQ_DONE;
  #reqLeft = 0;
  #reqDecoder: ChunkedDecoder | null = null;
  /** body chunks read from the client and drains of our writes to it: its progress, for the timeouts */
  #bodyChunks = 0;
  #drains = 0;
  readonly #bodyClock = new StallClock();
  readonly #sendClock = new StallClock();
  #upstream: UpstreamConn | null = null;
  #endpoint: Endpoint | null = null;
  /** the upstream head, kept for one retry when a reused connection turns out closed */
  #retryHead = '';
  #started = 0;
  #ingress = '';
  #cluster = '';
  #keepAlive = true;
  #resHeadSent = false;
  /** the response body is read until close and re-framed as chunked */
  #chunkedOut = false;

  constructor(socket: Socket, shared: FastShared) {
    super();
    this.socket = socket;
    this.#shared = shared;
    this.#clientAddress = socket.remoteAddress;
    this.headStart = Date.now();
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    socket.on('drain', this.#onDrain);
    // Listeners hand sockets over paused, with the bytes they sniffed pushed back (unshift).
    socket.resume();
  }

  // ---- client socket events

  readonly #onData = (chunk: Buffer): void => {
    if (this.#closed) return;
    if (this.#reqPhase !== REQ_DONE) {
      this.#bodyChunks++;
      this.#feedRequestBody(chunk, 0);
      return;
    }
    this.#pending = this.#pending === null ? chunk : Buffer.concat([this.#pending, chunk]);
    if (this.active) {
      // Pipelined requests wait for the current one; do not buffer without bound meanwhile.
      if (this.#pending.length > this.#shared.limits.maxHeaderSize) this.#pause();
      return;
    }
    if (this.headStart === 0) this.headStart = Date.now();
    this.#drive();
  };

  readonly #onEnd = (): void => {
    this.#clientEnded = true;
    if (this.#closed) return;
    if (!this.active) this.#end();
    // A FIN inside the request body: the body can never finish, so abort both sides now rather
    // than hold the client and an upstream connection for the body timeout (or forever).
    else if (this.#reqPhase !== REQ_DONE) this.#abandonBody(400);
  };

  readonly #onError = (): void => {
    // 'close' follows and does the cleanup.
  };

  readonly #onClose = (): void => {
    this.#closed = true;
    this.#shared.conns.delete(this);
    if (!this.active) return;
    this.#dropUpstream();
    this.#finish(499);
  };

  readonly #onDrain = (): void => {
    this.#drains++;
    this.#upstream?.socket.resume();
  };

  // ---- request side

  /** Parses and starts requests until one is in flight, the head is partial, or the connection ends. */
  #drive(): void {
    while (!this.active && !this.#closed && this.#pending !== null) {
      const buf = this.#pending;
      const head = parseRequestHead(buf, 0, buf.length, this.#shared.limits);
      // A partial head: read on (the socket may be paused while pipelined requests waited).
      if (head === undefined) break;
      if (head instanceof HeadError) return this.#refuse(head.status);
      if (head.fallback !== '') return this.#handOff();
      this.headStart = 0;
      if (!this.#request(head)) return this.#handOff();
    }
    if (!this.active && !this.#closed) {
      this.#resume();
      if (this.#clientEnded) this.#end();
    }
  }

  /** Starts one request; false when node:http must take it (the head is still in `pending`). */
  #request(head: RequestHead): boolean {
    const { dp, ctx } = this.#shared;
    this.#started = performance.now();
    this.#keepAlive = head.keepAlive && !this.#shared.draining;
    const router = dp.router;
    if (router === undefined) return this.#local(head, NO_CONFIG, '');
    const decision = decide(router, { listener: ctx.kind, secure: ctx.secure, method: head.method, authority: head.host, url: head.url, raw: head.raw, normalizePath: ctx.normalizePath });
    if (decision.kind !== 'forward') {
      const { reply, ingress } = replyFor(decision);
      return this.#local(head, reply, ingress);
    }
    const cluster = decision.split.cluster;
    if (cluster.protocol !== 'http1') return false;
    const ep = this.#shared.upstreams.pick(cluster);
    if (ep === undefined) {
      dp.metrics.upstreamErrors.labels(cluster.name, 'no_endpoints').inc();
      return this.#local(head, NO_ENDPOINTS, decision.ingress);
    }
    const headers = upstreamRequestHeaders({
      raw: head.raw,
      host: decision.upstreamHost,
      edits: decision.request,
      clientAddress: this.#clientAddress,
      proto: ctx.secure ? 'https' : 'http',
    });
    const upstreamHead = requestHead(head.method, decision.url, headers, head.framing === CHUNKED);
    this.#consume(head.headLength);
    dp.inflight++;
    this.active = true;
    this.#head = head;
    this.#ingress = decision.ingress;
    this.#cluster = cluster.name;
    this.#endpoint = ep;
    this.expectResponse(head.method === 'HEAD', true);
    this.#resHeadSent = false;
    // Only idempotent requests (RFC 9110 9.2.2) may be resent: the upstream may have acted on a POST.
    this.#retryHead = head.framing === NO_BODY && IDEMPOTENT.has(head.method) ? upstreamHead : '';
    const up = this.#shared.upstreams.acquire(ep, this);
    this.#upstream = up;
    this.#reqPhase = head.framing === LENGTH ? REQ_LENGTH : head.framing === CHUNKED ? REQ_CHUNKED : REQ_DONE;
    this.#reqLeft = head.contentLength;
    this.#bodyClock.reset();
    this.#sendClock.reset();
    if (this.#reqPhase === REQ_CHUNKED) (this.#reqDecoder ??= new ChunkedDecoder(new UpstreamBodySink(this), false)).reset();
    const body = this.#reqPhase !== REQ_DONE ? this.#pending : null;
    if (body === null) {
      up.socket.write(upstreamHead, 'latin1');
      return true;
    }
    this.#pending = null;
    up.socket.cork();
    up.socket.write(upstreamHead, 'latin1');
    this.#feedRequestBody(body, 0);
    up.socket.uncork();
    return true;
  }

  #feedRequestBody(buf: Buffer, off: number): void {
    const up = this.#upstream;
    if (this.#reqPhase === REQ_LENGTH) {
      const n = Math.min(this.#reqLeft, buf.length - off);
      this.#reqLeft -= n;
      if (up !== null) {
        up.socket.write(n === buf.length ? buf : buf.subarray(off, off + n));
        if (backedUp(up.socket)) this.#pause();
      }
      off += n;
      if (this.#reqLeft === 0) this.#reqPhase = REQ_DONE;
    } else {
      const r = this.#reqDecoder!.feed(buf, off, buf.length);
      if (r === INVALID) return this.#abandonBody(400);
      if (r === NEED_MORE) off = buf.length;
      else {
        up?.socket.write(LAST_CHUNK, 'latin1');
        this.#reqPhase = REQ_DONE;
        off = r;
      }
    }
    if (off < buf.length) {
      const rest = buf.subarray(off);
      this.#pending = this.#pending === null ? rest : Buffer.concat([this.#pending, rest]);
    }
    // The response may have finished before the body did; the connection could not be reused then.
    if (!this.active && this.#reqPhase === REQ_DONE) this.#drive();
  }

  /** Writes a chunk of request body to the upstream, re-framed. */
  writeUpstreamChunk(data: Buffer): void {
    const up = this.#upstream;
    if (up === null) return;
    up.socket.write(chunkHead(data.length), 'latin1');
    up.socket.write(data);
    up.socket.write(CRLF, 'latin1');
    if (backedUp(up.socket)) this.#pause();
  }

  /** Ends an exchange whose request body cannot be finished: `status` if no response started, else a close. */
  #abandonBody(status: 400 | 408): void {
    this.#reqPhase = REQ_DONE;
    this.#dropUpstream();
    if (!this.#resHeadSent) {
      this.socket.end(errorBytes(status), 'latin1');
      this.#finish(status);
    } else {
      this.socket.destroy();
      this.#finish(this.resStatus);
    }
    this.#closed = true;
  }

  // ---- upstream events (UpstreamOwner) and the response read off it (UpstreamResponseReader)

  upstreamDrain(): void {
    if (this.#reqPhase !== REQ_DONE) this.#resume();
  }

  keepsReadBuffer(): boolean {
    const s = this.socket;
    // A partial head is kept as a view, and a client write not flushed at once still points at the
    // bytes. (The chunked decoder copies the trailer bytes it has to keep.)
    return this.holdsPartialHead || s.writableLength > 0 || s.writableCorked > 0;
  }

  upstreamData(conn: UpstreamConn, chunk: Buffer): void {
    if (conn === this.#upstream) this.readResponse(chunk);
  }

  protected responseHead(buf: Buffer, head: ResponseHead, bodyStart: number): number {
    const close = !this.#keepAlive || this.#shared.draining;
    if (close) this.#keepAlive = false;
    this.#resHeadSent = true;
    this.#chunkedOut = head.framing === UNTIL_CLOSE;
    return writeClientHead(this.socket, buf, head, bodyStart, close);
  }

  protected responseBody(piece: Buffer, _last: boolean): void {
    if (this.#chunkedOut) this.chunkData(piece);
    else this.socket.write(piece);
  }

  /** Writes a chunk of response body to the client, re-framed. */
  chunkData(data: Buffer): void {
    const s = this.socket;
    s.write(chunkHead(data.length), 'latin1');
    s.write(data);
    s.write(CRLF, 'latin1');
  }

  protected responseTrailers(raw: Buffer | null): void {
    this.socket.write(raw === null ? LAST_CHUNK : `0\r\n${raw.toString('latin1')}\r\n`, 'latin1');
  }

  protected responseFlowed(): void {
    const s = this.socket;
    if (s.writableCorked > 0) s.uncork();
    if (backedUp(s)) this.#upstream?.socket.pause();
  }

  protected responseDone(): void {
    const s = this.socket;
    if (s.writableCorked > 0) s.uncork();
    this.#complete();
  }

  protected responseFailed(reason: UpstreamErrorReason): void {
    this.#upstreamFailed(reason, undefined);
  }

  upstreamClosed(conn: UpstreamConn, err: (Error & { code?: string }) | undefined): void {
    if (conn !== this.#upstream) return;
    this.#upstream = null;
    if (this.responseClosed()) return;
    const again = resendIfStale(this.#shared.upstreams, this.#endpoint, this, conn, this.awaitingHead, this.#retryHead);
    this.#retryHead = '';
    if (again !== null) this.#upstream = again;
    else this.#upstreamFailed(upstreamErrorReason(err), err);
  }

  #upstreamFailed(reason: UpstreamErrorReason, err: Error | undefined): void {
    const { dp } = this.#shared;
    this.#dropUpstream();
    if (!this.#resHeadSent) {
      dp.metrics.upstreamErrors.labels(this.#cluster, reason).inc();
      dp.log.debug({ err: err?.message ?? reason, cluster: this.#cluster }, 'upstream error before response');
      // A request body still arriving cannot be skipped reliably: close after the 503.
      const close = !this.#keepAlive || this.#reqPhase !== REQ_DONE;
      const reply = UPSTREAM_RESET;
      this.socket.write(localReplyBytes(reply, this.#head!.method === 'HEAD', close));
      this.resStatus = 503;
      this.#finish(503);
      if (close) this.#end();
      else this.#drive();
    } else {
      dp.metrics.upstreamErrors.labels(this.#cluster, 'reset_after_headers').inc();
      this.#closed = true;
      this.socket.destroy();
      this.#finish(this.resStatus);
    }
  }

  /** The response went out completely. */
  #complete(): void {
    const up = this.#upstream;
    this.#upstream = null;
    if (up !== null) {
      if (this.resReusable && this.#reqPhase === REQ_DONE) this.#shared.upstreams.release(up, this.resKeepAliveMs);
      else {
        up.owner = null;
        up.socket.destroy();
      }
    }
    this.#finish(this.resStatus);
    if (!this.#keepAlive || this.#reqPhase !== REQ_DONE || this.#shared.draining) return this.#end();
    this.idleSince = Date.now();
    if (this.#pending !== null) this.headStart = this.idleSince;
    this.#drive();
  }

  #finish(status: number): void {
    if (!this.active) return;
    this.active = false;
    this.#head = null;
    this.#endpoint = null;
    this.#retryHead = '';
    this.stopReading();
    const { dp, ctx } = this.#shared;
    dp.inflight--;
    dp.metrics.request(ctx.name, this.#ingress, status, (performance.now() - this.#started) / 1000);
  }

  #dropUpstream(): void {
    const up = this.#upstream;
    this.#upstream = null;
    if (up === null) return;
    up.owner = null;
    up.socket.destroy();
  }

  // ---- local answers and connection control

  #local(head: RequestHead, reply: LocalReply, ingress: string): true {
    // A body we do not forward would have to be read and skipped; closing is simpler and safe.
    const close = !this.#keepAlive || head.framing !== NO_BODY;
    this.#consume(head.headLength);
    this.socket.write(localReplyBytes(reply, head.method === 'HEAD', close));
    const { dp, ctx } = this.#shared;
    dp.metrics.request(ctx.name, ingress, reply.status, (performance.now() - this.#started) / 1000);
    if (close) this.#end();
    else this.idleSince = Date.now();
    return true;
  }

  #consume(n: number): void {
    const buf = this.#pending!;
    this.#pending = n < buf.length ? buf.subarray(n) : null;
  }

  #refuse(status: 400 | 408 | 431): void {
    this.#closed = true;
    this.#pending = null;
    this.socket.end(errorBytes(status), 'latin1');
    this.socket.destroySoon();
  }

  /** Hands the socket to node:http, with the unconsumed bytes pushed back in front of it. */
  #handOff(): void {
    const s = this.socket;
    this.#closed = true;
    this.#shared.conns.delete(this);
    s.removeListener('data', this.#onData);
    s.removeListener('end', this.#onEnd);
    s.removeListener('error', this.#onError);
    s.removeListener('close', this.#onClose);
    s.removeListener('drain', this.#onDrain);
    s.pause();
    if (this.#pending !== null) s.unshift(this.#pending);
    this.#pending = null;
    this.#shared.fallback.emit('connection', s);
    s.resume();
  }

  #end(): void {
    this.#closed = true;
    this.#pending = null;
    this.socket.end();
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.socket.pause();
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.socket.resume();
  }

  // ---- timers (called by the listener's periodic check)

  /** Enforces the head deadline and the idle keep-alive timeout. */
  tick(now: number): void {
    if (this.#closed) return;
    const { limits } = this.#shared;
    if (this.active) {
      if (this.#reqPhase !== REQ_DONE && limits.bodyTimeout > 0) this.#checkBody(now, limits.bodyTimeout);
      if (this.#resHeadSent && !this.#closed && limits.sendTimeout > 0) this.#checkSend(now, limits.sendTimeout);
      return;
    }
    if (this.headStart !== 0 && now - this.headStart > limits.headersTimeout) this.#refuse(408);
    else if (this.headStart === 0 && this.#pending === null && now - this.idleSince > limits.idleTimeout) {
      this.#closed = true;
      this.socket.destroy();
    }
  }

  /**
   * The client body timeout: the body is unfinished and the client sent nothing for `limit` ms
   * while we were reading (time paused for a backed-up upstream does not count, nor time after
   * the response started: a streamed exchange may leave its request side quiet).
   */
  #checkBody(now: number, limit: number): void {
    if (this.#bodyClock.stalled(now, this.#bodyChunks, !this.#paused && !this.#resHeadSent, limit)) this.#abandonBody(408);
  }

  /**
   * The client send timeout: our writes to the client are backed up and it took nothing for
   * `limit` ms. A response slow to come from the upstream leaves nothing backed up.
   */
  #checkSend(now: number, limit: number): void {
    const s = this.socket;
    if (!this.#sendClock.stalled(now, sendProgress(this.#drains, s.writableLength), s.writableNeedDrain, limit)) return;
    this.#dropUpstream();
    this.#closed = true;
    s.destroy();
    this.#finish(this.resStatus);
  }

  /** Closes the connection if no request is in progress (graceful drain). */
  closeIfIdle(): void {
    if (!this.active && this.#pending === null) {
      this.#closed = true;
      this.socket.destroy();
    }
  }
}

class UpstreamBodySink implements ChunkSink {
  constructor(readonly conn: FastConnection) {}
  chunkData(data: Buffer): void {
    this.conn.writeUpstreamChunk(data);
  }
}
