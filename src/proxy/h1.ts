// HTTP/1.1 (node:http) front end: turns a request into RequestFacts, asks decide(), and either
// answers locally or streams the request to an upstream pool with undici's raw dispatch API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataPlane } from './dataplane.ts';
import { decide } from './decide.ts';
import { upstreamErrorReason } from './upstream-errors.ts';
import { grpcLocalReply, isGrpcContentType } from './grpc.ts';
import { proxyH1ToH2c } from './h1-h2c.ts';
import type { H2Upstreams } from './h2-upstream.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { BODY_TIMEOUT, type LocalReply, NO_CONFIG, NO_ENDPOINTS, UPSTREAM_RESET, replyFor, textReply } from './local-reply.ts';
import { strictTarget } from './h1-strict.ts';
import { watchH1Body, watchSend } from './client-deadlines.ts';
import type { ListenerContext } from './listeners.ts';

export function writeLocal(res: ServerResponse, reply: LocalReply, head = false, grpcType?: string): void {
  if (grpcType) reply = grpcLocalReply(reply, grpcType);
  const body = Buffer.from(reply.body);
  const headers: string[] = [];
  for (const [n, v] of reply.headers) headers.push(n, v);
  headers.push('content-length', String(body.length));
  res.writeHead(reply.status, headers);
  res.end(head ? undefined : body);
}

