// Splits socket chunks into HTTP/2 frames (RFC 9113 4.1). A frame wholly inside one chunk is
// handed out as a subarray of it (no copy); only a frame split across chunks is gathered, once,
// when its last byte arrives, so a large frame dribbled in small reads costs linear time.
import { FRAME_HEADER_LENGTH } from './frames.ts';

export interface FrameSink {
  /** One whole frame; `payload` may be a view into the socket's chunk. */
  frame(type: number, flags: number, streamId: number, payload: Buffer): void;
  /** A frame announced longer than the reader's limit: nothing of it is delivered. */
  oversized(type: number, streamId: number, length: number): void;
}

export class FrameReader {
  /** SETTINGS_MAX_FRAME_SIZE we advertised: longer frames are errors (RFC 9113 4.2). */
  maxFrameSize: number;
  #held: Buffer[] = [];
  #heldLength = 0;
  /** Bytes the frame being gathered needs in all (header included); 0 until its header is whole. */
  #need = 0;
  #stopped = false;
  readonly #sink: FrameSink;

  constructor(sink: FrameSink, maxFrameSize: number) {
    this.#sink = sink;
    this.maxFrameSize = maxFrameSize;
  }

  /** Stops delivering frames, now and for every later push (after a connection error). */
  stop(): void {
    this.#stopped = true;
    this.#held = [];
    this.#heldLength = 0;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    if (this.#heldLength > 0) {
      pos = this.#completeHeld(chunk);
      if (pos < 0) return;
    }
    const end = chunk.length;
    while (!this.#stopped && end - pos >= FRAME_HEADER_LENGTH) {
      const length = (chunk[pos]! << 16) | (chunk[pos + 1]! << 8) | chunk[pos + 2]!;
      const type = chunk[pos + 3]!;
      const streamId = chunk.readUInt32BE(pos + 5) & 0x7fffffff;
      if (length > this.maxFrameSize) return this.#oversized(type, streamId, length);
      const frameEnd = pos + FRAME_HEADER_LENGTH + length;
      if (frameEnd > end) break;
      this.#sink.frame(type, chunk[pos + 4]!, streamId, chunk.subarray(pos + FRAME_HEADER_LENGTH, frameEnd));
      pos = frameEnd;
    }
    if (pos < end && !this.#stopped) this.#hold(chunk.subarray(pos));
  }

  #oversized(type: number, streamId: number, length: number): void {
    this.stop();
    this.#sink.oversized(type, streamId, length);
  }

  #hold(rest: Buffer): void {
    this.#held.push(rest);
    this.#heldLength += rest.length;
    if (this.#heldLength >= FRAME_HEADER_LENGTH && this.#need === 0) this.#readHeldHeader();
  }

  /** Reads the held frame's length once its 9 header bytes are in; may stop the reader. */
  #readHeldHeader(): void {
    const head = this.#held.length === 1 ? this.#held[0]! : Buffer.concat(this.#held);
    this.#held = [head];
    const length = (head[0]! << 16) | (head[1]! << 8) | head[2]!;
    if (length > this.maxFrameSize) return this.#oversized(head[3]!, head.readUInt32BE(5) & 0x7fffffff, length);
    this.#need = FRAME_HEADER_LENGTH + length;
  }

  /**
   * Feeds `chunk` to the frame being gathered. Returns where the rest of the chunk starts, or -1
   * when the chunk was used up (or the reader stopped).
   */
  #completeHeld(chunk: Buffer): number {
    let pos = 0;
    if (this.#need === 0) {
      const take = Math.min(FRAME_HEADER_LENGTH - this.#heldLength, chunk.length);
      this.#held.push(chunk.subarray(0, take));
      this.#heldLength += take;
      pos = take;
      if (this.#heldLength < FRAME_HEADER_LENGTH) return -1;
      this.#readHeldHeader();
      if (this.#stopped) return -1;
    }
    const missing = this.#need - this.#heldLength;
    if (chunk.length - pos < missing) {
      if (pos < chunk.length) {
        this.#held.push(chunk.subarray(pos));
        this.#heldLength += chunk.length - pos;
      }
      return -1;
    }
    this.#held.push(chunk.subarray(pos, pos + missing));
    const frame = Buffer.concat(this.#held, this.#need);
    this.#held = [];
    this.#heldLength = 0;
    this.#need = 0;
    this.#sink.frame(frame[3]!, frame[4]!, frame.readUInt32BE(5) & 0x7fffffff, frame.subarray(FRAME_HEADER_LENGTH));
    return this.#stopped ? -1 : pos + missing;
  }
}
