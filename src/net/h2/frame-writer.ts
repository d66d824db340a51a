// Writes HTTP/2 frames into one pending output buffer per connection; `flush` hands everything
// written since the last flush to the socket in one write. The written part of the buffer is never
// touched again (the socket may still hold it), so later frames go after it, into the same buffer
// while it has room.
import {
  CONTINUATION, DATA, FLAG_ACK, FLAG_END_HEADERS, FLAG_END_STREAM, FRAME_HEADER_LENGTH, GOAWAY, HEADERS,
  PING, PRIORITY, RST_STREAM, SETTINGS, WINDOW_UPDATE,
} from './frames.ts';

import type { HeaderEncoder } from './header-codec.ts';

export interface ByteSink {
  write(chunk: Buffer): boolean;
}

const MIN_BUFFER = 16_384;

export class FrameWriter {
  #buf: Buffer = Buffer.allocUnsafe(MIN_BUFFER);
  #start = 0;
  #end = 0;
  readonly #out: ByteSink;

  constructor(out: ByteSink) {
    this.#out = out;
  }

  /** Bytes written and not yet flushed. */
  get pending(): number {
    return this.#end - this.#start;
  }

  /** Hands the pending bytes to the socket in one write; returns the socket's write result. */
  flush(): boolean {
    if (this.#end === this.#start) return true;
    const chunk = this.#buf.subarray(this.#start, this.#end);
    this.#start = this.#end;
    return this.#out.write(chunk);
  }

  /** Room for `n` more bytes: a fresh buffer (with the unflushed bytes moved) when this one is full. */
  #reserve(n: number): void {
    if (this.#end + n <= this.#buf.length) return;
    const pending = this.#end - this.#start;
    const next = Buffer.allocUnsafe(Math.max(MIN_BUFFER, pending + n));
    this.#buf.copy(next, 0, this.#start, this.#end);
    this.#buf = next;
    this.#start = 0;
    this.#end = pending;
  }

  #header(length: number, type: number, flags: number, streamId: number): void {
    const b = this.#buf;
    const p = this.#end;
    b[p] = length >>> 16;
    b[p + 1] = (length >>> 8) & 0xff;
    b[p + 2] = length & 0xff;
    b[p + 3] = type;
    b[p + 4] = flags;
    b.writeUInt32BE(streamId & 0x7fffffff, p + 5);
    this.#end = p + FRAME_HEADER_LENGTH;
  }

