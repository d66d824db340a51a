// One client connection on the raw-socket fast path: parses request heads, runs each through the
// exchange core (exchange.ts), and proxies it over a keep-alive upstream socket, one request at a
// time and in order (pipelined requests wait in `pending`). Anything it does not handle goes to
// node:http at a request boundary, with the bytes already read pushed back onto the socket.
import type { Socket } from 'node:net';
import { Exchange, type ExchangeOwner, type Outcome, FORWARD, FROM_FAST, HANDOFF, LOCAL, type Step } from '../exchange.ts';
import { type LocalReply, UPSTREAM_RESET } from '../local-reply.ts';
import { fastFacts, sniOf } from '../request-facts.ts';
import { CHUNKED, HeadError, NO_BODY, parseRequestHead, type RequestHead } from './parse.ts';
import { GATEWAY_TIMEOUT } from '../deadlines.ts';
import { BAD_BODY, TOO_LARGE } from './request-body.ts';
import { BODY_TOO_LARGE, bodyLimit } from '../../policies/body-limit.ts';
import type { FastShared } from './shared.ts';
import type { HeadBuffer } from './head-buffer.ts';
import { IDEMPOTENT, type UpstreamConn, type UpstreamOwner } from './upstream-pool.ts';
import { dispatch, Resends, resendIfStale } from './upstream-response.ts';
import type { ResponseHead } from './parse.ts';
import { ClientConnection } from './client-connection.ts';
import { type UpstreamErrorReason, upstreamErrorReason } from '../upstream-errors.ts';
import { backedUp, errorBytes, localReplyBytes, requestHead, requestHeadSize, writeRequestHead } from './wire.ts';
import { attach, handOff, type SocketListeners, writeLocalReply } from './local-answer.ts';

export class FastConnection extends ClientConnection implements UpstreamOwner, ExchangeOwner {
  readonly #shared: FastShared;
  readonly #clientAddress: string | undefined;
  /** the TLS client's SNI name, read once per connection (decide() answers 421 for another listener's Host) */
  readonly #sni: string | undefined;
  /** the exchange in progress (at most one), reused for each */
  readonly #x: Exchange;
  #head: RequestHead | null = null;
  #upstream: UpstreamConn | null = null;
  readonly #resends = new Resends();
  /** the request head again as a string, for a resend (made once per connection, called only then) */
  readonly #headAgain = (): string => {
    const head = this.#head!;
    return requestHead(head.method, this.#x.url, this.#x.headers, head.framing === CHUNKED);
  };
  #keepAlive = true;

  constructor(socket: Socket, shared: FastShared) {
    super(socket);
    this.#shared = shared;
    this.#clientAddress = socket.remoteAddress;
    this.#sni = shared.ctx.secure ? sniOf(socket) : undefined;
    this.#x = new Exchange(shared.dp, shared.ctx.name, FROM_FAST, this);
    // Plain sockets read into the listener's buffer: no allocation per read. (Before attach: the
    // sniffed bytes pushed back still come first, as 'data'.)
    if (!shared.ctx.secure) this.readIntoListenerBuffer(shared.readBuffer, this.#onData);
    // Listeners hand sockets over paused, with the bytes they sniffed pushed back (unshift).
    attach(socket, this.#listeners);
  }

  // ---- client socket events

  readonly #onData = (chunk: Buffer): void => {
    if (this.closed) return;
    if (this.body.reading) return this.#feedRequestBody(chunk, 0);
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.active) {
      // Pipelined requests wait for the current one; do not buffer without bound meanwhile.
      if (this.pending.length > this.#shared.limits.maxHeaderSize) this.pauseClient();
      return;
    }
    if (this.headStart === 0) this.headStart = Date.now();
    this.#drive();
  };

  readonly #onEnd = (): void => {
    this.clientEnded = true;
    if (this.closed) return;
    if (!this.active) this.endClient();
    // A FIN inside the request body: the body can never finish, so abort both sides now rather
    // than hold the client and an upstream connection for the body timeout (or forever).
    else if (this.body.reading) this.#abandonBody(400);
  };

  /** 'close' follows and does the cleanup. */
  readonly #onError = (): void => {};

