// The server side of one HTTP/2 connection (RFC 9113) on any Duplex: a net.Socket for h2c with
// prior knowledge, a TLSSocket after ALPN chose h2. Reads frames (frame-reader.ts), keeps stream
// states and both directions' flow control, and writes through one output buffer flushed once per
// batch (connection-output.ts, frame-writer.ts). Frame semantics live in connection-frames.ts; the
// stream API is stream.ts; deadlines in watchdog.ts; flood bounds in flood-guard.ts; graceful
// shutdown (shutdown() below) in shutdown.ts; every limit and its default in options.ts.
import type { Duplex } from 'node:stream';
import { Budget } from './budget.ts';
import { hpackCodec } from './codec.ts';
import {
  CANCEL, CLIENT_PREFACE, DEFAULT_WINDOW, ENHANCE_YOUR_CALM, H2ProtocolError, INTERNAL_ERROR,
  NO_ERROR, PROTOCOL_ERROR,
} from './frames.ts';
import { ConnectionOutput } from './connection-output.ts';
import { FloodGuard } from './flood-guard.ts';
import { FrameReader } from './frame-reader.ts';
import { FrameWriter } from './frame-writer.ts';
import type { HeaderDecoder, HeaderEncoder } from './header-codec.ts';
import { type H2ServerOptions, resolveLimits } from './options.ts';
import { SHUTDOWN_OPAQUE, Shutdown } from './shutdown.ts';
import { Watchdog } from './watchdog.ts';
import { type LocalSettings, type PeerSettings, defaultPeerSettings, localSettingsPairs } from './settings.ts';
import { H2Stream, type StreamHost } from './stream.ts';
import { type PendingBlock, handleFrame } from './connection-frames.ts';

export type { H2ServerOptions } from './options.ts';

export type StreamHandler = (stream: H2Stream) => void;

/** Streams remembered after closing, so late frames on them get the right answer (RFC 9113 5.1). */
const RECENTLY_CLOSED = 256;
/** A connection that does not close after its GOAWAY is destroyed after this long. */
const CLOSE_GRACE_MS = 1000;

