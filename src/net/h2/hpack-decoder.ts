// HPACK decoder (RFC 7541): one complete header block into a flat [name, value, ...] list,
// keeping the dynamic table in step with the peer's encoder.
//
// Field strings are latin1 (HTTP/2 field values are octets, never UTF-8 here). An indexed field
// returns the string held in the table, so a repeated request allocates only the output slots.
import { DynamicTable, ENTRY_OVERHEAD } from './hpack-dynamic-table.ts';
import { HpackError } from './hpack-error.ts';
import { huffmanDecode } from './hpack-huffman.ts';
import { STATIC_NAMES, STATIC_TABLE_LENGTH, STATIC_VALUES } from './hpack-static-table.ts';

/** Buffer's latin1 slicer, present at run time but missing from @types/node. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** Huffman output space a decoder keeps between strings; a longer string gets a buffer of its own. */
const KEPT_SCRATCH = 16 * 1024;
const EMPTY = Buffer.alloc(0) as Latin1Buffer;

/** Largest integer a block may carry (lengths, indexes, sizes); more is hostile (a 2^62 must not become a float). */
const MAX_INT = 2 ** 28;

export class HpackDecoder {
  private readonly table: DynamicTable;
  /** The limit we advertise (SETTINGS_HEADER_TABLE_SIZE): size updates above it are errors. */
  private maxTableSize: number;
  /** Our advertised limit dropped below the table's size: the next block must start with an update (RFC 7541 4.2). */
  private updateRequired = false;
  private scratch: Latin1Buffer | undefined;
  /** Read position inside decode. */
  private pos = 0;
  private end = 0;
  private buf: Latin1Buffer = EMPTY;
  /**
   * Set by decode when the list's RFC 9113 6.5.2 size (sum of name + value + 32) went over
   * maxHeaderListSize: the whole block was still decoded (the table stays in step), but `out`
   * holds only the fields before the limit and the stream must be refused (431 or RST_STREAM):
   * a stream error, not the connection's COMPRESSION_ERROR, so it is a flag and not a throw.
   */
  listTooLarge = false;

  /**
   * maxTableSize is the table size in effect from the first block (the RFC 7541 examples' way).
   * A peer encodes with 4096, HTTP/2's initial SETTINGS_HEADER_TABLE_SIZE, until it has our
   * SETTINGS: a connection that advertises another size constructs with 4096 and calls
   * setMaxTableSize(advertised) when the peer acknowledges them. maxHeaderListSize: see listTooLarge.
   */
  constructor(maxTableSize = 4096, private readonly maxHeaderListSize = 65536) {
    this.maxTableSize = maxTableSize;
    this.table = new DynamicTable(maxTableSize);
  }

  /** Our advertised SETTINGS_HEADER_TABLE_SIZE changed and the peer acknowledged it. */
  setMaxTableSize(n: number): void {
    this.maxTableSize = n;
    if (n < this.table.maxSize) this.updateRequired = true;
  }

