// The server side of one HTTP/2 connection (RFC 9113) on any Duplex: a net.Socket for h2c with
// prior knowledge, a TLSSocket after ALPN chose h2. Reads frames (frame-reader.ts), keeps stream
// states and both directions' flow control, and writes through one output buffer flushed once per
// batch (frame-writer.ts). Frame semantics live in connection-frames.ts; the stream API is
// stream.ts.
import type { Duplex } from 'node:stream';
import { Budget } from './budget.ts';
import { hpackCodec } from './codec.ts';
import {
  CANCEL, CLIENT_PREFACE, DEFAULT_WINDOW, ENHANCE_YOUR_CALM, H2ProtocolError, INTERNAL_ERROR,
  NO_ERROR, PROTOCOL_ERROR,
} from './frames.ts';
import { FloodGuard } from './flood-guard.ts';
import { FrameReader } from './frame-reader.ts';
import { FrameWriter } from './frame-writer.ts';
import type { HeaderDecoder, HeaderEncoder } from './header-codec.ts';
import { type H2ServerOptions, resolveLimits } from './options.ts';
import { SHUTDOWN_OPAQUE, Shutdown } from './shutdown.ts';
import { Watchdog } from './watchdog.ts';
import { type LocalSettings, type PeerSettings, defaultPeerSettings, localSettingsPairs } from './settings.ts';
import { H2Stream, type StreamHost, WRITE_HIGH_WATER } from './stream.ts';
import { type PendingBlock, handleFrame } from './connection-frames.ts';

export type { H2ServerOptions } from './options.ts';

export type StreamHandler = (stream: H2Stream) => void;

