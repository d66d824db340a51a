// WebSockets over HTTP/2 (RFC 8441): a client that holds an h2 connection opens a WebSocket as a
// stream with `:method CONNECT` and `:protocol websocket`, once the server has sent
// SETTINGS_ENABLE_CONNECT_PROTOCOL. Browsers do this rather than open a second connection.
// The stream is routed like any request (decide()), then carried to the upstream as an HTTP/1.1
// Upgrade, which every WebSocket server speaks: the upstream's 101 becomes the stream's 200, and
// from then on the stream's DATA and the upstream socket's bytes are the same WebSocket frames.
import { createHash, randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import net from 'node:net';
import type { DataPlane } from './dataplane.ts';
import { decide } from './decide.ts';
import { HeadError, parseResponseHead } from './fast/parse.ts';
import { RESPONSE_LIMITS } from './fast/upstream-pool.ts';
import { pairsToObject, writeLocalH2 } from './h2-proxy.ts';
import type { ListenerContext } from './listeners.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { rawHeader } from './router.ts';
import { NO_CONFIG, NO_ENDPOINTS, UPSTREAM_RESET, replyFor, textReply } from './local-reply.ts';
import { cancelStream, watchSend } from './client-deadlines.ts';
import type { Tunnels } from './websocket.ts';
import { type UpstreamErrorReason, upstreamErrorReason } from './upstream-errors.ts';

const { NGHTTP2_CANCEL, NGHTTP2_CONNECT_ERROR, NGHTTP2_NO_ERROR } = http2.constants;
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Is this HTTP/2 request an RFC 8441 WebSocket (extended CONNECT)? */
export function isExtendedConnect(headers: http2.IncomingHttpHeaders): boolean {
  return headers[':method'] === 'CONNECT' && headers[':protocol'] === 'websocket';
}

/**
 * Routes and tunnels one extended-CONNECT stream. `raw` holds the request's regular headers (no
 * pseudo-headers) with `host` set from `:authority`, as the HTTP/2 front end builds them.
 */
export function proxyH2WebSocket(dp: DataPlane, ctx: ListenerContext, tunnels: Tunnels, stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, raw: readonly string[]): void {
  const started = process.hrtime.bigint();
  const done = (ingress: string, status: number): void => {
    dp.metrics.request(ctx.name, ingress, status, Number(process.hrtime.bigint() - started) / 1e9);
  };
  const router = dp.router;
  if (!router) {
    writeLocalH2(stream, NO_CONFIG, false, undefined);
    return done('', 503);
  }
  const path = headers[':path'];
  const authority = headers[':authority'];
  // RFC 8441 4: an extended CONNECT carries :scheme and :path like any request.
  if (path === undefined || authority === undefined || headers[':scheme'] === undefined) {
    writeLocalH2(stream, textReply(400, 'extended CONNECT needs :scheme, :path and :authority'), false, undefined);
    return done('', 400);
  }
  const decision = decide(router, { listener: ctx.kind, secure: ctx.secure, method: 'GET', authority, url: path, raw, normalizePath: ctx.normalizePath });
  if (decision.kind !== 'forward') {
    const { reply, ingress } = replyFor(decision);
    writeLocalH2(stream, reply, false, undefined);
    return done(ingress, reply.status);
  }
  const cluster = decision.split.cluster;
  const pick = dp.pick(cluster);
  if (!pick) {
    writeLocalH2(stream, NO_ENDPOINTS, false, undefined);
    return done(decision.ingress, 503);
  }
  // The HTTP/1.1 handshake the upstream expects: a key of our own (HTTP/2 has none), the client's
  // version, subprotocols and extensions passed through.
  const key = randomBytes(16).toString('base64');
  const upstreamHeaders = upstreamRequestHeaders({
    raw,
    host: decision.upstreamHost,
    edits: decision.request,
    clientAddress: stream.session?.socket?.remoteAddress,
    proto: ctx.secure ? 'https' : 'http',
    drop: HANDSHAKE_OWN,
  });
  let head = `GET ${decision.url} HTTP/1.1\r\n`;
  for (let i = 0; i < upstreamHeaders.length; i += 2) head += `${upstreamHeaders[i]}: ${upstreamHeaders[i + 1]}\r\n`;
  head += `connection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-key: ${key}\r\n`;
  if (headers['sec-websocket-version'] === undefined) head += 'sec-websocket-version: 13\r\n';
  head += '\r\n';

  const upstream = net.connect({ host: pick.endpoint.address, port: pick.endpoint.port, noDelay: true });
  tunnels.add(stream, upstream);
  let answered = false;
  let buf: Buffer | null = null;
  const fail = (status: number, reason: UpstreamErrorReason): void => {
    if (answered) return;
    answered = true;
    dp.metrics.upstreamErrors.labels(cluster.name, reason).inc();
    writeLocalH2(stream, status === 503 ? UPSTREAM_RESET : textReply(status, 'upstream refused the WebSocket handshake'), false, undefined);
    done(decision.ingress, status);
    upstream.destroy();
  };
  upstream.on('error', (err: Error & { code?: string }) => {
    if (!answered) return fail(503, upstreamErrorReason(err));
    // A tunnel the upstream broke: the client's stream is reset, as a TCP reset would be.
    if (!stream.destroyed) stream.close(NGHTTP2_CONNECT_ERROR);
  });
  upstream.once('connect', () => upstream.write(head, 'latin1'));
  const onHead = (chunk: Buffer): void => {
    buf = buf === null ? chunk : Buffer.concat([buf, chunk]);
    const res = parseResponseHead(buf, 0, buf.length, RESPONSE_LIMITS, false);
    if (res === undefined) return;
    upstream.off('data', onHead);
    if (res instanceof HeadError) return fail(502, 'protocol');
    if (res.status !== 101) {
      // Refused (a 4xx/5xx from the app, say): its status and headers reach the client, not a tunnel.
      answered = true;
      done(decision.ingress, res.status);
      writeLocalH2(stream, { status: res.status, headers: [], body: '' }, false, undefined);
      upstream.destroy();
      return;
    }
    const accept = rawHeader(res.raw, 'sec-websocket-accept');
    if (accept !== createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64')) return fail(502, 'protocol');
    if (stream.destroyed) {
      upstream.destroy();
      return;
    }
    answered = true;
    done(decision.ingress, 200);
    // The 101's own fields (subprotocol, extensions) go to the client; the handshake fields do not.
    // clientResponseHeaders drops Connection and Upgrade; the accept key is the HTTP/1.1 handshake's own.
    const out = pairsToObject(200, clientResponseHeaders(res.raw));
    delete out['sec-websocket-accept'];
    stream.respond(out);
    const rest = buf.subarray(res.headLength);
    buf = null;
    if (rest.length > 0) stream.write(rest);
    upstream.pipe(stream);
    stream.pipe(upstream);
    // An idle tunnel is fine; one whose client stopped taking what the upstream sends is not.
    watchSend(dp.sends, stream, () => cancelStream(stream));
  };
  upstream.on('data', onHead);
  upstream.once('end', () => {
    if (!answered) fail(503, 'reset');
  });
  stream.on('error', () => upstream.destroy());
  stream.once('close', () => {
    upstream.destroy();
    if (!answered) {
      answered = true;
      done(decision.ingress, 499);
    }
  });
  // The upstream connection is gone both ways: so is the tunnel. Its FIN already ended our side of
  // the stream (pipe); closing the stream too frees it without waiting for the client's END_STREAM.
  upstream.once('close', (hadError) => {
    if (stream.destroyed) return;
    stream.close(hadError || !answered ? NGHTTP2_CANCEL : NGHTTP2_NO_ERROR);
  });
}

/** Request fields an HTTP/2 client must not send here, or that the handshake sets itself. */
const HANDSHAKE_OWN: ReadonlySet<string> = new Set(['sec-websocket-key', 'connection', 'upgrade']);