  /** Entries of the dynamic table, newest first (for tests and diagnostics). */
  dynamicEntries(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = 1; i <= this.table.length; i++) out.push([this.table.name(i), this.table.value(i)]);
    return out;
  }

  get dynamicTableSize(): number {
    return this.table.size;
  }

  /** Decodes block[start, end) (HEADERS + CONTINUATION fragments joined) and appends its fields to out. Throws HpackError on a malformed block. */
  decode(block: Uint8Array, start: number, end: number, out: string[]): void {
    this.buf = (block instanceof Buffer ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength)) as Latin1Buffer;
    this.pos = start;
    this.end = end;
    this.listTooLarge = false;
    let listSize = 0;
    const limit = this.maxHeaderListSize;
    const table = this.table;
    const buf = this.buf;
    let first = true; // size updates are allowed only before the first field
    while (this.pos < end) {
      const b = buf[this.pos]!;
      let name: string;
      let value: string;
      if (b & 0x80) {
        const i = this.integer(7);
        if (i === 0) throw new HpackError('HPACK: index 0');
        if (i <= STATIC_TABLE_LENGTH) {
          name = STATIC_NAMES[i - 1]!;
          value = STATIC_VALUES[i - 1]!;
        } else {
          if (i - STATIC_TABLE_LENGTH > table.length) throw new HpackError(`HPACK: index ${i} is past the tables`);
          name = table.name(i - STATIC_TABLE_LENGTH);
          value = table.value(i - STATIC_TABLE_LENGTH);
        }
      } else if (b & 0x40) {
        name = this.literalName(6);
        value = this.string();
        table.add(name, value);
      } else if (b & 0x20) {
        if (!first) throw new HpackError('HPACK: dynamic table size update after a field');
        const n = this.integer(5);
        if (n > this.maxTableSize) throw new HpackError(`HPACK: table size update to ${n}, above our limit ${this.maxTableSize}`);
        table.setMaxSize(n);
        this.updateRequired = false;
        continue;
      } else {
        // 0000: without indexing, 0001: never indexed; neither touches the table
        name = this.literalName(4);
        value = this.string();
      }
      if (first) {
        if (this.updateRequired) throw new HpackError('HPACK: the block does not start with the required table size update');
        first = false;
      }
      if (this.listTooLarge) continue;
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > limit) this.listTooLarge = true;
      else out.push(name, value);
    }
    if (first && this.updateRequired) throw new HpackError('HPACK: the block does not carry the required table size update');
    this.buf = EMPTY; // do not hold the caller's buffer
  }

  /** An integer with an n-bit prefix at pos (RFC 7541 5.1). */
  private integer(n: number): number {
    const max = (1 << n) - 1;
    const v = this.buf[this.pos++]! & max;
    return v < max ? v : this.integerTail(max);
  }

  /** The continuation octets of an integer whose prefix was all ones. */
  private integerTail(max: number): number {
    const buf = this.buf;
    let v = max;
    // at most 5 continuation octets, so zero-padded encodings cannot run on either
    for (let shift = 0; shift <= 28; shift += 7) {
      if (this.pos >= this.end) throw new HpackError('HPACK: integer runs past the block');
      const b = buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (v > MAX_INT) throw new HpackError('HPACK: integer too large');
      if ((b & 0x80) === 0) return v;
    }
    throw new HpackError('HPACK: integer too long');
  }

  /** The name of a literal field: an index with an n-bit prefix, or 0 and a string. */
  private literalName(n: number): string {
    const i = this.integer(n);
    if (i === 0) return this.string();
    if (i <= STATIC_TABLE_LENGTH) return STATIC_NAMES[i - 1]!;
    if (i - STATIC_TABLE_LENGTH > this.table.length) throw new HpackError(`HPACK: name index ${i} is past the tables`);
    return this.table.name(i - STATIC_TABLE_LENGTH);
  }

  /** A string literal (RFC 7541 5.2), raw or Huffman coded, as latin1. */
  private string(): string {
    if (this.pos >= this.end) throw new HpackError('HPACK: string missing at the end of the block');
    const huffman = this.buf[this.pos]! & 0x80;
    const len = this.integer(7);
    const start = this.pos;
    if (len > this.end - start) throw new HpackError('HPACK: string runs past the block');
    this.pos = start + len;
    if (huffman === 0) return this.buf.latin1Slice(start, start + len);
    const need = Math.ceil((len * 8) / 5); // the shortest code is 5 bits
    let scratch = this.scratch;
    if (scratch === undefined || scratch.length < need) {
      scratch = Buffer.allocUnsafe(Math.max(need, 256)) as Latin1Buffer;
      if (need <= KEPT_SCRATCH) this.scratch = scratch;
    }
    const n = huffmanDecode(this.buf, start, start + len, scratch);
    return scratch.latin1Slice(0, n);
  }
}
