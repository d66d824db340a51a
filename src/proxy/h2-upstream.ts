// HTTP/2 cleartext (h2c) upstreams: one multiplexed session per upstream origin, kept across
// snapshot swaps (like the undici pools in upstreams.ts) and replaced when it ends (GOAWAY,
// error, close). The front ends (h1.ts, h2.ts) open streams on these sessions.
import http2 from 'node:http2';
import type { LiveOrigins } from './live-origins.ts';

export interface H2UpstreamOptions {
  /** connect timeout, ms */
  readonly connectTimeout: number;
  /** an idle session (no open streams) is closed after this, ms */
  readonly idleTimeout: number;
  /** per-session memory bound in MB (node:http2 maxSessionMemory) */
  readonly maxSessionMemory: number;
}

export const defaultH2UpstreamOptions: H2UpstreamOptions = { connectTimeout: 10_000, idleTimeout: 30_000, maxSessionMemory: 64 };

/** Headers node:http2 refuses on a request (connection-specific, RFC 9113 8.2.2). */
const H2_FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'http2-settings']);

export class H2Upstreams {
  readonly #sessions = new Map<string, http2.ClientHttp2Session>();
  readonly #options: H2UpstreamOptions;

  constructor(options: H2UpstreamOptions = defaultH2UpstreamOptions) {
    this.#options = options;
  }

  /** The live session to `origin` (`http://host:port`), connecting when there is none. */
  session(origin: string): http2.ClientHttp2Session {
    const existing = this.#sessions.get(origin);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = http2.connect(origin, {
      maxSessionMemory: this.#options.maxSessionMemory,
      // Many gRPC streams share one session: allow the upstream to open as many as it offers.
      peerMaxConcurrentStreams: 1000,
    });
    const forget = (): void => {
      if (this.#sessions.get(origin) === session) this.#sessions.delete(origin);
    };
    // After GOAWAY the session finishes its streams; new requests go to a fresh session.
    session.on('goaway', forget);
    session.on('close', forget);
    // Errors surface on the streams using the session; a session error only ends the session.
    session.on('error', forget);
    session.setTimeout(this.#options.idleTimeout, () => {
      if (activeStreams(session) === 0) session.close();
    });
    const connectTimer = setTimeout(() => {
      if (session.connecting) session.destroy(new Error(`connect timeout to ${origin}`));
    }, this.#options.connectTimeout);
    connectTimer.unref();
    session.once('connect', () => clearTimeout(connectTimer));
    session.once('close', () => clearTimeout(connectTimer));
    this.#sessions.set(origin, session);
    return session;
  }

  /** Sessions per origin, open and idle (no stream), for the metrics (read at scrape time). */
  connectionsByOrigin(): Map<string, { open: number; idle: number }> {
    const out = new Map<string, { open: number; idle: number }>();
    for (const [origin, session] of this.#sessions) if (!session.destroyed) out.set(origin, { open: 1, idle: activeStreams(session) === 0 ? 1 : 0 });
    return out;
  }

  /**
   * Opens a request stream. `raw` is the upstream header array built by upstreamRequestHeaders
   * (its `host` becomes `:authority`).
   */
  request(origin: string, method: string, path: string, raw: readonly string[], endStream: boolean): http2.ClientHttp2Stream {
    const headers = h2RequestHeaders(method, path, raw);
    const session = this.session(origin);
    const stream = session.request(headers, { endStream });
    openStreams.set(session, (openStreams.get(session) ?? 0) + 1);
    stream.once('close', () => openStreams.set(session, (openStreams.get(session) ?? 1) - 1));
    return stream;
  }

  /** Closes sessions to origins no cluster of the snapshot uses any more. */
  prune(live: LiveOrigins): void {
    for (const [origin, s] of this.#sessions) {
      if (!live.hasH2c(origin)) {
        this.#sessions.delete(origin);
        s.close();
      }
    }
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Graceful: open streams finish. */
  close(): void {
    for (const s of this.#sessions.values()) s.close();
    this.#sessions.clear();
  }

  destroy(): void {
    for (const s of this.#sessions.values()) s.destroy();
    this.#sessions.clear();
  }
}

// node:http2 does not expose a session's open stream count; the idle timer needs it.
const openStreams = new WeakMap<http2.ClientHttp2Session, number>();

function activeStreams(session: http2.ClientHttp2Session): number {
  return openStreams.get(session) ?? 0;
}

/** Raw [name, value, ...] headers -> an http2 request header object with pseudo-headers. */
export function h2RequestHeaders(method: string, path: string, raw: readonly string[]): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = { ':method': method, ':path': path, ':scheme': 'http' };
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'host') {
      out[':authority'] = value;
      continue;
    }
    if (name.charCodeAt(0) === 58 /* : */ || H2_FORBIDDEN.has(name)) continue;
    if (name === 'te' && value.trim().toLowerCase() !== 'trailers') continue;
    appendHeader(out, name, value);
  }
  return out;
}

export function appendHeader(out: http2.OutgoingHttpHeaders, name: string, value: string): void {
  const prev = out[name];
  if (prev === undefined) out[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else out[name] = [String(prev), value];
}

/** An upstream's HTTP/2 response headers without pseudo-headers, for an HTTP/1.1 or HTTP/2 client. */
export function h2ResponseHeaderPairs(headers: http2.IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const name of Object.keys(headers)) {
    if (name.charCodeAt(0) === 58 || H2_FORBIDDEN.has(name)) continue;
    const v = headers[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push(name, x);
    else out.push(name, String(v));
  }
  return out;
}
