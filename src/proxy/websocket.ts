// HTTP/1.1 Upgrade (WebSockets) on every HTTP/1.1 listener: decide() as for any request, then a
// raw TCP tunnel to the chosen endpoint. The request head goes up with the route's header edits
// (Upgrade/Connection kept); everything after it, starting with the upstream's own 101 answer,
// is piped byte for byte both ways, so frames and close codes pass through untouched.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { DataPlane } from './dataplane.ts';
import { decide } from './decide.ts';
import type { ListenerContext } from './listeners.ts';
import { strictTarget } from './h1-strict.ts';
import { upstreamRequestHeaders } from './headers.ts';
import { type LocalReply, NO_CONFIG, NO_ENDPOINTS, UPSTREAM_RESET, replyFor, textReply } from './local-reply.ts';
import { watchSend } from './client-deadlines.ts';
import { upstreamErrorReason } from './upstream-errors.ts';

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
    const started = process.hrtime.bigint();
    const done = (ingress: string, status: number): void => {
      dp.metrics.request(ctx.name, ingress, status, Number(process.hrtime.bigint() - started) / 1e9);
    };
    socket.on('error', () => socket.destroy());
    const router = dp.router;
    if (!router) {
      writeRaw(socket, NO_CONFIG);
      return done('', 503);
    }
    const raw = req.rawHeaders;
    // As for plain requests (listeners.ts): refuse, rather than forward a truncated header list.
    if (raw.length > 2 * maxHeadersCount) {
      writeRaw(socket, textReply(431, 'too many request headers'));
      return done('', 431);
    }
    const target = strictTarget(req);
    if (typeof target === 'string') {
      writeRaw(socket, textReply(400, target));
      return done('', 400);
    }
    const decision = decide(router, { listener: ctx.kind, secure: ctx.secure, method: req.method ?? 'GET', authority: target.authority, url: target.url, raw, normalizePath: ctx.normalizePath });
    if (decision.kind !== 'forward') {
      const { reply, ingress } = replyFor(decision);
      writeRaw(socket, reply);
      return done(ingress, reply.status);
    }
    const cluster = decision.split.cluster;
    const pick = dp.pick(cluster);
    if (!pick) {
      writeRaw(socket, NO_ENDPOINTS);
      return done(decision.ingress, 503);
    }
    const headers = upstreamRequestHeaders({
      raw,
      host: decision.upstreamHost,
      edits: decision.request,
      clientAddress: req.socket.remoteAddress,
      proto: ctx.secure ? 'https' : 'http',
      keepUpgrade: true,
    });
    let requestHead = `${req.method ?? 'GET'} ${decision.url} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) requestHead += `${headers[i]}: ${headers[i + 1]}\r\n`;
    requestHead += '\r\n';

    const upstream = net.connect({ host: pick.endpoint.address, port: pick.endpoint.port, noDelay: true });
    let answered = false;
    upstream.on('error', (err: Error & { code?: string }) => {
      if (!answered) {
        answered = true;
        dp.metrics.upstreamErrors.labels(cluster.name, upstreamErrorReason(err)).inc();
        writeRaw(socket, UPSTREAM_RESET);
        done(decision.ingress, 503);
      }
      socket.destroy();
    });
    upstream.once('connect', () => {
      upstream.write(requestHead, 'latin1');
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream);
    });
    upstream.once('data', (chunk: Buffer) => {
      answered = true;
      done(decision.ingress, statusOf(chunk));
      socket.write(chunk);
      upstream.pipe(socket);
      // An idle tunnel is fine; one whose client stopped taking what the upstream sends is not.
      watchSend(dp.sends, socket, () => socket.destroy());
    });
    upstream.once('end', () => {
      if (!answered) {
        answered = true;
        writeRaw(socket, UPSTREAM_RESET);
        done(decision.ingress, 503);
      }
    });
    socket.once('close', () => upstream.destroy());
    // A reset upstream resets the client too; an orderly end was already passed on by pipe().
    upstream.once('close', (hadError) => {
      if (hadError) socket.destroy();
    });
    tunnels.add(socket, upstream);
  };
}