/** `h2` carries requests to h2c upstreams; without it they go over HTTP/1.1. */
export function createH1Handler(dp: DataPlane, ctx: ListenerContext, h2?: H2Upstreams): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const router = dp.router;
    const done = (ingress: string, status: number): void => {
      dp.metrics.request(ctx.name, ingress, status, Number(process.hrtime.bigint() - started) / 1e9);
    };
    const awaitsContinue = expectsContinue(req);
    if (!router) {
      if (awaitsContinue) res.shouldKeepAlive = false;
      writeLocal(res, NO_CONFIG);
      return done('', 503);
    }
    const raw = req.rawHeaders;
    const target = strictTarget(req);
    if (typeof target === 'string') {
      res.shouldKeepAlive = false;
      writeLocal(res, textReply(400, target), req.method === 'HEAD');
      return done('', 400);
    }
    const decision = decide(router, {
      listener: ctx.kind,
      secure: ctx.secure,
      method: req.method ?? 'GET',
      authority: target.authority,
      url: target.url,
      raw,
      normalizePath: ctx.normalizePath,
    });
    const head = req.method === 'HEAD';
    const grpcType = isGrpcContentType(req.headers['content-type']) ? req.headers['content-type'] : undefined;
    if (decision.kind !== 'forward') {
      const { reply, ingress, error } = replyFor(decision);
      if (awaitsContinue) res.shouldKeepAlive = false;
      writeLocal(res, reply, head, error ? grpcType : undefined);
      return done(ingress, reply.status);
    }
    const cluster = decision.split.cluster;
    const pick = dp.pick(cluster);
    if (!pick) {
      if (awaitsContinue) res.shouldKeepAlive = false;
      writeLocal(res, NO_ENDPOINTS, head, grpcType);
      return done(decision.ingress, 503);
    }
    // The request will be forwarded: now the client may send its body.
    if (awaitsContinue) res.writeContinue();
    const toH2c = h2 !== undefined && cluster.protocol === 'h2c';
    const headers = upstreamRequestHeaders({
      raw,
      host: decision.upstreamHost,
      edits: decision.request,
      clientAddress: req.socket.remoteAddress,
      proto: ctx.secure ? 'https' : 'http',
      keepTeTrailers: toH2c,
    });
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    dp.inflight++;
    if (toH2c) {
      proxyH1ToH2c(req, res, {
        dp,
        h2,
        cluster: cluster.name,
        origin: pick.origin,
        url: decision.url,
        headers,
        hasBody,
        reply: (r) => writeLocal(res, r, head, grpcType),
        onDone: (status) => {
          dp.inflight--;
          done(decision.ingress, status);
        },
      });
      // The h2c stream has its own ending; a close of the connection ends it (as a client's would).
      if (hasBody) watchH1Body(dp.bodies, req, res, () => req.socket.destroy());
      // Piped (up.pipe(res)): watched from the start, it counts only while the response is backed up.
      watchSend(dp.sends, res, () => res.destroy());
      return;
    }
    const handler = new H1ProxyHandler(dp, req, res, cluster.name, (status) => {
      dp.inflight--;
      done(decision.ingress, status);
    });
    pick.pool.dispatch(
      { path: decision.url, method: req.method ?? 'GET', headers, body: hasBody ? req : null, upgrade: null },
      handler,
    );
    if (hasBody) watchH1Body(dp.bodies, req, res, () => handler.bodyTimedOut());
  };
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
  #resume: (() => void) | undefined;
  #finished = false;
  #status = 0;
  readonly #dp: DataPlane;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #cluster: string;
  readonly #onDone: (status: number) => void;

  constructor(dp: DataPlane, req: IncomingMessage, res: ServerResponse, cluster: string, onDone: (status: number) => void) {
    this.#dp = dp;
    this.#req = req;
    this.#res = res;
    this.#cluster = cluster;
    this.#onDone = onDone;
    // The client went away before the response finished: stop the upstream request too.
    res.once('close', () => {
      if (!this.#finished) {
        this.#abort?.(new Error('client closed the connection'));
        this.#finish(499);
      }
    });
    res.on('drain', () => this.#resume?.());
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.#finished) abort(new Error('client closed the connection'));
  }

  /** The client left its request body idle too long (client-deadlines.ts): 408, or a close once the response started. */
  bodyTimedOut(): void {
    const res = this.#res;
    if (this.#finished || res.headersSent) {
      // Nothing more can be said on this connection.
      this.#req.socket.destroy();
      this.#finish(this.#status);
      return;
    }
    this.#finish(408);
    this.#abort?.(new Error('client body timeout'));
    res.shouldKeepAlive = false;
    writeLocal(res, BODY_TIMEOUT, this.#req.method === 'HEAD');
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) {
      // Informational responses are hop by hop (Node answers the client's Expect itself).
      return true;
    }
    this.#status = statusCode;
    this.#resume = resume;
    const res = this.#res;
    res.sendDate = false;
    res.writeHead(statusCode, statusText || undefined, clientResponseHeaders(rawHeaders));
    // Send the head now: a streaming response (SSE) must reach the client before its first event.
    res.flushHeaders();
    return true;
  }

  onData(chunk: Buffer): boolean {
    const ok = this.#res.write(chunk);
    // From the first write the client did not take: most responses never get here. A close
    // aborts the upstream request ('close' above).
    if (!ok) watchSend(this.#dp.sends, this.#res, () => this.#res.destroy());
    return ok;
  }

  onComplete(trailers: Array<Buffer | string> | null): void {
    if (trailers && trailers.length > 0) {
      const t: Record<string, string> = {};
      for (let i = 0; i < trailers.length; i += 2) t[latin1(trailers[i]!)] = latin1(trailers[i + 1]!);
      this.#res.addTrailers(t);
    }
    this.#res.end();
    this.#finish(this.#status);
  }

  onError(err: Error): void {
    if (this.#finished) return;
    const res = this.#res;
    if (!res.headersSent) {
      this.#dp.metrics.upstreamErrors.labels(this.#cluster, upstreamErrorReason(err)).inc();
      this.#dp.log.debug({ err: err.message, cluster: this.#cluster }, 'upstream error before response');
      // The request body may still be arriving; discard it so the connection stays usable.
      if (!this.#req.complete) this.#req.resume();
      const ct = this.#req.headers['content-type'];
      writeLocal(res, UPSTREAM_RESET, this.#req.method === 'HEAD', isGrpcContentType(ct) ? ct : undefined);
      this.#finish(503);
    } else {
      this.#dp.metrics.upstreamErrors.labels(this.#cluster, 'reset_after_headers').inc();
      res.destroy(err);
      this.#finish(this.#status);
    }
  }

  #finish(status: number): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#onDone(status);
  }
}

function latin1(v: Buffer | string): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}
