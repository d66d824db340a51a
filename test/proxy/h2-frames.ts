// A hand-built HTTP/2 client for tests that must send what no well-behaved client library will:
// oversized frames, bad padding, RST_STREAM floods, DATA after END_STREAM. Frames are built
// byte by byte (RFC 9113 4.1); header blocks use HPACK literals without indexing and no Huffman
// coding (RFC 7541 6.2.2), which every decoder must accept.
import net from 'node:net';
import tls from 'node:tls';

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const DATA = 0x0;
export const HEADERS = 0x1;
export const PRIORITY = 0x2;
export const RST_STREAM = 0x3;
export const SETTINGS = 0x4;
export const PING = 0x6;
export const GOAWAY = 0x7;
export const WINDOW_UPDATE = 0x8;
export const CONTINUATION = 0x9;

export const END_STREAM = 0x1;
export const ACK = 0x1;
export const END_HEADERS = 0x4;
export const PADDED = 0x8;

export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK integer with an n-bit prefix (RFC 7541 5.1); `first` holds the bits above the prefix. */
function hpackInt(value: number, prefixBits: number, first = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([first | value]);
  const out = [first | max];
  value -= max;
  while (value >= 128) {
    out.push((value % 128) + 128);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return Buffer.from(out);
}

function hpackString(s: string): Buffer {
  const bytes = Buffer.from(s, 'latin1');
  return Buffer.concat([hpackInt(bytes.length, 7), bytes]);
}

/** A header block of literal fields without indexing, in the order given (pseudo-headers first). */
export function headerBlock(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.concat(fields.flatMap(([n, v]) => [Buffer.from([0]), hpackString(n), hpackString(v)]));
}

export function headersFrame(streamId: number, fields: ReadonlyArray<readonly [string, string]>, endStream: boolean): Buffer {
  return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, headerBlock(fields));
}

/** A header block split over HEADERS and CONTINUATION frames of at most `maxFrame` bytes. */
export function headerFrames(streamId: number, fields: ReadonlyArray<readonly [string, string]>, endStream: boolean, maxFrame = 16_384): Buffer {
  const block = headerBlock(fields);
  const out: Buffer[] = [];
  for (let off = 0; off < block.length || off === 0; off += maxFrame) {
    const last = off + maxFrame >= block.length;
    const piece = block.subarray(off, off + maxFrame);
    if (off === 0) out.push(frame(HEADERS, (last ? END_HEADERS : 0) | (endStream ? END_STREAM : 0), streamId, piece));
    else out.push(frame(CONTINUATION, last ? END_HEADERS : 0, streamId, piece));
    if (last) break;
  }
  return Buffer.concat(out);
}

export function requestFields(method: string, authority: string, path: string, extra: ReadonlyArray<readonly [string, string]> = [], scheme = 'http'): Array<readonly [string, string]> {
  return [[':method', method], [':scheme', scheme], [':authority', authority], [':path', path], ...extra];
}

export function rstStream(streamId: number, code = 0x8 /* CANCEL */): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(code);
  return frame(RST_STREAM, 0, streamId, p);
}

export function settingsFrame(settings: ReadonlyArray<readonly [number, number]> = []): Buffer {
  const p = Buffer.alloc(6 * settings.length);
  settings.forEach(([id, v], i) => {
    p.writeUInt16BE(id, 6 * i);
    p.writeUInt32BE(v, 6 * i + 2);
  });
  return frame(SETTINGS, 0, 0, p);
}

export interface ParsedFrame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** A GOAWAY's error code, or undefined for another frame. */
export function goawayCode(f: ParsedFrame): number | undefined {
  return f.type === GOAWAY && f.payload.length >= 8 ? f.payload.readUInt32BE(4) : undefined;
}

/**
 * A raw HTTP/2 connection: sends the preface and an empty SETTINGS at once, ACKs the server's
 * SETTINGS, answers PINGs, and records every frame it receives.
 */
export class RawH2 {
  readonly socket: net.Socket;
  readonly frames: ParsedFrame[] = [];
  closed = false;
  /** Answer the server's PINGs (default); false leaves them to `onFrame`. */
  answerPings = true;
  /** Called for each frame as it is read, before the automatic answers: a test reacts in order. */
  onFrame: ((f: ParsedFrame) => void) | undefined = undefined;
  #buf = Buffer.alloc(0);
  readonly #closedPromise: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => this.#onData(d));
    this.#closedPromise = new Promise((r) => socket.once('close', () => { this.closed = true; r(); }));
  }

  /** Connects in cleartext (prior knowledge) or, with `servername`, over TLS with ALPN h2. */
  static async connect(addr: string, servername?: string): Promise<RawH2> {
    const i = addr.lastIndexOf(':');
    const host = addr.slice(0, i);
    const port = Number(addr.slice(i + 1));
    const socket = servername
      ? tls.connect({ host, port, servername, ALPNProtocols: ['h2'], rejectUnauthorized: false })
      : net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`connect to ${addr} timed out`)), 5000);
      socket.once(servername ? 'secureConnect' : 'connect', () => { clearTimeout(t); resolve(); });
      socket.once('error', (err) => { clearTimeout(t); reject(err); });
    });
    const c = new RawH2(socket);
    c.send(PREFACE, settingsFrame());
    return c;
  }

  send(...bufs: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(bufs));
  }

  /** Resolves once the server has closed the connection, or false after the bound. */
  async waitClosed(boundMs = 5000): Promise<boolean> {
    let t: NodeJS.Timeout | undefined;
    const r = await Promise.race([this.#closedPromise.then(() => true), new Promise<boolean>((res) => (t = setTimeout(() => res(false), boundMs)))]);
    clearTimeout(t);
    return r;
  }

  /** Waits for a frame matching `pred` (bounded); undefined when none came. */
  async waitFrame(pred: (f: ParsedFrame) => boolean, boundMs = 5000): Promise<ParsedFrame | undefined> {
    const until = Date.now() + boundMs;
    let seen = 0;
    for (;;) {
      for (; seen < this.frames.length; seen++) if (pred(this.frames[seen]!)) return this.frames[seen];
      if (this.closed || Date.now() > until) return undefined;
      await this.#nextData(20);
    }
  }

  /** Resolves when the socket can take more writes again, or closes, or after the bound; false if still backed up. */
  async drained(boundMs = 5000): Promise<boolean> {
    if (!this.socket.writableNeedDrain) return true;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      const t = setTimeout(done, boundMs);
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
    return !this.socket.writableNeedDrain;
  }

  #nextData(boundMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.socket.off('data', done);
        resolve();
      };
      const t = setTimeout(done, boundMs);
      this.socket.once('data', done);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(d: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, d]);
    while (this.#buf.length >= 9) {
      const len = this.#buf.readUIntBE(0, 3);
      if (this.#buf.length < 9 + len) break;
      const f: ParsedFrame = { type: this.#buf[3]!, flags: this.#buf[4]!, streamId: this.#buf.readUInt32BE(5) & 0x7fffffff, payload: this.#buf.subarray(9, 9 + len) };
      this.#buf = this.#buf.subarray(9 + len);
      this.frames.push(f);
      this.onFrame?.(f);
      if (f.type === SETTINGS && (f.flags & ACK) === 0) this.send(frame(SETTINGS, ACK, 0));
      if (f.type === PING && (f.flags & ACK) === 0 && this.answerPings) this.send(frame(PING, ACK, 0, f.payload));
    }
  }
}
