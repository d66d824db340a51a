// Wall-clock text for access log lines, RFC 3339 UTC with milliseconds (toISOString's). Formatting
// a Date per line was a fifth of a line's cost; lines come in time order, so the text up to the
// second is kept and only the milliseconds are written per line.

let second = NaN;
let prefix = '';

/** `new Date(ms).toISOString()`, for ms since the epoch (fractions dropped, as Date does). */
export function isoTime(ms: number): string {
  const t = Math.trunc(ms);
  const s = Math.floor(t / 1000);
  if (s !== second) {
    const iso = new Date(t).toISOString();
    // Years past 9999 are written with a sign and six digits: not worth a cache.
    if (iso.length !== 24) return iso;
    second = s;
    prefix = iso.slice(0, 20);
  }
  const m = t - s * 1000;
  return prefix + (m < 10 ? '00' : m < 100 ? '0' : '') + m + 'Z';
}

/** The wall-clock text of a performance.now() instant. */
export function isoTimeAt(now: number): string {
  return isoTime(performance.timeOrigin + now);
}