export class H2Connection implements StreamHost {
  readonly socket: Duplex;
  readonly local: LocalSettings;
  readonly peer: PeerSettings = defaultPeerSettings();
  readonly decoder: HeaderDecoder;
  readonly encoder: HeaderEncoder;
  readonly writer: FrameWriter;
  readonly reader: FrameReader;
  readonly streams = new Map<number, H2Stream>();
  readonly onStream: StreamHandler;
  readonly rapidResets: Budget;
  readonly controlFrames: Budget;
  readonly watchdog: Watchdog;
  readonly floods = new FloodGuard();
  /** Called once when the socket is gone. */
  onClose: () => void = () => {};
  /** Highest stream id the client opened. */
  lastStreamId = 0;
  /** Our connection receive window as the client sees it, and bytes consumed not yet given back. */
  recvWindow = DEFAULT_WINDOW;
  connUnacked = 0;
  readonly connWindowTarget: number;
  sendWindow = DEFAULT_WINDOW;
  /** GOAWAY sent: no new stream is accepted. */
  goingAway = false;
  dead = false;
  /**
   * Recently closed streams. -1: closed as far as the client knows (its later frames are errors).
   * 0 or more: we reset it and the client may not know yet, so its late frames are ignored; the
   * value is the stream's send window, still checked against WINDOW_UPDATE overflow (6.9.1).
   */
  readonly recentlyClosed = new Map<number, number>();
  readonly maxQueuedOutput: number;
  readonly output: ConnectionOutput;
  /** A header block still waiting for its CONTINUATION frames. */
  pendingBlock: PendingBlock | undefined = undefined;
  #prefaceSeen = 0;
  #shutdown: Shutdown | undefined = undefined;
  #onClosed: () => void = () => {};
  readonly #closedPromise = new Promise<void>((resolve) => {
    this.#onClosed = resolve;
  });

  constructor(socket: Duplex, options: H2ServerOptions, onStream: StreamHandler) {
    this.socket = socket;
    this.onStream = onStream;
    const limits = resolveLimits(options);
    this.local = {
      maxConcurrentStreams: limits.maxConcurrentStreams,
      initialWindowSize: limits.initialWindowSize,
      maxFrameSize: limits.maxFrameSize,
      maxHeaderListSize: limits.maxHeaderListSize,
    };
    this.connWindowTarget = Math.max(DEFAULT_WINDOW, limits.connectionWindowSize);
    this.maxQueuedOutput = limits.maxQueuedOutput;
    this.output = new ConnectionOutput(this, limits.maxBufferedResponse);
    this.rapidResets = new Budget(limits.rapidReset.burst, limits.rapidReset.perSecond);
    this.controlFrames = new Budget(limits.controlFrames.burst, limits.controlFrames.perSecond);
    const codec = options.codec ?? hpackCodec(this.local.maxHeaderListSize);
    this.decoder = codec.decoder();
    this.encoder = codec.encoder();
    this.writer = new FrameWriter(socket);
    this.reader = new FrameReader({
      frame: (type, flags, id, payload) => handleFrame(this, type, flags, id, payload),
      oversized: () => this.fail(new H2ProtocolError(0x6 /* FRAME_SIZE_ERROR */, 0, 'frame larger than MAX_FRAME_SIZE')),
    }, this.local.maxFrameSize);
    this.watchdog = new Watchdog(this, limits);

    this.writer.settings(localSettingsPairs(this.local));
    this.watchdog.settingsSent();
    if (this.connWindowTarget > DEFAULT_WINDOW) {
      this.writer.windowUpdate(0, this.connWindowTarget - DEFAULT_WINDOW);
      this.recvWindow = this.connWindowTarget;
    }
    this.writer.flush();

    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    // A client's FIN ends the connection: a half-closed client can acknowledge nothing more.
    socket.on('end', () => this.destroy());
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.#closed());
    socket.on('drain', () => this.output.drained());
  }

  /** Bytes a listener read before handing the socket over (it sniffed the preface to pick HTTP/2). */
  receive(chunk: Buffer): void {
    this.#read(chunk);
  }

  /**
   * Graceful shutdown for a server going away (RFC 9113 6.8), in two steps: GOAWAY 2^31-1 and a
   * PING now; after the PING's round trip (at most 1 s, or half the deadline) GOAWAY with the last
   * stream processed. Streams opened before that are served; later ones are refused with
   * REFUSED_STREAM (the client may retry them on another connection). The socket ends when the
   * last stream finishes, or is destroyed at `deadlineMs` (open streams see onClose(CANCEL)).
   * Resolves once the socket is gone. Calling it again returns the first call's promise.
   */
  shutdown(deadlineMs = 5000): Promise<void> {
    if (this.dead && this.socket.destroyed) return Promise.resolve();
    this.#shutdown ??= new Shutdown(this, deadlineMs, this.#closedPromise);
    return this.#shutdown.done;
  }

  /** A PING ACK: ours for keep-alive or for shutdown. */
  pingAcked(opaque: Buffer): void {
    if (this.watchdog.pingAcked(opaque)) return;
    if (this.#shutdown !== undefined && opaque.equals(SHUTDOWN_OPAQUE)) this.#shutdown.pingAcked();
  }

  /** Graceful close at once: GOAWAY with the last stream id; open streams finish, then the socket ends. */
  close(): void {
    if (this.dead || this.goingAway) return;
    this.goingAway = true;
    this.writer.goaway(this.lastStreamId, NO_ERROR);
    this.output.flushSoon();
    if (this.streams.size === 0) this.#endSocket();
  }

  destroy(): void {
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** A connection error (RFC 9113 5.4.1): GOAWAY with the code, then the socket ends. */
  fail(err: H2ProtocolError): void {
    if (this.dead) return;
    this.goingAway = true;
    this.reader.stop();
    this.writer.goaway(this.lastStreamId, err.code, err.message);
    this.writer.flush();
    this.#endSocket();
  }

  #endSocket(): void {
    this.dead = true;
    this.reader.stop();
    this.writer.flush();
    this.socket.end();
    setTimeout(() => this.destroy(), CLOSE_GRACE_MS).unref();
  }

  #read(chunk: Buffer): void {
    if (this.dead) return;
    this.watchdog.readTick = this.watchdog.tick;
    if (this.#prefaceSeen < CLIENT_PREFACE.length) {
      chunk = this.#preface(chunk);
      if (chunk.length === 0) return;
    }
    this.output.inRead = true;
    try {
      this.reader.push(chunk);
    } catch (err) {
      // A consumer's callback threw: the connection cannot be trusted to be in a known state.
      this.fail(err instanceof H2ProtocolError ? err : new H2ProtocolError(INTERNAL_ERROR, 0, 'internal error'));
    }
    this.output.inRead = false;
    this.output.flushNow();
  }

  /** Checks the client preface (RFC 9113 3.4); returns what follows it. */
  #preface(chunk: Buffer): Buffer {
    const n = Math.min(chunk.length, CLIENT_PREFACE.length - this.#prefaceSeen);
    if (CLIENT_PREFACE.compare(chunk, 0, n, this.#prefaceSeen, this.#prefaceSeen + n) !== 0) {
      this.fail(new H2ProtocolError(PROTOCOL_ERROR, 0, 'invalid connection preface'));
      return chunk.subarray(0, 0);
    }
    this.#prefaceSeen += n;
    return chunk.subarray(n);
  }

  /** Takes a stream out of the connection and tells its consumer. */
  closeStream(s: H2Stream, code: number, byPeer: boolean, resetByUs: boolean): void {
    if (s.closed) return;
    this.streams.delete(s.id);
    this.recentlyClosed.set(s.id, resetByUs ? Math.max(0, s.sendWindow) : -1);
    if (this.recentlyClosed.size > RECENTLY_CLOSED) this.recentlyClosed.delete(this.recentlyClosed.keys().next().value!);
    this.output.streamClosed(s);
    // Body bytes the consumer never took still count against the connection window.
    if (s.unconsumed > 0) this.creditConnection(s.unconsumed);
    s.unconsumed = 0;
    s.finish(code, byPeer);
    if (this.streams.size === 0) this.watchdog.idleSince = this.watchdog.tick;
    if (this.goingAway && this.streams.size === 0 && !this.dead) this.#endSocket();
  }

  /** Gives `n` consumed bytes back to the client's connection window once half of it is used. */
  creditConnection(n: number): void {
    this.connUnacked += n;
    if (this.connUnacked >= this.connWindowTarget >>> 1 && !this.dead) {
      this.writer.windowUpdate(0, this.connUnacked);
      this.recvWindow += this.connUnacked;
      this.connUnacked = 0;
      this.output.flushSoon();
    }
  }

  /** Every stream blocked on the connection window (or the socket) may send now. */
  resumeSending(s?: H2Stream): void {
    if (s !== undefined && !s.closed && (s.queued > 0 || s.ending)) this.output.schedule(s);
    if (this.output.hasSendable) this.output.flushSoon();
  }

  /** Unwritten output past the cap: a client that makes us answer (PING, SETTINGS) but does not read. */
  outputFull(): boolean {
    return this.socket.writableLength + this.writer.pending > this.maxQueuedOutput;
  }

  /**
   * We reset a stream because the client misbehaved (a stream error, a stall): it costs from the
   * reset budget as a client's reset would. False when that ended the connection.
   */
  countServerReset(): boolean {
    if (this.resetWithinBounds()) return true;
    this.fail(new H2ProtocolError(ENHANCE_YOUR_CALM, 0, 'too many streams reset'));
    return false;
  }

  /**
   * A stream ended before its response did (CVE-2023-44487): within the rate budget, and such
   * streams not most of the connection's (the slow variant the rate budget alone allows).
   */
  resetWithinBounds(): boolean {
    return this.rapidResets.spend() && this.floods.premature();
  }

  /** A connection-owned frame was written outside a read (a PING answer, a reset). */
  flushSoon(): void {
    this.output.flushSoon();
  }

  // ---- StreamHost ----

  sendHeaders(s: H2Stream, pairs: readonly string[], endStream: boolean): void {
    if (this.dead) return;
    this.output.writeHeaders(s, pairs, endStream);
    if (endStream) this.output.localEnd(s);
    this.output.flushSoon();
  }

  wantsToSend(s: H2Stream, bytes = 0): boolean {
    return !this.dead && this.output.wantsToSend(s, bytes);
  }

  consumed(s: H2Stream, n: number): void {
    n = Math.min(n, s.unconsumed);
    if (n <= 0) return;
    s.unconsumed -= n;
    this.creditConnection(n);
    if (s.remoteClosed || this.dead) return;
    s.unacked += n;
    if (s.unacked >= this.local.initialWindowSize >>> 1) {
      this.writer.windowUpdate(s.id, s.unacked);
      s.recvWindow += s.unacked;
      s.unacked = 0;
      this.output.flushSoon();
    }
  }

  resetStream(s: H2Stream, code: number): void {
    if (this.dead) return this.closeStream(s, code, false, true);
    this.writer.rstStream(s.id, code);
    this.closeStream(s, code, false, true);
    this.output.flushSoon();
  }

  /** A new stream, counted and handed to the handler. */
  openStream(id: number): H2Stream {
    const s = new H2Stream(this, id, this.local.initialWindowSize, this.peer.initialWindowSize);
    s.progressTick = this.watchdog.tick;
    this.streams.set(id, s);
    return s;
  }

  #closed(): void {
    this.dead = true;
    this.reader.stop();
    this.watchdog.stop();
    const open = [...this.streams.values()];
    this.streams.clear();
    this.output.clear();
    for (const s of open) s.finish(CANCEL, true);
    this.onClose();
    this.#onClosed();
  }
}
