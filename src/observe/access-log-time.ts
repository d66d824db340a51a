// Wall-clock text for access log lines, RFC 3339 UTC with milliseconds (toISOString's). Formatting
// a Date per line was a fifth of a line's cost; lines come in time order, so the text up to the
// second is kept (as a string and as bytes) and only the milliseconds are written per line.

/** performance.timeOrigin, read once: the getter makes a new number on every read. */
const ORIGIN = performance.timeOrigin;

let second = NaN;
let prefix = '';
let prefixBytes = new Uint8Array(20);

/** The kept second's text, for `t` ms since the epoch; false for years past 9999 (not worth a cache). */
function keep(t: number): boolean {
  const s = Math.floor(t / 1000);
  if (s === second) return true;
  const iso = new Date(t).toISOString();
  // Years past 9999 are written with a sign and six digits.
  if (iso.length !== 24) return false;
  second = s;
  prefix = iso.slice(0, 20);
  prefixBytes = Buffer.from(prefix, 'latin1');
  return true;
}

/** `new Date(ms).toISOString()`, for ms since the epoch (fractions dropped, as Date does). */
export function isoTime(ms: number): string {
  const t = Math.trunc(ms);
  if (!keep(t)) return new Date(t).toISOString();
  const m = t - second * 1000;
  return prefix + (m < 10 ? '00' : m < 100 ? '0' : '') + m + 'Z';
}

/** The wall-clock text of a performance.now() instant. */
export function isoTimeAt(now: number): string {
  return isoTime(ORIGIN + now);
}

/** isoTimeAt(now)'s bytes written into `buf` at `at`: the end, or -1 for a time the cache does not cover. */
export function isoTimeInto(buf: Uint8Array, at: number, now: number): number {
  const t = Math.trunc(ORIGIN + now);
  if (!keep(t)) return -1;
  const p = prefixBytes;
  for (let i = 0; i < 20; i++) buf[at + i] = p[i]!;
  const m = t - second * 1000;
  buf[at + 20] = 0x30 + Math.floor(m / 100);
  buf[at + 21] = 0x30 + (Math.floor(m / 10) % 10);
  buf[at + 22] = 0x30 + (m % 10);
  buf[at + 23] = 0x5a;
  return at + 24;
}