  #bytes(src: Uint8Array, start: number, end: number): void {
    this.#buf.set(src.subarray(start, end), this.#end);
    this.#end += end - start;
  }

  /** Any frame, payload as given (unknown types, tests). */
  frame(type: number, flags: number, streamId: number, payload: Uint8Array = EMPTY): void {
    this.#reserve(FRAME_HEADER_LENGTH + payload.length);
    this.#header(payload.length, type, flags, streamId);
    this.#bytes(payload, 0, payload.length);
  }

  data(streamId: number, src: Uint8Array, start: number, end: number, endStream: boolean): void {
    this.#reserve(FRAME_HEADER_LENGTH + end - start);
    this.#header(end - start, DATA, endStream ? FLAG_END_STREAM : 0, streamId);
    this.#bytes(src, start, end);
  }

  /** A header block as HEADERS plus as many CONTINUATION frames as `maxFrameSize` needs. */
  headers(streamId: number, block: Uint8Array, endStream: boolean, maxFrameSize: number): void {
    const total = block.length;
    const frames = Math.max(1, Math.ceil(total / maxFrameSize));
    this.#reserve(frames * FRAME_HEADER_LENGTH + total);
    let pos = Math.min(total, maxFrameSize);
    this.#header(pos, HEADERS, (endStream ? FLAG_END_STREAM : 0) | (pos === total ? FLAG_END_HEADERS : 0), streamId);
    this.#bytes(block, 0, pos);
    while (pos < total) {
      const end = Math.min(total, pos + maxFrameSize);
      this.#header(end - pos, CONTINUATION, end === total ? FLAG_END_HEADERS : 0, streamId);
      this.#bytes(block, pos, end);
      pos = end;
    }
  }

  /**
   * Encodes a header block straight into the output buffer when the encoder can (no block
   * allocated per response) and it fits one frame; otherwise as `headers`. Returns the block's size.
   */
  encodedHeaders(streamId: number, pairs: readonly string[], encoder: HeaderEncoder, endStream: boolean, maxFrameSize: number): number {
    if (encoder.encodeInto !== undefined) {
      for (const room of [512, 65_536]) {
        this.#reserve(FRAME_HEADER_LENGTH + room);
        const start = this.#end + FRAME_HEADER_LENGTH;
        const end = encoder.encodeInto(pairs, this.#buf, start);
        if (end < 0) continue;
        const length = end - start;
        if (length > maxFrameSize) {
          const block = Buffer.from(this.#buf.subarray(start, end));
          this.headers(streamId, block, endStream, maxFrameSize);
          return length;
        }
        this.#header(length, HEADERS, (endStream ? FLAG_END_STREAM : 0) | FLAG_END_HEADERS, streamId);
        this.#end = end;
        return length;
      }
    }
    const block = encoder.encode(pairs);
    this.headers(streamId, block, endStream, maxFrameSize);
    return block.length;
  }

  /** SETTINGS from flat identifier/value pairs. */
  settings(pairs: readonly number[]): void {
    const length = (pairs.length / 2) * 6;
    this.#reserve(FRAME_HEADER_LENGTH + length);
    this.#header(length, SETTINGS, 0, 0);
    for (let i = 0; i < pairs.length; i += 2) {
      this.#buf.writeUInt16BE(pairs[i]!, this.#end);
      this.#buf.writeUInt32BE(pairs[i + 1]!, this.#end + 2);
      this.#end += 6;
    }
  }

  settingsAck(): void {
    this.#reserve(FRAME_HEADER_LENGTH);
    this.#header(0, SETTINGS, FLAG_ACK, 0);
  }

  ping(ack: boolean, opaque: Uint8Array): void {
    this.#reserve(FRAME_HEADER_LENGTH + 8);
    this.#header(8, PING, ack ? FLAG_ACK : 0, 0);
    this.#bytes(opaque, 0, 8);
  }

  goaway(lastStreamId: number, code: number, debug = ''): void {
    const text = Buffer.from(debug, 'utf8');
    this.#reserve(FRAME_HEADER_LENGTH + 8 + text.length);
    this.#header(8 + text.length, GOAWAY, 0, 0);
    this.#buf.writeUInt32BE(lastStreamId & 0x7fffffff, this.#end);
    this.#buf.writeUInt32BE(code >>> 0, this.#end + 4);
    this.#end += 8;
    this.#bytes(text, 0, text.length);
  }

  rstStream(streamId: number, code: number): void {
    this.#reserve(FRAME_HEADER_LENGTH + 4);
    this.#header(4, RST_STREAM, 0, streamId);
    this.#buf.writeUInt32BE(code >>> 0, this.#end);
    this.#end += 4;
  }

  windowUpdate(streamId: number, increment: number): void {
    this.#reserve(FRAME_HEADER_LENGTH + 4);
    this.#header(4, WINDOW_UPDATE, 0, streamId);
    this.#buf.writeUInt32BE(increment & 0x7fffffff, this.#end);
    this.#end += 4;
  }

  priority(streamId: number, dependsOn: number, exclusive: boolean, weight: number): void {
    this.#reserve(FRAME_HEADER_LENGTH + 5);
    this.#header(5, PRIORITY, 0, streamId);
    this.#buf.writeUInt32BE(((exclusive ? 0x80000000 : 0) | (dependsOn & 0x7fffffff)) >>> 0, this.#end);
    this.#buf[this.#end + 4] = weight & 0xff;
    this.#end += 5;
  }
}

const EMPTY = new Uint8Array(0);
