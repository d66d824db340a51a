// A list response decoded as it arrives: each object of `items` is parsed (and handed over, to be
// slimmed) as soon as its last byte is in, so a page of 500 objects is never held whole, neither as
// text nor as parsed objects with their managedFields. The rest of the document (kind, metadata
// with resourceVersion and continue) is kept as bytes and parsed at the end, with `items` empty.
// JSON's structural characters are ASCII, so the bytes are scanned without decoding UTF-8.
import { SluiceError } from '../errors.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const TAB = 0x09;
const RETURN = 0x0d;

/** larger than any object the API server stores (etcd's limit is 1.5 MiB) with room to spare */
const MAX_ITEM = 64 << 20;

export class ListDecoder {
  readonly #onItem: (item: unknown) => void;
  /** containers open: 1 inside the top-level object, 2 inside its `items` array, more inside an item */
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** inside `items` (the array opened at depth 1 after the key "items") */
  #inItems = false;
  /** the last string closed at depth 1 (a key, when a colon follows) and the key whose value is open */
  #lastString: number[] | undefined;
  #key: string | undefined;
  /** the bytes of the item being read (chunks cut at its start and end), and their length */
  #item: Buffer[] = [];
  #itemSize = 0;
  #itemOpen = false;
  /** everything but the items */
  #rest: Buffer[] = [];
  items = 0;

  constructor(onItem: (item: unknown) => void) {
    this.#onItem = onItem;
  }

  push(chunk: Buffer): void {
    let restFrom = this.#inItems ? -1 : 0;
    let itemFrom = this.#itemOpen ? 0 : -1;
    // the next backslash at or after i (found once per stretch, not once per string)
    let backslash = -2;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.#inString) {
        // Jump to the next quote; an escaped one (odd run of backslashes before it) does not close.
        if (this.#escaped) {
          this.#escaped = false;
          continue;
        }
        const q = chunk.indexOf(QUOTE, i);
        if (backslash !== -1 && backslash < i) backslash = chunk.indexOf(BACKSLASH, i);
        const b = backslash;
        if (b !== -1 && (q === -1 || b < q)) {
          this.#collect(chunk, i, b);
          i = b;
          this.#escaped = true;
          continue;
        }
        if (q === -1) {
          this.#collect(chunk, i, chunk.length);
          i = chunk.length;
          continue;
        }
        this.#collect(chunk, i, q);
        i = q;
        this.#inString = false;
        continue;
      }
      // Between items only commas and white space may come: an item that is not an object is refused.
      if (this.#inItems && this.#depth === 2 && c !== OPEN_OBJECT && c !== CLOSE_ARRAY && c !== COMMA && c !== SPACE && c !== NEWLINE && c !== TAB && c !== RETURN) {
        throw new SluiceError('SLUICE_ERR_KUBERNETES', 'list item is not an object');
      }
      if (c === QUOTE) {
        this.#inString = true;
        this.#lastString = this.#depth === 1 ? [] : undefined;
      } else if (c === COLON) {
        if (this.#depth === 1 && this.#lastString) this.#key = Buffer.from(this.#lastString).toString('latin1');
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        this.#depth++;
        if (this.#depth === 2 && c === OPEN_ARRAY && this.#key === 'items') {
          // The array's brackets stay in the rest; its contents do not.
          this.#inItems = true;
          this.#rest.push(chunk.subarray(restFrom, i + 1));
          restFrom = -1;
        } else if (this.#inItems && this.#depth === 3) {
          this.#itemOpen = true;
          itemFrom = i;
        }
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.#depth--;
        if (this.#inItems && this.#depth === 2 && this.#itemOpen) {
          this.#endItem(chunk.subarray(itemFrom, i + 1));
          itemFrom = -1;
        } else if (this.#inItems && this.#depth === 1) {
          this.#inItems = false;
          this.#key = undefined;
          restFrom = i;
        }
      }
    }
    if (itemFrom >= 0) this.#addToItem(chunk.subarray(itemFrom));
    if (restFrom >= 0) this.#rest.push(chunk.subarray(restFrom));
  }

  /** The document without its items (undefined when it is not a complete JSON object). */
  end(): { metadata?: { resourceVersion?: string; continue?: string } } | undefined {
    if (this.#depth !== 0 || this.#inString) return undefined;
    try {
      const doc = JSON.parse(Buffer.concat(this.#rest).toString('utf8')) as unknown;
      return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? doc : undefined;
    } catch {
      return undefined;
    }
  }

  /** Keeps the bytes of a top-level key as they pass (keys are short: what is not one is dropped at once). */
  #collect(chunk: Buffer, from: number, to: number): void {
    const s = this.#lastString;
    if (s === undefined) return;
    if (s.length + to - from > 64) this.#lastString = undefined;
    else for (let j = from; j < to; j++) s.push(chunk[j]!);
  }

  #addToItem(part: Buffer): void {
    this.#itemSize += part.length;
    if (this.#itemSize > MAX_ITEM) throw new SluiceError('SLUICE_ERR_KUBERNETES', `list item longer than ${MAX_ITEM} bytes`);
    this.#item.push(part);
  }

  #endItem(last: Buffer): void {
    this.#addToItem(last);
    const text = (this.#item.length === 1 ? this.#item[0]! : Buffer.concat(this.#item)).toString('utf8');
    this.#item = [];
    this.#itemSize = 0;
    this.#itemOpen = false;
    this.items++;
    this.#onItem(JSON.parse(text));
  }
}
