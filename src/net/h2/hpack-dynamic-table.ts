// HPACK's dynamic table (RFC 7541 sections 2.3.2, 4): a FIFO of (name, value) entries bounded by
// size (octets of name + value + 32 each), kept in a ring so insertions and evictions move nothing.
// Shared by the decoder (lookups by index) and the encoder (which also indexes entries by content
// and hears of each eviction through onEvict).

/** Per-entry overhead counted in the table size (RFC 7541 4.1). */
export const ENTRY_OVERHEAD = 32;

export class DynamicTable {
  private names: string[] = new Array(16);
  private values: string[] = new Array(16);
  private mask = 15;
  /** Slot the next insertion goes to. */
  private head = 0;
  /** Entries held. */
  length = 0;
  /** Sum of entry sizes (RFC 7541 4.1). */
  size = 0;
  /** Entries ever inserted: entry n-th inserted (0-based) is at index inserted - n while held. */
  inserted = 0;
  /** Called for each entry evicted, oldest first, with its insertion number. */
  onEvict: ((name: string, value: string, insertion: number) => void) | undefined;

  constructor(public maxSize: number) {}

  /** Name of dynamic entry i (1 = newest); the caller checks 1 <= i <= length. */
  name(i: number): string {
    return this.names[(this.head - i) & this.mask]!;
  }

  value(i: number): string {
    return this.values[(this.head - i) & this.mask]!;
  }

  /** Inserts as newest, evicting the oldest entries to make room; an entry larger than the table empties it (RFC 7541 4.4). */
  add(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    if (entrySize > this.maxSize) {
      this.evictTo(0);
      this.inserted++;
      return;
    }
    this.evictTo(this.maxSize - entrySize);
    if (this.length > this.mask) this.grow();
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.head = (this.head + 1) & this.mask;
    this.length++;
    this.size += entrySize;
    this.inserted++;
  }

  /** A dynamic table size update (RFC 7541 4.3, 6.3): evicts until the table fits. */
  setMaxSize(n: number): void {
    this.maxSize = n;
    this.evictTo(n);
  }

  private evictTo(limit: number): void {
    while (this.size > limit) {
      const slot = (this.head - this.length) & this.mask;
      const name = this.names[slot]!;
      const value = this.values[slot]!;
      this.size -= name.length + value.length + ENTRY_OVERHEAD;
      this.names[slot] = '';
      this.values[slot] = '';
      this.length--;
      this.onEvict?.(name, value, this.inserted - this.length - 1);
    }
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const names: string[] = new Array(cap);
    const values: string[] = new Array(cap);
    for (let i = this.length; i >= 1; i--) {
      names[this.length - i] = this.name(i);
      values[this.length - i] = this.value(i);
    }
    this.names = names;
    this.values = values;
    this.head = this.length;
    this.mask = cap - 1;
  }

  /** A copy of the held state, to undo an encode that did not fit (see HpackEncoder.encodeInto). */
  snapshot(): DynamicTableState {
    return { names: this.names.slice(), values: this.values.slice(), mask: this.mask, head: this.head, length: this.length, size: this.size, inserted: this.inserted, maxSize: this.maxSize };
  }

  restore(s: DynamicTableState): void {
    ({ names: this.names, values: this.values, mask: this.mask, head: this.head, length: this.length, size: this.size, inserted: this.inserted, maxSize: this.maxSize } = s);
  }
}

export interface DynamicTableState {
  names: string[];
  values: string[];
  mask: number;
  head: number;
  length: number;
  size: number;
  inserted: number;
  maxSize: number;
}
