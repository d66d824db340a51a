// What a client HTTP/2 session may hold, and for how long: its open streams are tracked so that
// - an idle session (no open streams) is closed after the idle timeout;
// - a session idle that long with streams open must answer a PING, or it is dropped: after a
//   connection error nghttp2 terminates the session (GOAWAY) and stops reading, but node keeps
//   the socket and the streams open, and nothing the client does can reach them any more;
// - a client's FIN ends the session at once, streams and all, as nginx and Envoy do: the plain
//   listeners accept half-open sockets (node:http needs them), and a half-closed HTTP/2 client
//   can send no WINDOW_UPDATE, ACK or RST_STREAM any more, so nothing in flight can rely on it;
// - a client that resets streams faster than a budget allows (the "rapid reset" attack,
//   CVE-2023-44487) gets GOAWAY ENHANCE_YOUR_CALM and loses the connection.
import http2 from 'node:http2';
import { resetByUs } from './h2-stream-guard.ts';
import { sniOf } from './request-facts.ts';

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_NO_ERROR } = http2.constants;

/**
 * Resets a client may make: a burst, refilled at a steady rate (a token bucket). Browsers cancel a
 * few streams on navigation and gRPC clients cancel calls; hundreds at once are an attack. Stricter
 * than nghttp2's own limit (1,000, then 33 a second), which would leave the connection open: when
 * nghttp2 sends its GOAWAY, node keeps the socket (see above).
 */
export const RESET_BURST = 500;
export const RESETS_PER_SECOND = 30;

const STATE = Symbol('sluice.h2SessionState');

interface SessionState {
  readonly streams: Set<http2.ServerHttp2Stream>;
  /** the client's address and TLS SNI name, read once: session.socket is a Proxy, costly per request */
  readonly peer: SessionPeer;
  resetTokens: number;
  /** ms timestamp of the last refill */
  refilled: number;
  /** the deadline of an unanswered PING */
  pingTimer: NodeJS.Timeout | undefined;
  /** over its reset budget: destroyed on the next turn of the event loop */
  condemned?: boolean;
}

export interface SessionPeer {
  readonly address: string | undefined;
  readonly sni: string | undefined;
}

type GuardedSession = http2.ServerHttp2Session & { [STATE]?: SessionState };

export interface SessionGuardLimits {
  /** ms without frames after which a session is closed or asked for a PING */
  readonly idleTimeout: number;
}

export function guardSession(session: http2.ServerHttp2Session, limits: SessionGuardLimits): void {
  const socket = session.socket;
  const peer = { address: socket.remoteAddress, sni: sniOf(socket) };
  const state: SessionState = { streams: new Set(), peer, resetTokens: RESET_BURST, refilled: Date.now(), pingTimer: undefined };
  (session as GuardedSession)[STATE] = state;
  session.on('error', () => session.destroy());
  session.once('close', () => clearTimeout(state.pingTimer));
  session.setTimeout(limits.idleTimeout, () => {
    // Long-lived streams (gRPC) keep a live session open; a dead one is found by the PING.
    if (state.streams.size === 0) session.close();
    expectPing(session, state, Math.min(limits.idleTimeout, 10_000));
  });
  // session.socket is node's proxy of the socket; listening on it is allowed.
  socket.once('end', () => session.destroy());
}

/** The client's address and SNI name of a stream's session (guardSession), read off the socket when it has none. */
export function peerOf(stream: http2.ServerHttp2Stream): SessionPeer {
  const session = stream.session as GuardedSession | undefined;
  const peer = session?.[STATE]?.peer;
  if (peer !== undefined) return peer;
  const socket = session?.socket;
  return { address: socket?.remoteAddress, sni: sniOf(socket) };
}

/** Counts a new stream on its session (call from the server's 'stream' event). */
export function trackStream(stream: http2.ServerHttp2Stream): void {
  const session = stream.session as GuardedSession | undefined;
  const state = session?.[STATE];
  if (session === undefined || state === undefined) return;
  state.streams.add(stream);
  // node:http2 has cleared stream.session by the time 'close' is emitted: the stream keeps it for
  // one shared listener (no closure per stream; 'close' comes once, so no once() wrapper either).
  (stream as TrackedStream)[SESSION] = session;
  stream.on('close', trackedStreamClosed);
}

/** A tracked stream's session, kept for its 'close'; and who else wants to know (whenClosed). */
const SESSION = Symbol('sluice.h2StreamSession');
const CLOSED = Symbol('sluice.h2StreamClosed');
type TrackedStream = http2.ServerHttp2Stream & { [SESSION]?: GuardedSession; [CLOSED]?: StreamCloseListener };

export interface StreamCloseListener {
  onStreamClose(): void;
}

/**
 * Tells `l` when the stream closes, after the session's own bookkeeping. A tracked stream already
 * has a 'close' listener: sharing it spares each request a second listener (and the array that
 * two listeners of one event need). One per stream; a later call replaces it.
 */
export function whenClosed(stream: http2.ServerHttp2Stream, l: StreamCloseListener): void {
  const s = stream as TrackedStream;
  if (s[SESSION] !== undefined) s[CLOSED] = l;
  else stream.once('close', () => l.onStreamClose());
}

function trackedStreamClosed(this: TrackedStream): void {
  const session = this[SESSION]!;
  const state = session[STATE]!;
  state.streams.delete(this);
  // Only resets before the response count: cancelling a stream that is being answered (a gRPC
  // stream, a download) is ordinary; opening streams only to reset them is the attack.
  if ((this.rstCode ?? NGHTTP2_NO_ERROR) !== NGHTTP2_NO_ERROR && !this.headersSent && !resetByUs(this)) peerReset(session, state);
  // Last, as when it had its own listener (added after this one).
  this[CLOSED]?.onStreamClose();
}

function peerReset(session: http2.ServerHttp2Session, state: SessionState): void {
  const now = Date.now();
  state.resetTokens = Math.min(RESET_BURST, state.resetTokens + ((now - state.refilled) * RESETS_PER_SECOND) / 1000);
  state.refilled = now;
  if (--state.resetTokens >= 0 || session.destroyed || state.condemned) return;
  state.condemned = true;
  // Not from inside this stream's 'close': node can emit it while nghttp2 is still taking the
  // read apart, and destroying the session there has aborted Node 20 in its HTTP/2 memory
  // accounting. destroy() with a code sends GOAWAY with it (without an error the code is ignored).
  setImmediate(() => {
    if (!session.destroyed) session.destroy(new Error('too many streams reset by the client'), NGHTTP2_ENHANCE_YOUR_CALM);
  });
}

/** Destroys the session unless it answers a PING within `boundMs` (or closes by itself). */
function expectPing(session: http2.ServerHttp2Session, state: SessionState, boundMs: number): void {
  if (session.destroyed || state.pingTimer !== undefined) return;
  try {
    session.ping((err) => {
      if (err !== null) return;
      clearTimeout(state.pingTimer);
      state.pingTimer = undefined;
    });
  } catch {
    // A session node will not send a PING on is not usable either.
    session.destroy();
    return;
  }
  state.pingTimer = setTimeout(() => {
    if (!session.destroyed) session.destroy();
  }, boundMs);
  state.pingTimer.unref();
}
