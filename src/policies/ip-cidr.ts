// CIDR ranges compiled once into a matcher for client addresses. Every address is held as IPv6,
// 128 bits in four 32-bit words, an IPv4 address as its IPv4-mapped form (::ffff:a.b.c.d), so an
// IPv4 range matches a mapped client (a dual-stack socket's peer) and a mapped range an IPv4 one.
// Parsing is strict (no leading zeros, no short IPv4 forms): anything else is not an address.

/** An IPv6-form range: `prefix` leading bits of `words` (host bits already cleared). */
export interface Cidr {
  readonly words: readonly [number, number, number, number];
  readonly prefix: number;
}

const MAX_ADDRESS = 64;

function ipv4Word(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let w = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    w = w * 256 + n;
  }
  return w;
}

/** `s` as 8 16-bit groups, or undefined. */
function ipv6Groups(s: string): number[] | undefined {
  let tail: number[] = [];
  // An embedded IPv4 address takes the last two groups.
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    const v4 = ipv4Word(s.slice(lastColon + 1));
    if (v4 === undefined || lastColon < 0) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    s = s.slice(0, lastColon + 1);
    // `::a.b.c.d` leaves `::`; `x:a.b.c.d` leaves `x:`, whose trailing colon is the separator.
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (g: string): number | undefined => (/^[0-9a-fA-F]{1,4}$/.test(g) ? Number.parseInt(g, 16) : undefined);
  const read = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      const n = group(g);
      if (n === undefined) return undefined;
      out.push(n);
    }
    return out;
  };
  const head = read(halves[0]!);
  const rest = halves.length === 2 ? read(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1) return given === 8 ? [...head, ...tail] : undefined;
  if (given > 7) return undefined;
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
}

/** The address's four words (IPv4 as IPv4-mapped IPv6), or undefined when it is not an address. */
export function addressWords(address: string): [number, number, number, number] | undefined {
  if (address.length > MAX_ADDRESS) return undefined;
  if (!address.includes(':')) {
    const v4 = ipv4Word(address);
    return v4 === undefined ? undefined : [0, 0, 0xffff, v4];
  }
  const zone = address.indexOf('%');
  const g = ipv6Groups(zone < 0 ? address : address.slice(0, zone));
  if (g === undefined) return undefined;
  return [((g[0]! << 16) | g[1]!) >>> 0, ((g[2]! << 16) | g[3]!) >>> 0, ((g[4]! << 16) | g[5]!) >>> 0, ((g[6]! << 16) | g[7]!) >>> 0];
}

/** The mask of word `i` for a `prefix`-bit range. */
function maskOf(prefix: number, i: number): number {
  const bits = Math.max(0, Math.min(32, prefix - i * 32));
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** `address/prefix` (or a single address) as a range, or why it is not one. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  if (addr.includes('%')) return `"${text}" has a zone id; write the address alone`;
  const words = addressWords(addr);
  if (words === undefined) return `"${addr}" is not an IPv4 or IPv6 address`;
  const v4 = !addr.includes(':');
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > max) return `prefix length "${p}" must be 0 to ${max}`;
    prefix = Number(p);
  }
  const full = v4 ? prefix + 96 : prefix;
  const masked = words.map((w, i) => (w & maskOf(full, i)) >>> 0) as unknown as Cidr['words'];
  return { words: masked, prefix: full };
}

/** A set of ranges: has(address) scans them with four word compares each. */
export class CidrSet {
  readonly #words: Uint32Array;
  readonly #masks: Uint32Array;
  readonly size: number;

  constructor(ranges: readonly Cidr[]) {
    this.size = ranges.length;
    this.#words = new Uint32Array(ranges.length * 4);
    this.#masks = new Uint32Array(ranges.length * 4);
    ranges.forEach((r, n) => {
      for (let i = 0; i < 4; i++) {
        this.#words[n * 4 + i] = r.words[i]!;
        this.#masks[n * 4 + i] = maskOf(r.prefix, i);
      }
    });
  }

  has(address: string): boolean {
    const a = addressWords(address);
    return a !== undefined && this.hasWords(a);
  }

  hasWords(a: readonly number[]): boolean {
    const w = this.#words;
    const m = this.#masks;
    for (let j = 0; j < w.length; j += 4) {
      if (((a[0]! & m[j]!) >>> 0) === w[j] && ((a[1]! & m[j + 1]!) >>> 0) === w[j + 1] && ((a[2]! & m[j + 2]!) >>> 0) === w[j + 2] && ((a[3]! & m[j + 3]!) >>> 0) === w[j + 3]) return true;
    }
    return false;
  }
}

/** Compiles validated CIDRs (a bad one throws: validation should have refused it). */
export function compileCidrs(list: readonly string[]): CidrSet {
  return new CidrSet(
    list.map((t) => {
      const c = parseCidr(t);
      if (typeof c === 'string') throw new Error(c);
      return c;
    }),
  );
}
