// What a server connection may be told (H2ServerOptions) and the defaults it runs with: every
// bound the core enforces against a hostile client, in one place.
import type { HeaderCodec } from './header-codec.ts';

export interface H2ServerOptions {
  /** HPACK for requests and responses; default hpack.ts's (codec.ts). */
  codec?: HeaderCodec;
  /** Streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); default 250. */
  maxConcurrentStreams?: number;
  /** Each stream's receive window; default 256 KiB. */
  initialWindowSize?: number;
  /** The connection's receive window; default 1 MiB. */
  connectionWindowSize?: number;
  maxFrameSize?: number;
  /** Header list size (RFC 9113 6.5.2) a request may have; default 64 KiB. */
  maxHeaderListSize?: number;
  /** Closes (GOAWAY) a connection with no open stream idle this long; 0 for never. Default 0. */
  idleTimeoutMs?: number;
  /** Bytes the socket may hold unwritten before the client is taken as not reading; default 4 MiB. */
  maxQueuedOutput?: number;
  /** Streams the client may reset before their response ends (CVE-2023-44487): burst and refill per second. */
  rapidReset?: { burst: number; perSecond: number };
  /** SETTINGS and PING frames the client may send: burst and refill per second. */
  controlFrames?: { burst: number; perSecond: number };
  /** Our SETTINGS must be acknowledged within this, else GOAWAY SETTINGS_TIMEOUT; default 10 s, 0 for never. */
  settingsTimeoutMs?: number;
  /** PING a connection nothing was read from for intervalMs; no ACK within timeoutMs drops it. Default off. */
  keepAlive?: { intervalMs: number; timeoutMs: number };
  /** A stream waiting on the client with no progress this long is reset CANCEL; default 5 min, 0 for never. */
  streamIdleTimeoutMs?: number;
  /** Streams that may wait on the client longer than stalledAfterMs (default 10 s) at once; default 100. */
  maxStalledStreams?: number;
  stalledAfterMs?: number;
  /** Response bytes queued across a connection's streams past which every write() returns false; default 1 MiB. */
  maxBufferedResponse?: number;
}

/** Options with every default filled in. */
export type H2Limits = Required<Omit<H2ServerOptions, 'codec' | 'keepAlive'>> & Pick<H2ServerOptions, 'keepAlive'>;

export function resolveLimits(o: H2ServerOptions): H2Limits {
  return {
    maxConcurrentStreams: o.maxConcurrentStreams ?? 250,
    initialWindowSize: o.initialWindowSize ?? 256 * 1024,
    connectionWindowSize: o.connectionWindowSize ?? 1024 * 1024,
    maxFrameSize: o.maxFrameSize ?? 16_384,
    maxHeaderListSize: o.maxHeaderListSize ?? 65_536,
    idleTimeoutMs: o.idleTimeoutMs ?? 0,
    maxQueuedOutput: o.maxQueuedOutput ?? 4 * 1024 * 1024,
    rapidReset: o.rapidReset ?? { burst: 500, perSecond: 30 },
    controlFrames: o.controlFrames ?? { burst: 1000, perSecond: 200 },
    settingsTimeoutMs: o.settingsTimeoutMs ?? 10_000,
    keepAlive: o.keepAlive,
    streamIdleTimeoutMs: o.streamIdleTimeoutMs ?? 300_000,
    maxStalledStreams: o.maxStalledStreams ?? 100,
    stalledAfterMs: o.stalledAfterMs ?? 10_000,
    maxBufferedResponse: o.maxBufferedResponse ?? 1024 * 1024,
  };
}
