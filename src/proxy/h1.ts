// HTTP/1.1 (node:http) front end: turns a request into the exchange core's facts (exchange.ts),
// then writes its local answer or streams the request to an upstream pool with undici's raw
// dispatch API (or an h2c upstream, h1-h2c.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { DataPlane } from './dataplane.ts';
import { BODY_TOO_LARGE, bodyLimit, countBody } from '../policies/body-limit.ts';
import { timeoutReply } from './deadlines.ts';
import { copyStream } from './mirror.ts';
import { upstreamErrorReason } from './upstream-errors.ts';
import { Exchange, FORWARD, FROM_H1, LOCAL, type Step, VIA_H2C } from './exchange.ts';
import { isGrpcContentType } from './grpc.ts';
import { proxyH1ToH2c } from './h1-h2c.ts';
import { writeLocal } from './h1-reply.ts';
import type { H2Upstreams } from './h2-upstream.ts';
import { clientResponseHeaders } from './headers.ts';
import { BODY_TIMEOUT, UPSTREAM_RESET } from './local-reply.ts';
import { h1Facts } from './request-facts.ts';
import { strictTarget } from './h1-strict.ts';
import { watchH1Body, watchSend } from './client-deadlines.ts';
import { holdBody } from './replay-body.ts';
import type { ListenerContext } from './listeners.ts';
import { countBodyIn } from '../observe/access-log-bytes.ts';

export { writeLocal } from './h1-reply.ts';

/** `h2` carries requests to h2c upstreams. */
export function createH1Handler(dp: DataPlane, ctx: ListenerContext, h2: H2Upstreams): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const target = strictTarget(req);
    // A target node:http took but we refuse: the connection's next bytes are suspect too.
    if (typeof target === 'string') res.shouldKeepAlive = false;
    const ct = req.headers['content-type'];
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    const x = new H1Exchange(dp, ctx.name, req, res, h2);
    x.proceed(x.begin(h1Facts(ctx, req, target, !hasBody, isGrpcContentType(ct) ? ct : undefined)));
  };
}

