// HPACK encoder (RFC 7541) for the header blocks we send (responses, mostly): static table
// matches by name and by name+value, a dynamic table indexed by content for fields likely to
// repeat, never-indexed literals for credentials, Huffman only where it is shorter.
//
// Indexing policy (what goes into the peer's dynamic table): every field except those whose value
// is unique to one message (content-length, etag, last-modified, ranges, request ids...), the
// sensitive ones (sent never-indexed, as nghttp2 does: authorization, set-cookie, cookies under 20
// octets), and entries over 3/4 of the table (they would flush it). `date` IS indexed: it changes
// once a second, so on a busy connection one entry serves every response of that second.
import { DynamicTable, ENTRY_OVERHEAD } from './hpack-dynamic-table.ts';
import { huffmanEncode, huffmanLength } from './hpack-huffman.ts';
import { STATIC_NAME_INDEX, STATIC_PAIR_INDEX, STATIC_TABLE_LENGTH } from './hpack-static-table.ts';

/** Buffer's latin1 writer, present at run time but missing from @types/node. */
type Latin1Buffer = Buffer & { latin1Write(s: string, offset: number, length: number): number };

/** The most dynamic table we keep for a peer, whatever larger size it allows (memory per connection). */
const ENCODER_MAX_TABLE = 4096;

/** Values unique to (almost) every message: indexing them only evicts useful entries. */
const UNIQUE_VALUED = new Set([
  ':path', 'content-length', 'content-range', 'etag', 'last-modified', 'age', 'expires', 'if-none-match',
  'if-modified-since', 'x-request-id', 'traceparent', 'tracestate', 'x-b3-traceid', 'x-b3-spanid', 'x-amzn-trace-id',
]);
/** Sent never-indexed (RFC 7541 7.1.3): guessable secrets must not enter any table on the way. */
const SENSITIVE = new Set(['authorization', 'proxy-authorization', 'set-cookie']);

const KEPT_SCRATCH = 16 * 1024;

/** Field positions remembered (see HpackEncoder.memoName). */
const MEMO_FIELDS = 32;

const INDEXED = 0x80;
const WITH_INDEXING = 0x40;
const WITHOUT_INDEXING = 0x00;
const NEVER_INDEXED = 0x10;

export class HpackEncoder {
  private readonly table = new DynamicTable(ENCODER_MAX_TABLE);
  /** name -> value -> insertion number (see DynamicTable.inserted) of the newest entry with that pair */
  private readonly pairs = new Map<string, Map<string, number>>();
  /** name -> insertion number of the newest entry with that name */
  private readonly names = new Map<string, number>();
  /** Smallest size to signal before pendingSize (-1: no update due), RFC 7541 4.2. */
  private pendingMin = -1;
  private pendingSize = ENCODER_MAX_TABLE;
  /** For encode() and for encodeInto when out might be too small; kept up to KEPT_SCRATCH. */
  private scratch: Latin1Buffer | undefined;
  // What the field at each position of the previous blocks became: responses on a connection
  // repeat their fields in order, and a string compare is cheaper than the Map lookups. memoRef is
  // a static index (> 0), minus an insertion number (<= 0, valid while that entry is held), or NaN;
  // memoLiteral a static name index whose name alone means "literal without indexing", or 0.
  private readonly memoName: string[] = new Array(MEMO_FIELDS).fill('');
  private readonly memoValue: string[] = new Array(MEMO_FIELDS).fill('');
  private readonly memoRef: number[] = new Array(MEMO_FIELDS).fill(Number.NaN);
  private readonly memoLiteral: number[] = new Array(MEMO_FIELDS).fill(0);

  constructor() {
    this.table.onEvict = (name, value, insertion) => {
      const byValue = this.pairs.get(name);
      if (byValue !== undefined && byValue.get(value) === insertion) {
        byValue.delete(value);
        if (byValue.size === 0) this.pairs.delete(name);
      }
      if (this.names.get(name) === insertion) this.names.delete(name);
    };
  }

