// HTTP/1.1 Upgrade (WebSockets) on every HTTP/1.1 listener: the exchange core as for any request, then a
// raw TCP tunnel to the chosen endpoint. The request head goes up with the route's header edits
// (Upgrade/Connection kept); everything after it, starting with the upstream's own 101 answer
// (its head re-written only for a route that edits response headers), is piped byte for byte both
// ways, so frames and close codes pass through untouched.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { DataPlane } from './dataplane.ts';
import { Exchange, FORWARD, FROM_UPGRADE, LOCAL, type Step } from './exchange.ts';
import { HeadError, parseResponseHead } from './fast/parse.ts';
import { RESPONSE_LIMITS } from './fast/upstream-pool.ts';
import { responseHead } from './fast/wire.ts';
import type { ListenerContext } from './listeners.ts';
import { strictTarget } from './h1-strict.ts';
import { clientResponseHeaders } from './headers.ts';
import { type LocalReply, TOO_MANY_HEADERS, UPSTREAM_RESET } from './local-reply.ts';
import { h1Facts } from './request-facts.ts';
import { watchSend } from './client-deadlines.ts';

/** Open tunnels, so shutdown can end them (they no longer belong to the HTTP server). */
export class Tunnels {
  readonly #open = new Set<Duplex>();
  add(a: Duplex, b: Duplex): void {
    this.#open.add(a);
    this.#open.add(b);
    a.once('close', () => this.#open.delete(a));
    b.once('close', () => this.#open.delete(b));
  }
  get size(): number {
    return this.#open.size / 2;
  }
  destroyAll(): void {
    for (const s of this.#open) s.destroy();
    this.#open.clear();
  }
}

function writeRaw(socket: Duplex, reply: LocalReply): void {
  const body = Buffer.from(reply.body);
  let head = `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}\r\n`;
  for (const [n, v] of reply.headers) head += `${n}: ${v}\r\n`;
  head += `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

/** Status code of an HTTP/1.x status line at the start of `chunk` (0 when unreadable). */
function statusOf(chunk: Buffer): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(chunk.subarray(0, 16).toString('latin1'));
  return m ? Number(m[1]) : 0;
}

export function createUpgradeHandler(dp: DataPlane, ctx: ListenerContext, tunnels: Tunnels, maxHeadersCount: number) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const raw = req.rawHeaders;
    const target = strictTarget(req);
    const x = new UpgradeExchange(dp, ctx.name, socket, head, tunnels);
    // As for plain requests (listeners.ts): refuse, rather than forward a truncated header list.
    x.proceed(x.begin(h1Facts(ctx, req, target, true, undefined, raw.length > 2 * maxHeadersCount ? TOO_MANY_HEADERS : undefined)));
  };
}

/** One HTTP/1.1 Upgrade through the exchange core, then a tunnel. */
class UpgradeExchange extends Exchange {
  readonly #socket: Duplex;
  readonly #head: Buffer;
  readonly #tunnels: Tunnels;

  constructor(dp: DataPlane, listener: string, socket: Duplex, head: Buffer, tunnels: Tunnels) {
    super(dp, listener, FROM_UPGRADE);
    this.#socket = socket;
    this.#head = head;
    this.#tunnels = tunnels;
  }

  override proceed(step: Step): void {
    if (step === LOCAL) writeRaw(this.#socket, this.reply);
    // The client left while the handshake was held (a fault delay, a policy deciding): no tunnel.
    else if (step === FORWARD && this.#socket.destroyed) this.finish(499);
    else if (step === FORWARD) this.#tunnel();
  }

  #tunnel(): void {
    const socket = this.#socket;
    const headers = this.headers;
    let requestHead = `${this.method} ${this.url} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) requestHead += `${headers[i]}: ${headers[i + 1]}\r\n`;
    requestHead += '\r\n';

    const upstream = net.connect({ host: this.endpoint!.address, port: this.endpoint!.port, noDelay: true });
    let answered = false;
    upstream.on('error', (err: Error & { code?: string }) => {
      if (!answered) {
        answered = true;
        writeRaw(socket, UPSTREAM_RESET);
        this.finish(503, err);
      }
      socket.destroy();
    });
    upstream.once('connect', () => {
      upstream.write(requestHead, 'latin1');
      if (this.#head.length > 0) upstream.write(this.#head);
      socket.pipe(upstream);
    });
    // The upstream's answer passes as bytes, unless the route edits response headers: then its
    // head is read whole and written again with the edits.
    let buf: Buffer | null = null;
    // The upstream's answer head, for the tunnel's byte counts (tunnelClosed below).
    let answerHead = 0;
    const onAnswer = (chunk: Buffer): void => {
      let out = chunk;
      let status = statusOf(chunk);
      if (this.editsResponse) {
        buf = buf === null ? chunk : Buffer.concat([buf, chunk]);
        const res = parseResponseHead(buf, 0, buf.length, RESPONSE_LIMITS, false);
        if (res === undefined) return;
        if (res instanceof HeadError) {
          answered = true;
          writeRaw(socket, UPSTREAM_RESET);
          this.finish(503, 'protocol');
          upstream.destroy();
          return;
        }
        status = res.status;
        const fields = this.responseHeaders(status, clientResponseHeaders(res.raw, true));
        out = Buffer.concat([Buffer.from(responseHead(status, res.reason, fields, false, false), 'latin1'), buf.subarray(res.headLength)]);
        buf = null;
      }
      upstream.off('data', onAnswer);
      answered = true;
      answerHead = upstream.bytesRead - out.length + Math.max(0, out.indexOf('\r\n\r\n') + 4);
      this.finish(status);
      socket.write(out);
      upstream.pipe(socket);
      // An idle tunnel is fine; one whose client stopped taking what the upstream sends is not.
      watchSend(this.dp.sends, socket, () => socket.destroy());
    };
    upstream.on('data', onAnswer);
    upstream.once('end', () => {
      if (!answered) {
        answered = true;
        writeRaw(socket, UPSTREAM_RESET);
        this.finish(503, 'reset');
      }
    });
    socket.once('close', () => {
      // The bytes that crossed the tunnel each way, the handshake's heads left out.
      this.tunnelClosed(Math.max(0, upstream.bytesWritten - Buffer.byteLength(requestHead, 'latin1')), Math.max(0, upstream.bytesRead - answerHead));
      upstream.destroy();
      if (!answered) {
        answered = true;
        this.finish(499);
      }
    });
    // A reset upstream resets the client too; an orderly end was already passed on by pipe().
    upstream.once('close', (hadError) => {
      if (hadError) socket.destroy();
    });
    this.#tunnels.add(socket, upstream);
  }
}
