// gRPC's length-prefixed messages (gRPC over HTTP/2, "Length-Prefixed-Message"): a flag byte
// (1 = compressed), a 4-byte big-endian length, then the message.
import { gunzipSync } from 'node:zlib';

/** Bound on one message, as gRPC's default receive limit is 4 MiB; larger is refused, not buffered. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export function frame(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** Splits a byte stream into messages; `push` throws when a frame is too large or cannot be decompressed. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  /** @param encoding the stream's `grpc-encoding` (`identity` or `gzip`) */
  constructor(private readonly encoding = 'identity') {}

  push(chunk: Uint8Array): Buffer[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : Buffer.from(chunk);
    const out: Buffer[] = [];
    while (this.buffered.length >= 5) {
      const length = this.buffered.readUInt32BE(1);
      if (length > MAX_MESSAGE_BYTES) throw new Error(`a gRPC message of ${length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
      if (this.buffered.length < 5 + length) break;
      const compressed = this.buffered[0] === 1;
      const body = this.buffered.subarray(5, 5 + length);
      this.buffered = this.buffered.subarray(5 + length);
      out.push(compressed ? this.decompress(body) : Buffer.from(body));
    }
    return out;
  }

  /** true when bytes of an unfinished message remain */
  get pending(): boolean {
    return this.buffered.length > 0;
  }

  private decompress(body: Buffer): Buffer {
    if (this.encoding !== 'gzip') throw new Error(`a compressed gRPC message with grpc-encoding "${this.encoding}"`);
    return gunzipSync(body, { maxOutputLength: MAX_MESSAGE_BYTES });
  }
}