  /** The peer's SETTINGS_HEADER_TABLE_SIZE: our next block starts with the size update(s) it needs. */
  setPeerMaxTableSize(n: number): void {
    const size = Math.min(n, ENCODER_MAX_TABLE);
    if (this.pendingMin === -1) {
      if (size === this.table.maxSize) return;
      this.pendingMin = size;
    } else this.pendingMin = Math.min(this.pendingMin, size);
    this.pendingSize = size;
  }

  /** Encodes flat lower-case [name, value, ...] at out[offset]; returns the end, or -1 (nothing committed) if out is too small. */
  encodeInto(pairs: readonly string[], out: Buffer, offset: number): number {
    const bound = maxEncodedLength(pairs);
    if (out.length - offset >= bound) return this.write(pairs, out as Latin1Buffer, offset);
    // Might not fit: encode aside, and undo the table's changes if it does not.
    const saved = this.table.snapshot();
    const pendingMin = this.pendingMin;
    const pendingSize = this.pendingSize;
    const scratch = this.scratchOf(bound);
    const n = this.write(pairs, scratch, 0);
    if (n > out.length - offset) {
      this.table.restore(saved);
      this.pendingMin = pendingMin;
      this.pendingSize = pendingSize;
      this.reindex();
      this.memoRef.fill(Number.NaN); // they may name insertions just undone
      return -1;
    }
    scratch.copy(out, offset, 0, n);
    return offset + n;
  }

  /** The block as a new Buffer of its exact length. */
  encode(pairs: readonly string[]): Buffer {
    const scratch = this.scratchOf(maxEncodedLength(pairs));
    const n = this.write(pairs, scratch, 0);
    return Buffer.from(scratch.subarray(0, n));
  }

  private scratchOf(n: number): Latin1Buffer {
    if (this.scratch !== undefined && this.scratch.length >= n) return this.scratch;
    const scratch = Buffer.allocUnsafe(Math.max(n, 1024)) as Latin1Buffer;
    if (n <= KEPT_SCRATCH) this.scratch = scratch;
    return scratch;
  }

