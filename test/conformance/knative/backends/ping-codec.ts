// The grpc-ping image's protocol (test/test_images/grpc-ping/proto/ping.proto): service
// ping.PingService { Ping(Request) returns (Response); PingStream(stream Request) returns (stream Response) },
// where Request and Response are both `{ string msg = 1; }`. Encoded by hand: one string field.

export const PING_SERVICE = 'ping.PingService';

export interface PingMessage {
  msg: string;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

export function encodePing(m: PingMessage): Buffer {
  const s = Buffer.from(m.msg, 'utf8');
  return s.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]);
}

/** Reads field 1 (the last one wins, as in proto3); skips any other field. */
export function decodePing(b: Buffer): PingMessage {
  let msg = '';
  let i = 0;
  const readVarint = (): number => {
    let n = 0;
    let shift = 0;
    for (;;) {
      if (i >= b.length) throw new Error('truncated varint');
      const c = b[i++]!;
      n += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) return n;
      shift += 7;
    }
  };
  while (i < b.length) {
    const key = readVarint();
    const wire = key & 7;
    if (wire === 0) readVarint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = readVarint();
      if (i + len > b.length) throw new Error('truncated field');
      if (key >>> 3 === 1) msg = b.subarray(i, i + len).toString('utf8');
      i += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return { msg };
}

/** gRPC's length-prefixed message framing. */
export function frame(payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Splits a byte stream into gRPC messages, however the chunks fall. */
export class Deframer {
  #buf = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    const out: Buffer[] = [];
    while (this.#buf.length >= 5) {
      const len = this.#buf.readUInt32BE(1);
      if (this.#buf.length < 5 + len) break;
      out.push(this.#buf.subarray(5, 5 + len));
      this.#buf = this.#buf.subarray(5 + len);
    }
    return out;
  }
}