/** Response bytes the socket may hold before DATA waits for 'drain'. */
const SOCKET_HIGH_WATER = 256 * 1024;
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
  /** Response bytes queued across the streams, and the bound past which write() says wait. */
  bufferedResponse = 0;
  readonly maxBufferedResponse: number;
  /** A header block still waiting for its CONTINUATION frames. */
  pendingBlock: PendingBlock | undefined = undefined;
  #prefaceSeen = 0;
  #sendable: H2Stream[] = [];
  #flushScheduled = false;
  #inRead = false;
  #socketBlocked = false;
  /** Streams whose write() returned false: onDrain once they and the connection have room. */
  readonly #awaitingDrain = new Set<H2Stream>();
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
    this.maxBufferedResponse = limits.maxBufferedResponse;
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
    socket.on('drain', () => {
      this.#socketBlocked = false;
      if (this.#sendable.length > 0) this.#flushSoon();
    });
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
    this.#flushSoon();
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
    this.#inRead = true;
    try {
      this.reader.push(chunk);
    } catch (err) {
      // A consumer's callback threw: the connection cannot be trusted to be in a known state.
      this.fail(err instanceof H2ProtocolError ? err : new H2ProtocolError(INTERNAL_ERROR, 0, 'internal error'));
    }
    this.#inRead = false;
    this.#flushNow();
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

  // ---- output ----

  #flushSoon(): void {
    if (this.#inRead || this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flushNow();
    });
  }

  /** Sends queued DATA the windows allow, then everything pending in one write. */
  #flushNow(): void {
    if (this.#sendable.length > 0) this.#pumpAll();
    if (this.#awaitingDrain.size > 0) this.#notifyDrain();
    if (this.writer.pending === 0) return;
    if (!this.writer.flush()) this.#socketBlocked = true;
    if (!this.dead && this.outputFull()) {
      // The client is not reading what it asked for (a PING or SETTINGS flood, or a stalled reader).
      this.fail(new H2ProtocolError(ENHANCE_YOUR_CALM, 0, 'output queue limit'));
    }
  }

  #pumpAll(): void {
    const list = this.#sendable;
    this.#sendable = [];
    for (const s of list) {
      s.scheduled = false;
      if (s.closed) continue;
      this.#pump(s);
      // Blocked on the connection window or the socket, not on its own window: try again later.
      if (!s.closed && !s.localClosed && (s.queued > 0 || s.ending) && s.sendWindow > 0 && !s.scheduled) {
        s.scheduled = true;
        this.#sendable.push(s);
      }
    }
  }

  /** onDrain for the streams told to wait, once both they and the connection are under their bounds. */
  #notifyDrain(): void {
    if (this.bufferedResponse >= this.maxBufferedResponse) return;
    let drained: H2Stream[] | undefined;
    for (const s of this.#awaitingDrain) {
      if (s.closed) this.#awaitingDrain.delete(s);
      else if (s.queued < WRITE_HIGH_WATER) {
        this.#awaitingDrain.delete(s);
        (drained ??= []).push(s);
      }
    }
    if (drained !== undefined) for (const s of drained) if (!s.closed) s.onDrain();
  }

  /** Moves a stream's queued body into DATA frames within the windows and the socket's room. */
  #pump(s: H2Stream): void {
    const maxFrame = this.peer.maxFrameSize;
    while (s.queued > 0) {
      const room = Math.min(s.sendWindow, this.sendWindow, maxFrame);
      if (room <= 0 || this.#socketBlocked || this.socket.writableLength + this.writer.pending > SOCKET_HIGH_WATER) return;
      const chunk = s.queue[0]!;
      const start = s.queueOffset;
      const n = Math.min(chunk.length - start, room);
      const last = n === s.queued && s.ending && s.trailers === undefined;
      this.writer.data(s.id, chunk, start, start + n, last);
      this.floods.dataFramesSent++;
      s.sendWindow -= n;
      this.sendWindow -= n;
      s.queued -= n;
      this.bufferedResponse -= n;
      s.bytesOut += n;
      s.progressTick = this.watchdog.tick;
      if (start + n === chunk.length) {
        s.queue.shift();
        s.queueOffset = 0;
      } else s.queueOffset = start + n;
      if (last) return this.#localEnd(s);
    }
    if (s.ending && !s.localClosed) {
      if (s.trailers !== undefined) this.#writeHeaders(s, s.trailers, true);
      else this.writer.data(s.id, EMPTY, 0, 0, true);
      this.#localEnd(s);
    }
  }

  #writeHeaders(s: H2Stream, pairs: readonly string[], endStream: boolean): void {
    s.bytesOut += this.writer.encodedHeaders(s.id, pairs, this.encoder, endStream, this.peer.maxFrameSize);
  }

  /**
   * We sent END_STREAM: the stream is done, or (request body still coming) half-closed until the
   * client ends it, the rest of its body given back to the windows unread. A consumer that wants the
   * client to stop sending resets the stream (NO_ERROR, RFC 9113 8.1) itself.
   */
  #localEnd(s: H2Stream): void {
    s.localClosed = true;
    if (s.remoteClosed) return this.closeStream(s, NO_ERROR, false, false);
    if (s.unconsumed > 0) this.consumed(s, s.unconsumed);
  }

  /** Takes a stream out of the connection and tells its consumer. */
  closeStream(s: H2Stream, code: number, byPeer: boolean, resetByUs: boolean): void {
    if (s.closed) return;
    this.streams.delete(s.id);
    this.recentlyClosed.set(s.id, resetByUs ? Math.max(0, s.sendWindow) : -1);
    if (this.recentlyClosed.size > RECENTLY_CLOSED) this.recentlyClosed.delete(this.recentlyClosed.keys().next().value!);
    this.bufferedResponse -= s.queued;
    if (this.#awaitingDrain.size > 0 && this.#awaitingDrain.delete(s)) this.#flushSoon();
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
      this.#flushSoon();
    }
  }

  /** Every stream blocked on the connection window (or the socket) may send now. */
  resumeSending(s?: H2Stream): void {
    if (s !== undefined) {
      if (!s.scheduled && !s.closed && (s.queued > 0 || s.ending)) {
        s.scheduled = true;
        this.#sendable.push(s);
      }
    }
    if (this.#sendable.length > 0) this.#flushSoon();
  }

  /** Unwritten output past the cap: a client that makes us answer (PING, SETTINGS) but does not read. */
  outputFull(): boolean {
    return this.socket.writableLength + this.writer.pending > this.maxQueuedOutput;
  }

  /** The socket refused more output and has not drained: the client is not reading. */
  get socketBlocked(): boolean {
    return this.#socketBlocked;
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
    this.#flushSoon();
  }

  // ---- StreamHost ----

  sendHeaders(s: H2Stream, pairs: readonly string[], endStream: boolean): void {
    if (this.dead) return;
    this.#writeHeaders(s, pairs, endStream);
    if (endStream) this.#localEnd(s);
    this.#flushSoon();
  }

  wantsToSend(s: H2Stream, bytes = 0): boolean {
    if (this.dead) return false;
    this.bufferedResponse += bytes;
    if (!s.scheduled) {
      s.scheduled = true;
      this.#sendable.push(s);
    }
    this.#flushSoon();
    if (s.ending || (s.queued < WRITE_HIGH_WATER && this.bufferedResponse < this.maxBufferedResponse)) return true;
    this.#awaitingDrain.add(s);
    return false;
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
      this.#flushSoon();
    }
  }

  resetStream(s: H2Stream, code: number): void {
    if (this.dead) return this.closeStream(s, code, false, true);
    this.writer.rstStream(s.id, code);
    this.closeStream(s, code, false, true);
    this.#flushSoon();
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
    this.#awaitingDrain.clear();
    this.bufferedResponse = 0;
    for (const s of open) s.finish(CANCEL, true);
    this.onClose();
    this.#onClosed();
  }
}

const EMPTY = Buffer.alloc(0);