  /** Writes the block; out has room for maxEncodedLength(pairs). */
  private write(pairs: readonly string[], out: Latin1Buffer, pos: number): number {
    if (this.pendingMin !== -1) pos = this.writeSizeUpdates(out, pos);
    const table = this.table;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const name = pairs[i]!;
      const value = pairs[i + 1]!;
      const k = i >>> 1;
      if (k < MEMO_FIELDS && name === this.memoName[k]) {
        if (value === this.memoValue[k]) {
          const ref = this.memoRef[k]!;
          if (ref > 0) {
            pos = integer(out, pos, ref, 7, INDEXED);
            continue;
          }
          if (-ref >= table.inserted - table.length) {
            pos = integer(out, pos, STATIC_TABLE_LENGTH + table.inserted + ref, 7, INDEXED);
            continue;
          }
        }
        const literal = this.memoLiteral[k]!;
        if (literal !== 0) {
          pos = writeString(out, integer(out, pos, literal, 4, WITHOUT_INDEXING), value);
          continue;
        }
      }
      pos = this.field(name, value, out, pos, k);
      if (k < MEMO_FIELDS) {
        this.memoName[k] = name;
        this.memoValue[k] = value;
      }
    }
    return pos;
  }

  /** One field the memo did not cover; remembers what it became at memo position k. */
  private field(name: string, value: string, out: Latin1Buffer, pos: number, k: number): number {
    const table = this.table;
    const memo = k < MEMO_FIELDS;
    const staticIndex = STATIC_PAIR_INDEX.get(name)?.get(value);
    if (staticIndex !== undefined) {
      if (memo) this.remember(k, staticIndex, 0);
      return integer(out, pos, staticIndex, 7, INDEXED);
    }
    const byValue = this.pairs.get(name);
    const insertion = byValue?.get(value);
    if (insertion !== undefined) {
      if (memo) this.remember(k, -insertion, 0);
      return integer(out, pos, STATIC_TABLE_LENGTH + table.inserted - insertion, 7, INDEXED);
    }
    const staticName = STATIC_NAME_INDEX.get(name) ?? 0;
    let nameIndex = staticName;
    if (nameIndex === 0) {
      const newest = this.names.get(name);
      if (newest !== undefined) nameIndex = STATIC_TABLE_LENGTH + table.inserted - newest;
    }
    const kind = this.representation(name, value);
    pos = integer(out, pos, nameIndex, kind === WITH_INDEXING ? 6 : 4, kind);
    if (nameIndex === 0) pos = writeString(out, pos, name);
    pos = writeString(out, pos, value);
    if (kind === WITH_INDEXING) this.insert(name, value, byValue);
    if (memo) {
      const inserted = kind === WITH_INDEXING && table.length > 0 && table.name(1) === name;
      this.remember(k, inserted ? -(table.inserted - 1) : Number.NaN, UNIQUE_VALUED.has(name) ? staticName : 0);
    }
    return pos;
  }

  private remember(k: number, ref: number, literal: number): void {
    this.memoRef[k] = ref;
    this.memoLiteral[k] = literal;
  }

  private representation(name: string, value: string): number {
    if (SENSITIVE.has(name) || (name === 'cookie' && value.length < 20)) return NEVER_INDEXED;
    if (UNIQUE_VALUED.has(name) || (name.length + value.length + ENTRY_OVERHEAD) * 4 > this.table.maxSize * 3) return WITHOUT_INDEXING;
    return WITH_INDEXING;
  }

  private insert(name: string, value: string, byValue: Map<string, number> | undefined): void {
    const table = this.table;
    table.add(name, value);
    if (table.length === 0 || table.name(1) !== name) return; // too large for the table: it emptied
    const insertion = table.inserted - 1;
    if (byValue === undefined || !this.pairs.has(name)) {
      byValue = new Map();
      this.pairs.set(name, byValue); // (the evictions may have dropped the name's map)
    }
    byValue.set(value, insertion);
    this.names.set(name, insertion);
  }

  private writeSizeUpdates(out: Latin1Buffer, pos: number): number {
    if (this.pendingMin < this.pendingSize) {
      pos = integer(out, pos, this.pendingMin, 5, 0x20);
      this.table.setMaxSize(this.pendingMin);
    }
    pos = integer(out, pos, this.pendingSize, 5, 0x20);
    this.table.setMaxSize(this.pendingSize);
    this.pendingMin = -1;
    return pos;
  }

  /** Rebuilds the content indexes from the table (after an undo). */
  private reindex(): void {
    this.pairs.clear();
    this.names.clear();
    const t = this.table;
    for (let i = t.length; i >= 1; i--) {
      const name = t.name(i);
      const insertion = t.inserted - i;
      let byValue = this.pairs.get(name);
      if (byValue === undefined) this.pairs.set(name, (byValue = new Map()));
      byValue.set(t.value(i), insertion);
      this.names.set(name, insertion);
    }
  }
}

/** An upper bound of the block's length: two size updates, then per field a prefix and two length-prefixed raw strings. */
function maxEncodedLength(pairs: readonly string[]): number {
  let n = 12;
  for (let i = 0; i < pairs.length; i++) n += pairs[i]!.length + 6;
  return n;
}

/** An integer with an n-bit prefix (RFC 7541 5.1), the prefix octet's other bits set to flags. */
function integer(out: Uint8Array, pos: number, v: number, n: number, flags: number): number {
  const max = (1 << n) - 1;
  if (v < max) {
    out[pos++] = flags | v;
    return pos;
  }
  out[pos++] = flags | max;
  v -= max;
  while (v >= 128) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

/** A string literal (RFC 7541 5.2): Huffman when that is shorter, else the raw latin1 octets. */
function writeString(out: Latin1Buffer, pos: number, s: string): number {
  const len = s.length;
  const h = huffmanLength(s);
  if (h < len) return huffmanEncode(s, out, integer(out, pos, h, 7, 0x80));
  pos = integer(out, pos, len, 7, 0);
  if (len < 64) for (let i = 0; i < len; i++) out[pos + i] = s.charCodeAt(i);
  else out.latin1Write(s, pos, len);
  return pos + len;
}
