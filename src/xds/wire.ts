// The few protobuf wire-format pieces Sluice writes by hand: a length-delimited field, so that
// messages encoded once can be spliced into bigger ones (a route configuration from its virtual
// hosts, a response from its resources) without encoding them again. Protobuf parsers accept
// fields in any order and concatenate repeated ones, and protobufjs writes fields by number, so
// a message spliced in field order is byte for byte what encoding it whole would give.
import { createHash } from 'node:crypto';

const LENGTH_DELIMITED = 2;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Field `id` (wire type 2) holding `bytes`: tag, length, bytes. */
export function lengthDelimited(id: number, bytes: Uint8Array): Buffer {
  const head = Buffer.from([...varint((id << 3) | LENGTH_DELIMITED), ...varint(bytes.length)]);
  return Buffer.concat([head, bytes]);
}

/** SHA-256 of some bytes, as hex: what "changed" means for pushes. */
export function digest(...parts: readonly (Uint8Array | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  let i = at;
  for (; i < bytes.length; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return { value, next: i + 1 };
  }
  throw new RangeError('truncated varint');
}

/**
 * `message` with its string field `id` set to `value`, when that field comes first (protobufjs
 * writes fields by number, so a message's field 1 does): the same bytes as encoding it anew with
 * the new value, without encoding it anew.
 */
export function withLeadingString(message: Uint8Array, id: number, value: string): Buffer {
  const tag = (id << 3) | LENGTH_DELIMITED;
  let rest = message;
  if (message.length > 0 && message[0] === tag) {
    const { value: length, next } = readVarint(message, 1);
    rest = message.subarray(next + length);
  }
  return Buffer.concat([lengthDelimited(id, Buffer.from(value)), rest]);
}
