// One reusable buffer per listener that the fast path builds heads in (the upstream request head,
// a rewritten response head) and writes from, instead of a new string or Buffer per head: young
// garbage per request is what makes scavenges frequent (bench/README.md, "Where the small-GET tail
// comes from").
//
// A buffer handed to socket.write must stay unchanged until written. libuv usually writes a small
// head at once (the write finishes inside socket.write). A socket that cannot write now (connecting,
// corked, bytes already queued) is given a copy; when the kernel took only part of a write, the
// pending write keeps this buffer and the listener takes a new one for the next head.
import type { Socket } from 'node:net';

/** Enough for almost every head; a larger one grows the buffer. */
const HEAD_BUFFER_BYTES = 16 * 1024;

export class HeadBuffer {
  #buf: Buffer = Buffer.allocUnsafeSlow(HEAD_BUFFER_BYTES);
  /** heads written as a copy: the socket could not take them at once (tests count them) */
  copied = 0;
  /** heads a socket's pending write kept, so the buffer was replaced (tests count them) */
  lent = 0;

  /** The buffer to build a head of `size` bytes in (from offset 0); valid until the next send(). */
  room(size: number): Buffer {
    if (size > this.#buf.length) this.#buf = Buffer.allocUnsafeSlow(Math.max(size, HEAD_BUFFER_BYTES));
    return this.#buf;
  }

  /** Writes the first `size` bytes of the buffer room() gave to `socket`. */
  send(socket: Socket, size: number): void {
    const bytes = this.#buf.subarray(0, size);
    // A write that cannot go out now (corked, connecting, queued behind others) gets its own copy.
    if (socket.writableCorked > 0 || socket.connecting || socket.writableLength > 0) {
      this.copied++;
      socket.write(Buffer.from(bytes));
      return;
    }
    socket.write(bytes);
    // The kernel did not take it all: the pending write keeps this buffer.
    if (socket.writableLength > 0) {
      this.lent++;
      this.#buf = Buffer.allocUnsafeSlow(this.#buf.length);
    }
  }
}

/**
 * Writes `s` into `b` at `pos` as latin1 (each UTF-16 unit's low byte, as Buffer's 'latin1'
 * encoding does); returns the position after it. A loop in JS: no native call, no view per piece.
 */
export function putLatin1(b: Buffer, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[pos++] = s.charCodeAt(i);
  return pos;
}

/** Copies `from[start, end)` into `to` at `pos`; returns the position after it. */
export function copyBytes(to: Buffer, pos: number, from: Buffer, start: number, end: number): number {
  // Buffer.copy makes a view of the source for every call with offsets; a short piece is cheaper
  // copied here. A long one goes through copy (native speed is worth the view).
  if (end - start > 256) return pos + from.copy(to, pos, start, end);
  for (let i = start; i < end; i++) to[pos++] = from[i]!;
  return pos;
}