  readonly #onClose = (): void => {
    this.closed = true;
    this.#shared.conns.delete(this);
    // A body cut short: its mirror copies end too.
    this.body.stop();
    if (!this.active) return;
    this.#dropUpstream();
    this.#finish(499);
  };

  readonly #onDrain = (): void => {
    this.drains++;
    this.#upstream?.socket.resume();
  };

  readonly #listeners: SocketListeners = { data: this.#onData, end: this.#onEnd, error: this.#onError, close: this.#onClose, drain: this.#onDrain };

  // ---- request side

  /** Parses and starts requests until one is in flight, the head is partial, or the connection ends. */
  #drive(): void {
    while (!this.active && !this.closed && this.pending !== null) {
      const buf = this.pending;
      const head = parseRequestHead(buf, 0, buf.length, this.#shared.limits);
      // A partial head: read on (the socket may be paused while pipelined requests waited).
      if (head === undefined) break;
      if (head instanceof HeadError) return this.refuse(head.status);
      if (head.fallback !== '') return this.#handOff();
      this.headStart = 0;
      if (!this.#request(head)) return this.#handOff();
    }
    if (!this.active && !this.closed) {
      this.resumeClient();
      if (this.clientEnded) this.endClient();
    }
  }

  /** Starts one request; false when node:http must take it (the head is still in `pending`). */
  #request(head: RequestHead): boolean {
    const { ctx } = this.#shared;
    this.#keepAlive = head.keepAlive && !this.#shared.draining;
    const step = this.#x.begin(fastFacts(ctx, this.#sni, head, this.#clientAddress));
    if (step === HANDOFF) return false;
    this.consume(head.headLength);
    this.#head = head;
    if (step === LOCAL) this.#local();
    else if (step === FORWARD) this.#forward(head);
    else {
      // A request policy decides asynchronously: hold the client, and read no pipelined request meanwhile.
      this.active = true;
      this.pauseClient();
    }
    return true;
  }

  /** A request policy has decided (PENDING before). */
  exchangeReady(_x: Exchange, step: Step): void {
    if (this.closed || !this.active) return;
    this.active = false;
    if (step === LOCAL) this.#local();
    else if (step === FORWARD) {
      this.#forward(this.#head!);
      // The body may start flowing now (pipelined bytes are bounded in #onData).
      this.resumeClient();
      return;
    }
    this.#drive();
  }

  /** Sends the request upstream: the head, and the body bytes already read. */
  #forward(head: RequestHead): void {
    const x = this.#x;
    const chunked = head.framing === CHUNKED;
    this.active = true;
    this.expectResponse(x.head, !x.editsResponse);
    this.resHeadSent = false;
    // Only idempotent requests (RFC 9110 9.2.2) may be resent: the upstream may have acted on a POST.
    this.#resends.arm(this.#headAgain, head.framing === NO_BODY && IDEMPOTENT.has(head.method), x.retries);
    const up = this.#shared.upstreams.acquire(x.endpoint!, this);
    this.#upstream = up;
    this.body.start(head.framing, head.contentLength, x.mirrorBody, bodyLimit(x));
    this.sendClock.reset();
    // The head as bytes in the listener's head buffer: no string per request.
    const heads = this.#shared.heads;
    const room = heads.room(requestHeadSize(head.method, x.url, x.headers, chunked));
    const size = writeRequestHead(room, head.method, x.url, x.headers, chunked);
    const body = this.body.reading ? this.pending : null;
    if (body === null) {
      heads.send(up.socket, size);
      return;
    }
    this.pending = null;
    up.socket.cork();
    heads.send(up.socket, size);
    // Out of the listener's buffer: the upstream may not take them at once (it may be connecting).
    this.#feedRequestBody(this.owned(body), 0);
    up.socket.uncork();
  }

  #feedRequestBody(buf: Buffer, off: number): void {
    const up = this.#upstream;
    const end = this.body.feed(buf, off, up === null ? null : up.socket);
    if (end === BAD_BODY) return this.#abandonBody(400);
    if (end === TOO_LARGE) return this.#abandonBody(413);
    if (up !== null && backedUp(up.socket)) this.pauseClient();
    if (end < buf.length) {
      const rest = buf.subarray(end);
      this.pending = this.pending === null ? rest : Buffer.concat([this.pending, rest]);
    }
    // The response may have finished before the body did; the connection could not be reused then.
    if (!this.active && !this.body.reading) this.#drive();
  }

  /** Ends an exchange whose request body cannot be finished: `status` if no response started, else a close. */
  #abandonBody(status: 400 | 408 | 413): void {
    this.body.stop();
    this.#dropUpstream();
    if (!this.resHeadSent) {
      // The body limit's answer is the policy's, as on node:http and HTTP/2.
      if (status === 413) this.socket.end(localReplyBytes(BODY_TOO_LARGE, this.#x.head, true));
      else this.socket.end(errorBytes(status), 'latin1');
      this.#finish(status);
    } else {
      this.socket.destroy();
      this.#finish(this.resStatus);
    }
    this.closed = true;
  }

  // ---- upstream events (UpstreamOwner) and the response read off it (UpstreamResponseReader)

  upstreamDrain(): void {
    if (this.body.reading) this.resumeClient();
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

  protected closesAfterResponse(): boolean {
    if (this.#shared.draining) this.#keepAlive = false;
    return !this.#keepAlive;
  }

  protected responseEditor(): Exchange {
    return this.#x;
  }

  protected headBuffer(): HeadBuffer {
    return this.#shared.heads;
  }

  protected pauseUpstream(): void {
    this.#upstream?.socket.pause();
  }

  protected responseFailed(reason: UpstreamErrorReason): void {
    this.#upstreamFailed(reason);
  }

  upstreamClosed(conn: UpstreamConn, err: (Error & { code?: string }) | undefined): void {
    if (conn !== this.#upstream) return;
    this.#upstream = null;
    if (this.responseClosed()) return;
    const again = resendIfStale(this.#shared.upstreams, this.#x.endpoint ?? null, this, conn, this.awaitingHead, this.#resends.stale);
    this.#resends.stale = '';
    if (again !== null) this.#upstream = again;
    // No error (a close or FIN before the answer) is a reset.
    else this.#upstreamFailed(err ?? 'reset');
  }

  /** The exchange's traffic, for a route idle timeout: the client connection's bytes either way (one exchange at a time). */
  exchangeActivity(_x: Exchange): number {
    return this.socket.bytesRead + this.socket.bytesWritten;
  }

  /** The route's timeout passed (deadlines.ts): 504 before the response head, else a close. */
  exchangeTimedOut(_x: Exchange): void {
    if (!this.active) return;
    this.#resends.stale = '';
    this.#fail(GATEWAY_TIMEOUT, 'timeout', 'timeout');
  }

  /** The final head: a status the route retries is never shown to the client. */
  protected override responseHead(buf: Buffer, head: ResponseHead, bodyStart: number): number {
    // The head's time the reader took (the access log's ttfb): no clock read of the metric's own.
    this.#x.upstreamResponded(this.resHeadAt);
    if (this.#resends.route !== '') {
      const wait = this.#x.retryAfter(head.status);
      if (wait >= 0) {
        this.#retry(wait);
        return -1;
      }
    }
    return super.responseHead(buf, head, bodyStart);
  }

  /** Resends the request after `wait` ms on a new connection (the old one is mid-message or gone). */
  #retry(wait: number): void {
    this.#dropUpstream();
    this.#resends.after(wait, () => {
      const x = this.#x;
      if (!this.active) return;
      if (!x.nextAttempt()) return this.#upstreamFailed('reset');
      this.expectResponse(x.head, !x.editsResponse);
      this.#resends.stale = this.#resends.route;
      this.#upstream = dispatch(this.#shared.upstreams, x.endpoint!, this, this.#resends.route, false);
    });
  }

  #upstreamFailed(outcome: UpstreamErrorReason | (Error & { code?: string })): void {
    if (this.#resends.route !== '' && !this.resHeadSent) {
      const wait = this.#x.retryAfter(typeof outcome === 'string' ? outcome : upstreamErrorReason(outcome));
      if (wait >= 0) return this.#retry(wait);
    }
    this.#fail(UPSTREAM_RESET, outcome, 'reset_after_headers');
  }

  /**
   * Ends a failed exchange: `reply` (with `outcome`) when no response head went out, and the
   * connection goes on if it can; else a close (with `late`).
   */
  #fail(reply: LocalReply, outcome: Outcome, late: Outcome): void {
    this.#dropUpstream();
    if (!this.resHeadSent) {
      // A request body still arriving cannot be skipped reliably: close after the answer.
      const close = !this.#keepAlive || this.body.reading;
      writeLocalReply(this.socket, reply, this.#x.head, close);
      this.resStatus = reply.status;
      this.#finish(reply.status, outcome);
      if (close || this.#shared.draining) this.endClient();
      else this.#awaitNext();
    } else {
      this.closed = true;
      this.socket.destroy();
      this.#finish(this.resStatus, late);
    }
  }

  /** The response went out completely. */
  protected responseComplete(): void {
    const up = this.#upstream;
    this.#upstream = null;
    const bodyDone = !this.body.reading;
    if (up !== null) {
      if (this.resReusable && bodyDone) this.#shared.upstreams.release(up, this.resKeepAliveMs);
      else {
        up.owner = null;
        up.socket.destroy();
      }
    }
    this.#finish(this.resStatus);
    if (!this.#keepAlive || !bodyDone || this.#shared.draining) return this.endClient();
    this.#awaitNext();
  }

  /** The exchange is over and the connection stays: its idle (or next head's) clock starts now. */
  #awaitNext(): void {
    this.idleSince = Date.now();
    if (this.pending !== null) this.headStart = this.idleSince;
    this.#drive();
  }

  #finish(status: number, outcome?: Outcome): void {
    if (!this.active) return;
    this.active = false;
    this.#head = null;
    this.#resends.cancel();
    this.stopReading();
    this.#x.counted(this.body.bytes, this.resBytes, this.resHeadAt);
    this.#x.finish(status, outcome);
  }

  #dropUpstream(): void {
    const up = this.#upstream;
    this.#upstream = null;
    if (up === null) return;
    up.owner = null;
    up.socket.destroy();
  }

  // ---- local answers and connection control

  /** The exchange answered itself (x.reply); it has finished already. */
  #local(): void {
    // A body we do not forward would have to be read and skipped; closing is simpler and safe.
    const close = !this.#keepAlive || this.#head!.framing !== NO_BODY;
    this.#head = null;
    writeLocalReply(this.socket, this.#x.reply, this.#x.head, close);
    if (close) this.endClient();
    else {
      // #drive's loop goes on to the next request; a partial one is on the head deadline.
      this.idleSince = Date.now();
      if (this.pending !== null) this.headStart = this.idleSince;
    }
  }

  /** Hands the socket to node:http, with the unconsumed bytes pushed back in front of it. */
  #handOff(): void {
    this.closed = true;
    this.#shared.conns.delete(this);
    this.readsHandedOff();
    const pending = this.pending;
    this.pending = null;
    handOff(this.socket, this.#listeners, pending, this.#shared.fallback);
  }

  // ---- timers (called by the listener's periodic check)

  /** Enforces the head deadline and the idle keep-alive timeout. */
  tick(now: number): void {
    if (this.closed) return;
    const { limits } = this.#shared;
    if (this.active) {
      if (this.body.reading && limits.bodyTimeout > 0) this.#checkBody(now, limits.bodyTimeout);
      // The response head went out: #fail closes.
      if (this.resHeadSent && !this.closed && limits.sendTimeout > 0 && this.sendStalled(now, limits.sendTimeout)) this.#fail(UPSTREAM_RESET, undefined, undefined);
      return;
    }
    this.tickIdle(now, limits);
  }

  /**
   * The client body timeout: the body is unfinished and the client sent nothing for `limit` ms
   * while we were reading (time paused for a backed-up upstream does not count, nor time after
   * the response started: a streamed exchange may leave its request side quiet).
   */
  #checkBody(now: number, limit: number): void {
    if (this.body.stalled(now, !this.paused && !this.resHeadSent, limit)) this.#abandonBody(408);
  }
}
