// The HPACK seam (RFC 7541): the connection asks for one decoder and one encoder per connection.
// The implementation is hpack*.ts (another module); tests may pass their own.

export interface HeaderDecoder {
  /** Appends the block's fields to `out` as flat name/value pairs; throws on a malformed block. */
  decode(block: Buffer, start: number, end: number, out: string[]): void;
  setMaxTableSize(n: number): void;
  /** Set by decode when the list passed the header list size limit (the block was still decoded). */
  listTooLarge?: boolean;
}

export interface HeaderEncoder {
  /** A header block for flat name/value pairs. */
  encode(pairs: readonly string[]): Buffer;
  /** Encodes at out[offset]; returns the block's end, or -1 (nothing committed) when out is too small. */
  encodeInto?(pairs: readonly string[], out: Buffer, offset: number): number;
  setPeerMaxTableSize(n: number): void;
}

export interface HeaderCodec {
  decoder(): HeaderDecoder;
  encoder(): HeaderEncoder;
}