/** One node:http request through the exchange core. */
class H1Exchange extends Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly #h2: H2Upstreams;
  /** 100 Continue went out already (requestBody()) */
  #continued = false;

  constructor(dp: DataPlane, listener: string, req: IncomingMessage, res: ServerResponse, h2: H2Upstreams) {
    super(dp, listener, FROM_H1);
    this.req = req;
    this.res = res;
    this.#h2 = h2;
  }

  /**
   * The body for undici: the request itself, or, when mirrored or limited, piped through a
   * PassThrough so the copy and the count (body-limit.ts) see what undici reads.
   */
  #mirrored(req: IncomingMessage, limited: boolean): Readable {
    const copy = this.mirrorBody;
    if (copy === undefined && !this.logged && !limited) return req;
    const body = req.pipe(new PassThrough());
    if (copy !== undefined) copyStream(req, copy);
    countBodyIn(req, this);
    return body;
  }

  /** A policy reads the body first (policies/peek-body.ts): a client awaiting 100 Continue is told to send it now. */
  override requestBody(): Readable {
    if (!this.#continued && expectsContinue(this.req)) {
      this.#continued = true;
      this.res.writeContinue();
    }
    return this.req;
  }

  /** A route idle timeout's probe: the connection's bytes either way (node:http runs one request at a time on it). */
  override activity(): number {
    const s = this.req.socket;
    return s.bytesRead + s.bytesWritten;
  }

  /** The request body passed the route's limit (body-limit.ts): 413 before the response head, else a close. */
  #tooLarge(): void {
    const { req, res } = this;
    if (!this.open) return;
    const sent = res.headersSent;
    // Finished first: the upstream's abort below must find nothing left to answer.
    this.finish(sent ? res.statusCode : 413);
    this.cancelUpstream?.();
    if (sent) {
      req.socket.destroy();
      return;
    }
    // The rest of the body is read and dropped, so the client sees the answer rather than a reset.
    req.unpipe();
    req.resume();
    res.shouldKeepAlive = false;
    writeLocal(res, BODY_TOO_LARGE, this.head);
  }

  /** The route's timeout passed (deadlines.ts): 504 before the response head, else a close. */
  override timedOut(): void {
    const { req, res } = this;
    const sent = res.headersSent;
    // Finished first: the upstream's abort below must find nothing left to answer.
    this.finish(sent ? res.statusCode : 504, 'timeout');
    this.cancelUpstream?.();
    if (sent) {
      res.destroy();
      return;
    }
    // The request body may still be arriving: discard it, and close after the answer.
    if (!req.complete) req.resume();
    res.shouldKeepAlive = false;
    const reply = timeoutReply(this.grpcType);
    writeLocal(res, reply, this.head);
  }

  /** A route retry (retry.ts; bodiless requests, or bodies held): the request again after `wait` ms, to the next endpoint. */
  retryLater(wait: number): void {
    const timer = setTimeout(() => {
      if (!this.open) return;
      if (!this.nextAttempt()) {
        writeLocal(this.res, UPSTREAM_RESET, this.head, this.grpcType);
        return this.finish(503, 'reset');
      }
      this.pool!.dispatch({ path: this.url, method: this.method, headers: this.headers, body: this.replayBody ?? null, upgrade: null }, new H1ProxyHandler(this));
    }, wait);
    this.cancelUpstream = () => clearTimeout(timer);
  }

  override proceed(step: Step): void {
    const { req, res } = this;
    const awaitsContinue = expectsContinue(req);
    if (step === LOCAL) {
      if (awaitsContinue) res.shouldKeepAlive = false;
      writeLocal(res, this.reply, this.head, this.replyGrpc ? this.grpcType : undefined);
      return;
    }
    if (step !== FORWARD) return;
    // The client left while the request was held (a fault delay, a policy deciding): forward nothing.
    if (req.socket.destroyed) return this.finish(499);
    // The request will be forwarded: now the client may send its body.
    if (awaitsContinue && !this.#continued) res.writeContinue();
    const dp = this.dp;
    if (this.via === VIA_H2C) {
      proxyH1ToH2c(req, res, this, this.#h2);
      // The h2c stream has its own ending; a close of the connection ends it (as a client's would).
      if (!this.bodyless) watchH1Body(dp.bodies, req, res, () => req.socket.destroy());
      // Piped already: counting cannot start the body early.
      const limit = this.bodyless ? -1 : bodyLimit(this);
      if (limit >= 0) countBody(req, limit, () => this.#tooLarge());
      // Piped (up.pipe(res)): watched from the start, it counts only while the response is backed up.
      watchSend(dp.sends, res, () => res.destroy());
      return;
    }
    const handler = new H1ProxyHandler(this);
    const limit = this.bodyless ? -1 : bodyLimit(this);
    const hold = this.bodyless || this.mirrorBody !== undefined ? 0 : this.bodyHold;
    const send = (body: Readable | Buffer | null): void => void this.pool!.dispatch({ path: this.url, method: this.method, headers: this.headers, body, upgrade: null }, handler);
    // A retrying route holds the body (up to its limit) before sending it, so that a retry can resend it.
    if (hold > 0) {
      holdBody(req, hold, declaredLength(req), (b) => {
        if (!this.open) return;
        this.replayBody = b.held;
        send(b.held ?? b.stream);
      });
    } else send(this.bodyless ? null : this.#mirrored(req, limit >= 0));
    if (limit >= 0) countBody(req, limit, () => this.#tooLarge());
    if (!this.bodyless) watchH1Body(dp.bodies, req, res, () => handler.bodyTimedOut());
  }
}

/** The request's Content-Length (node:http has refused a malformed one), or undefined. */
function declaredLength(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  return v === undefined ? undefined : Number(v);
}

/**
 * The client waits for 100 Continue before sending its body (node:http emitted 'checkContinue').
 * A final answer instead closes the connection: whether the client then sends the body or not,
 * the connection's next bytes cannot be told apart (RFC 9110 10.1.1).
 */
function expectsContinue(req: IncomingMessage): boolean {
  const e = req.headers.expect;
  return e !== undefined && e.toLowerCase() === '100-continue';
}

/** undici legacy dispatch handler (its native interface, so no wrapper runs per event). */
class H1ProxyHandler {
  #abort: ((err?: Error) => void) | undefined;
  /** this attempt was given up for a route retry: what undici still reports is ignored */
  #retired = false;
  #resume: (() => void) | undefined;
  #status = 0;
  readonly #x: H1Exchange;

  constructor(x: H1Exchange) {
    this.#x = x;
    // The client went away before the response finished: stop the upstream request too.
    x.res.once('close', () => {
      if (x.open) {
        this.#abort?.(new Error('client closed the connection'));
        x.finish(499);
      }
    });
    x.res.on('drain', () => this.#resume?.());
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    this.#x.cancelUpstream = () => abort(new Error('route timeout'));
    if (!this.#x.open) abort(new Error('client closed the connection'));
  }

  /** The client left its request body idle too long (client-deadlines.ts): 408, or a close once the response started. */
  bodyTimedOut(): void {
    const x = this.#x;
    const res = x.res;
    if (!x.open || res.headersSent) {
      // Nothing more can be said on this connection.
      x.req.socket.destroy();
      x.finish(this.#status);
      return;
    }
    x.finish(408);
    this.#abort?.(new Error('client body timeout'));
    res.shouldKeepAlive = false;
    writeLocal(res, BODY_TIMEOUT, x.head);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) {
      // Informational responses are hop by hop (Node answers the client's Expect itself).
      return true;
    }
    // Timed out (deadlines.ts) before undici could be stopped: the client has its answer.
    if (!this.#x.open) {
      this.#abort?.(new Error('route timeout'));
      return false;
    }
    // A status the route retries is never shown to the client.
    if (this.#x.retries && this.#retire(this.#x.retryAfter(statusCode))) {
      this.#abort?.(new Error('retried'));
      return false;
    }
    this.#status = statusCode;
    this.#resume = resume;
    const res = this.#x.res;
    res.sendDate = false;
    res.writeHead(statusCode, statusText || undefined, this.#x.responseHeaders(statusCode, clientResponseHeaders(rawHeaders)));
    // Send the head now: a streaming response (SSE) must reach the client before its first event.
    res.flushHeaders();
    return true;
  }

  onData(chunk: Buffer): boolean {
    const res = this.#x.res;
    this.#x.bytesOut += chunk.length;
    const ok = res.write(chunk);
    // From the first write the client did not take: most responses never get here. A close
    // aborts the upstream request ('close' above).
    if (!ok) watchSend(this.#x.dp.sends, res, () => res.destroy());
    return ok;
  }

  onComplete(trailers: Array<Buffer | string> | null): void {
    const res = this.#x.res;
    if (trailers && trailers.length > 0) {
      const t: Record<string, string> = {};
      for (let i = 0; i < trailers.length; i += 2) t[latin1(trailers[i]!)] = latin1(trailers[i + 1]!);
      res.addTrailers(t);
    }
    res.end();
    this.#x.finish(this.#status);
  }

  /** Gives this attempt up for a retry after `wait` ms; false when there is none (-1). */
  #retire(wait: number): boolean {
    if (wait < 0) return false;
    this.#retired = true;
    this.#x.retryLater(wait);
    return true;
  }

  onError(err: Error & { code?: string }): void {
    const x = this.#x;
    if (!x.open || this.#retired) return;
    const res = x.res;
    if (!res.headersSent && x.retries && this.#retire(x.retryAfter(upstreamErrorReason(err)))) return;
    if (!res.headersSent) {
      // The request body may still be arriving; discard it so the connection stays usable.
      if (!x.req.complete) x.req.resume();
      writeLocal(res, UPSTREAM_RESET, x.head, x.grpcType);
      x.finish(503, err);
    } else {
      res.destroy(err);
      x.finish(this.#status, 'reset_after_headers');
    }
  }
}

function latin1(v: Buffer | string): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}
