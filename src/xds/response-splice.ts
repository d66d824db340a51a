// Discovery responses written straight from their resources' encoded bytes, nonce included: what
// protobufjs would encode (fields in number order but the nonce, which goes last; protobuf reads
// fields in any order), without making a message object of every resource and encoding it again.
// A first answer to an Envoy holds every cluster, assignment and virtual host (tens of megabytes
// at 10,000 apps): here it is measured, then written into one buffer, one copy of each resource.
import type { AnyMessage } from './encode.ts';
import { FRAME_HEADER_BYTES, writeFrameHeader } from './grpc-frame.ts';
import type { DeltaDiscoveryResponse, DiscoveryResponse, Resource } from './service.ts';

const LEN = 2;

const varintLength = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
/** Bytes of a length-delimited field holding `length` bytes (field ids here are all under 16). */
const fieldLength = (length: number): number => 1 + varintLength(length) + length;
const stringLength = (s: string): number => (s === '' ? 0 : fieldLength(Buffer.byteLength(s)));

/** Writes a message after room for its gRPC frame header (grpc-frame.ts), so the frame is made with it. */
class Writer {
  readonly buf: Buffer;
  at = FRAME_HEADER_BYTES;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + size);
  }
  varint(n: number): void {
    while (n > 0x7f) {
      this.buf[this.at++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.at++] = n;
  }
  head(id: number, length: number): void {
    this.buf[this.at++] = (id << 3) | LEN;
    this.varint(length);
  }
  /** A singular string: proto3 leaves an empty one out. */
  string(id: number, s: string): void {
    if (s !== '') this.text(id, s);
  }
  /** A string field, even empty (an item of a repeated one). */
  text(id: number, s: string): void {
    this.head(id, Buffer.byteLength(s));
    this.at += this.buf.write(s, this.at, 'utf8');
  }
  bytes(id: number, b: Uint8Array): void {
    this.head(id, b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
}

const anyLength = (a: AnyMessage): number => stringLength(a.type_url) + fieldLength(a.value.length);
function writeAny(w: Writer, id: number, a: AnyMessage, length: number): void {
  w.head(id, length);
  w.string(1, a.type_url);
  w.bytes(2, a.value);
}

/** The bytes before the nonce and the whole body: the nonce is the last field. */
export interface Spliced {
  readonly body: Buffer;
  readonly unnumbered: number;
  /** the body as a gRPC message frame: 5 bytes of header, then the body (the same bytes) */
  readonly frame: Buffer;
}

function finish(w: Writer, nonceField: number, nonce: string): Spliced {
  const unnumbered = w.at - FRAME_HEADER_BYTES;
  w.string(nonceField, nonce);
  const frame = w.buf.subarray(0, w.at);
  writeFrameHeader(frame);
  return { body: frame.subarray(FRAME_HEADER_BYTES), unnumbered, frame };
}

/** A DeltaDiscoveryResponse whose resources have no aliases (those go through protobufjs). */
export function spliceDelta(r: Omit<DeltaDiscoveryResponse, 'nonce'> & { readonly resources: readonly Resource[] }, nonce: string): Spliced {
  const control = r.control_plane ? stringLength(r.control_plane.identifier) : -1;
  const anys = new Array<number>(r.resources.length);
  const lengths = new Array<number>(r.resources.length);
  let size = stringLength(r.system_version_info) + stringLength(r.type_url) + stringLength(nonce) + (control >= 0 ? fieldLength(control) : 0);
  for (let i = 0; i < r.resources.length; i++) {
    const x = r.resources[i]!;
    const any = anyLength(x.resource);
    const length = stringLength(x.version) + fieldLength(any) + stringLength(x.name);
    anys[i] = any;
    lengths[i] = length;
    size += fieldLength(length);
  }
  for (const name of r.removed_resources) size += fieldLength(Buffer.byteLength(name));
  const w = new Writer(size);
  w.string(1, r.system_version_info);
  for (let i = 0; i < r.resources.length; i++) {
    const x = r.resources[i]!;
    w.head(2, lengths[i]!);
    w.string(1, x.version);
    writeAny(w, 2, x.resource, anys[i]!);
    w.string(3, x.name);
  }
  w.string(4, r.type_url);
  for (const name of r.removed_resources) w.text(6, name);
  if (r.control_plane && control >= 0) {
    w.head(7, control);
    w.string(1, r.control_plane.identifier);
  }
  return finish(w, 5, nonce);
}

/** A DiscoveryResponse. */
export function spliceSotw(r: Omit<DiscoveryResponse, 'nonce'>, nonce: string): Spliced {
  const control = r.control_plane ? stringLength(r.control_plane.identifier) : -1;
  const anys = r.resources.map(anyLength);
  let size = stringLength(r.version_info) + stringLength(r.type_url) + stringLength(nonce) + (control >= 0 ? fieldLength(control) : 0);
  for (const a of anys) size += fieldLength(a);
  const w = new Writer(size);
  w.string(1, r.version_info);
  r.resources.forEach((a, i) => writeAny(w, 2, a, anys[i]!));
  w.string(4, r.type_url);
  if (r.control_plane && control >= 0) {
    w.head(6, control);
    w.string(1, r.control_plane.identifier);
  }
  return finish(w, 5, nonce);
}
