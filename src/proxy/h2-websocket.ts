// WebSockets over HTTP/2 (RFC 8441): a client that holds an h2 connection opens a WebSocket as a
// stream with `:method CONNECT` and `:protocol websocket`, once the server has sent
// SETTINGS_ENABLE_CONNECT_PROTOCOL. Browsers do this rather than open a second connection.
// The stream is routed like any request (exchange.ts), then carried to the upstream as an HTTP/1.1
// Upgrade, which every WebSocket server speaks: the upstream's 101 becomes the stream's 200, and
// from then on the stream's DATA and the upstream socket's bytes are the same WebSocket frames.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { CANCEL, CONNECT_ERROR, NO_ERROR } from '../net/h2/frames.ts';
import type { DataPlane } from './dataplane.ts';
import { Exchange, FORWARD, FROM_H2_UPGRADE, LOCAL, type Step } from './exchange.ts';
import { HeadError, parseResponseHead } from './fast/parse.ts';
import { RESPONSE_LIMITS } from './fast/upstream-pool.ts';
import { pairsToObject, writeLocalH2 } from './h2-proxy.ts';
import type { ListenerContext } from './listeners.ts';
import { clientResponseHeaders } from './headers.ts';
import { rawHeader } from './router.ts';
import { BAD_EXTENDED_CONNECT, HANDSHAKE_REFUSED, type LocalReply, UPSTREAM_RESET } from './local-reply.ts';
import { type H2Peer, h2Facts } from './request-facts.ts';
import { cancelStream, watchSend } from './client-deadlines.ts';
import type { Tunnels } from './websocket.ts';
import type { UpstreamErrorReason } from './upstream-errors.ts';
import * as guard from './h2-stream-guard.ts';
import type { CoreHttp2Stream } from './h2core/compat-stream.ts';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The pseudo-headers of an extended CONNECT, and the client's WebSocket version. */
export interface ConnectRequest {
  readonly scheme: string | undefined;
  readonly authority: string | undefined;
  readonly path: string | undefined;
  /** sec-websocket-version */
  readonly version: string | undefined;
}

/**
 * Routes and tunnels one extended-CONNECT stream. `raw` holds the request's regular headers (no
 * pseudo-headers) with `host` set from `:authority`, as the HTTP/2 front end builds them.
 */
export function proxyH2WebSocket(dp: DataPlane, ctx: ListenerContext, tunnels: Tunnels, stream: CoreHttp2Stream, req: ConnectRequest, raw: readonly string[], peer: H2Peer): void {
  const { path, authority } = req;
  const x = new H2WebSocketExchange(dp, ctx.name, stream, req, tunnels);
  // RFC 8441 4: an extended CONNECT carries :scheme and :path like any request.
  const refusal = path === undefined || authority === undefined || req.scheme === undefined ? BAD_EXTENDED_CONNECT : undefined;
  x.proceed(x.begin(h2Facts(ctx, peer, { method: 'GET', authority, path, raw }, true, undefined, refusal, HANDSHAKE_OWN)));
}

class H2WebSocketExchange extends Exchange {
  readonly #stream: CoreHttp2Stream;
  readonly #req: ConnectRequest;
  readonly #tunnels: Tunnels;

  constructor(dp: DataPlane, listener: string, stream: CoreHttp2Stream, req: ConnectRequest, tunnels: Tunnels) {
    super(dp, listener, FROM_H2_UPGRADE);
    this.#stream = stream;
    this.#req = req;
    this.#tunnels = tunnels;
  }

