// Strict streaming decoder for `Transfer-Encoding: chunked` bodies (RFC 9112 7.1).
// Chunk data is handed on as sub-views of the input (no copies); the proxy re-frames it, so chunk
// extensions never travel further and the next hop sees one canonical framing.
import { CR, HEX, LF, TOKEN, VALUE } from './chars.ts';

const SIZE = 0;
const EXT = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const TRAILER_START = 6;
const TRAILER_NAME = 7;
const TRAILER_VALUE = 8;
const TRAILER_LF = 9;
const FINAL_LF = 10;

/** chunk-size digits: 12 hex digits is 256 TiB, far past any body we stream, and exact in a double */
const MAX_SIZE_DIGITS = 12;
/** bytes of chunk extensions per chunk (they are dropped, but must not be an unbounded stream) */
const MAX_EXT = 1024;
/** bytes of trailer section */
const MAX_TRAILERS = 16 * 1024;

export const NEED_MORE = -1;
export const INVALID = -2;

export interface ChunkSink {
  /** a piece of chunk data (a view of the input; copy it to keep it past the call) */
  chunkData(data: Buffer): void;
}

export class ChunkedDecoder {
  #state = SIZE;
  #size = 0;
  #digits = 0;
  #ext = 0;
  #trailerBytes = 0;
  #trailerStart = 0;
  #trailers: Buffer[] | null = null;
  /** why the last feed returned INVALID */
  error = '';
  readonly #sink: ChunkSink;
  readonly #keepTrailers: boolean;

  constructor(sink: ChunkSink, keepTrailers: boolean) {
    this.#sink = sink;
    this.#keepTrailers = keepTrailers;
  }

  reset(): void {
    this.#state = SIZE;
    this.#size = this.#digits = this.#ext = this.#trailerBytes = 0;
    this.#trailerStart = 0;
    this.#trailers = null;
    this.error = '';
  }

  /** The raw trailer section (field lines with their CRLFs) of the finished body, or null. */
  takeTrailers(): Buffer | null {
    const t = this.#trailers;
    this.#trailers = null;
    return t === null || t.length === 0 ? null : Buffer.concat(t);
  }

  /**
   * Consumes buf[start, end). Returns the index just past the body's end when it finished inside
   * this input, NEED_MORE when everything was consumed, or INVALID (see `error`).
   */
  feed(buf: Buffer, start: number, end: number): number {
    let p = start;
    let state = this.#state;
    // A trailer line continued from the previous input starts at the start of this one.
    if (state === TRAILER_NAME || state === TRAILER_VALUE || state === TRAILER_LF) this.#trailerStart = start;
    while (p < end) {
      const c = buf[p]!;
      switch (state) {
        case SIZE: {
          const h = HEX[c]!;
          if (h !== 0) {
            if (++this.#digits > MAX_SIZE_DIGITS) return this.#fail('chunk size too large');
            this.#size = this.#size * 16 + (h - 1);
          } else if (this.#digits === 0) return this.#fail('invalid chunk size');
          else if (c === 0x3b) state = EXT;
          else if (c === CR) state = SIZE_LF;
          else return this.#fail('invalid chunk size');
          p++;
          break;
        }
        case EXT:
          if (c === CR) state = SIZE_LF;
          else if (TOKEN[c] !== 1 && c !== 0x3d && c !== 0x3b && c !== 0x22) return this.#fail('invalid chunk extension');
          else if (++this.#ext > MAX_EXT) return this.#fail('chunk extension too long');
          p++;
          break;
        case SIZE_LF:
          if (c !== LF) return this.#fail('bare CR in chunk size line');
          state = this.#size === 0 ? TRAILER_START : DATA;
          p++;
          break;
        case DATA: {
          const n = Math.min(this.#size, end - p);
          this.#size -= n;
          if (this.#size === 0) state = DATA_CR;
          // Commit the state first: the sink may re-enter (it writes to a socket).
          this.#state = state;
          this.#sink.chunkData(buf.subarray(p, p + n));
          p += n;
          break;
        }
        case DATA_CR:
          if (c !== CR) return this.#fail('chunk data longer than its size');
          state = DATA_LF;
          p++;
          break;
        case DATA_LF:
          if (c !== LF) return this.#fail('bare CR after chunk data');
          state = SIZE;
          this.#digits = this.#ext = 0;
          p++;
          break;
        case TRAILER_START:
          if (c === CR) state = FINAL_LF;
          else if (TOKEN[c] === 1) {
            state = TRAILER_NAME;
            this.#trailerStart = p;
          } else return this.#fail('invalid trailer field');
          p++;
          break;
        case TRAILER_NAME:
          if (c === 0x3a) state = TRAILER_VALUE;
          else if (TOKEN[c] !== 1) return this.#fail('invalid trailer field name');
          if (++this.#trailerBytes > MAX_TRAILERS) return this.#fail('trailers too large');
          p++;
          break;
        case TRAILER_VALUE:
          if (c === CR) state = TRAILER_LF;
          else if (VALUE[c] !== 1) return this.#fail('invalid trailer field value');
          if (++this.#trailerBytes > MAX_TRAILERS) return this.#fail('trailers too large');
          p++;
          break;
        case TRAILER_LF:
          if (c !== LF) return this.#fail('bare CR in trailer');
          state = TRAILER_START;
          p++;
          this.#keepTrailer(buf, this.#trailerStart, p);
          break;
        case FINAL_LF:
          if (c !== LF) return this.#fail('bare CR at end of chunked body');
          this.#state = SIZE;
          this.#size = this.#digits = this.#ext = this.#trailerBytes = 0;
          return p + 1;
      }
    }
    // A trailer line split across inputs: keep what we have of it.
    if (state === TRAILER_NAME || state === TRAILER_VALUE || state === TRAILER_LF) this.#keepTrailer(buf, this.#trailerStart, end);
    this.#state = state;
    return NEED_MORE;
  }

  #keepTrailer(buf: Buffer, from: number, upTo: number): void {
    if (!this.#keepTrailers || upTo <= from) return;
    (this.#trailers ??= []).push(Buffer.from(buf.subarray(from, upTo)));
  }

  #fail(why: string): number {
    this.error = why;
    return INVALID;
  }
}