  override proceed(step: Step): void {
    if (step === LOCAL) writeLocalH2(this.#stream, this.reply, false, undefined);
    // The stream ended while the handshake was held (a fault delay, a policy deciding): no tunnel.
    else if (step === FORWARD && this.#stream.destroyed) this.finish(499);
    else if (step === FORWARD) this.#tunnel();
  }

  #tunnel(): void {
    const stream = this.#stream;
    // The HTTP/1.1 handshake the upstream expects: a key of our own (HTTP/2 has none), the client's
    // version, subprotocols and extensions passed through.
    const key = randomBytes(16).toString('base64');
    const upstreamHeaders = this.headers;
    let head = `GET ${this.url} HTTP/1.1\r\n`;
    for (let i = 0; i < upstreamHeaders.length; i += 2) head += `${upstreamHeaders[i]}: ${upstreamHeaders[i + 1]}\r\n`;
    head += `connection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-key: ${key}\r\n`;
    if (this.#req.version === undefined) head += 'sec-websocket-version: 13\r\n';
    head += '\r\n';

    const upstream = net.connect({ host: this.endpoint!.address, port: this.endpoint!.port, noDelay: true });
    this.#tunnels.add(stream, upstream);
    let answered = false;
    let buf: Buffer | null = null;
    // The upstream's answer head, for the tunnel's byte counts (tunnelClosed below).
    let answerHead = 0;
    const fail = (reply: LocalReply, reason: UpstreamErrorReason | (Error & { code?: string })): void => {
      if (answered) return;
      answered = true;
      writeLocalH2(stream, reply, false, undefined);
      this.finish(reply.status, reason);
      upstream.destroy();
    };
    upstream.on('error', (err: Error & { code?: string }) => {
      if (!answered) return fail(UPSTREAM_RESET, err);
      // A tunnel the upstream broke: the client's stream is reset, as a TCP reset would be.
      if (!stream.destroyed) stream.close(CONNECT_ERROR);
    });
    upstream.once('connect', () => upstream.write(head, 'latin1'));
    const onHead = (chunk: Buffer): void => {
      buf = buf === null ? chunk : Buffer.concat([buf, chunk]);
      const res = parseResponseHead(buf, 0, buf.length, RESPONSE_LIMITS, false);
      if (res === undefined) return;
      upstream.off('data', onHead);
      if (res instanceof HeadError) return fail(HANDSHAKE_REFUSED, 'protocol');
      if (res.status !== 101) {
        // Refused (a 4xx/5xx from the app, say): its status and headers reach the client, not a tunnel.
        answered = true;
        this.finish(res.status);
        writeLocalH2(stream, { status: res.status, headers: [], body: '' }, false, undefined);
        upstream.destroy();
        return;
      }
      const accept = rawHeader(res.raw, 'sec-websocket-accept');
      if (accept !== createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64')) return fail(HANDSHAKE_REFUSED, 'protocol');
      if (stream.destroyed) {
        upstream.destroy();
        return;
      }
      answered = true;
      // The 101's own fields (subprotocol, extensions) go to the client; the handshake fields do not.
      // clientResponseHeaders drops Connection and Upgrade; the accept key is the HTTP/1.1 handshake's own.
      const out = pairsToObject(200, this.responseHeaders(res.status, clientResponseHeaders(res.raw)));
      delete out['sec-websocket-accept'];
      // Fields HTTP/2 cannot carry: the guard answers 502, and there is no tunnel.
      if (!guard.respond(stream, out)) {
        this.finish(502, 'protocol');
        upstream.destroy();
        return;
      }
      this.finish(200);
      const rest = buf.subarray(res.headLength);
      answerHead = upstream.bytesRead - rest.length;
      buf = null;
      if (rest.length > 0) stream.write(rest);
      upstream.pipe(stream);
      stream.pipe(upstream);
      // An idle tunnel is fine; one whose client stopped taking what the upstream sends is not.
      watchSend(this.dp.sends, stream, () => cancelStream(stream));
    };
    upstream.on('data', onHead);
    upstream.once('end', () => {
      if (!answered) fail(UPSTREAM_RESET, 'reset');
    });
    stream.on('error', () => upstream.destroy());
    stream.once('close', () => {
      // The bytes that crossed the tunnel each way, the handshake's heads left out.
      this.tunnelClosed(Math.max(0, upstream.bytesWritten - Buffer.byteLength(head, 'latin1')), Math.max(0, upstream.bytesRead - answerHead));
      upstream.destroy();
      if (!answered) {
        answered = true;
        this.finish(499);
      }
    });
    // The upstream connection is gone both ways: so is the tunnel. Its FIN already ended our side of
    // the stream (pipe); closing the stream too frees it without waiting for the client's END_STREAM.
    upstream.once('close', (hadError) => {
      if (stream.destroyed) return;
      stream.close(hadError || !answered ? CANCEL : NO_ERROR);
    });
  }
}

/** Request fields an HTTP/2 client must not send here, or that the handshake sets itself. */
const HANDSHAKE_OWN: ReadonlySet<string> = new Set(['sec-websocket-key', 'connection', 'upgrade']);
