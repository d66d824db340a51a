// Wall-clock text for access log lines, RFC 3339 UTC with milliseconds (toISOString's). Formatting
// a Date per line was a fifth of a line's cost; lines come in time order, so the text up to the
// second is kept (as a string and as bytes), and the JSON line's time run (key and text) is made
// once per millisecond and copied whole by every line in it.

import { putRun, rewordRun, runOf } from './access-log-byte-writes.ts';

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

/** How many millisecond texts isoTime() made (a test counts: once per millisecond, not per line). */
export const isoTextsMade = { count: 0 };

let textMs = NaN;
let textOfMs = '';

/** `new Date(ms).toISOString()`, for ms since the epoch (fractions dropped, as Date does); lines in the same millisecond share one text. */
export function isoTime(ms: number): string {
  const t = Math.trunc(ms);
  if (t === textMs) return textOfMs;
  isoTextsMade.count++;
  if (!keep(t)) return new Date(t).toISOString();
  const m = t - second * 1000;
  textOfMs = prefix + (m < 10 ? '00' : m < 100 ? '0' : '') + m + 'Z';
  textMs = t;
  return textOfMs;
}

/** The wall-clock text of a performance.now() instant. */
export function isoTimeAt(now: number): string {
  return isoTime(ORIGIN + now);
}

/** How many millisecond texts the JSON line's time run was made with (a test counts: once per millisecond, not per line). */
export const timeRunsMade = { count: 0 };

const TIME_KEY = '{"time":"';
/** `{"time":"` and the text of the millisecond `runMs`, kept: lines in the same millisecond copy it whole. */
const text = Buffer.from(TIME_KEY + '0000-00-00T00:00:00.000Z', 'latin1');
const run = runOf(text);
/** The same text without the key (a template's %START_TIME%). */
const isoRun = runOf(text.subarray(TIME_KEY.length));
let runMs = NaN;

/** `{"time":"` and isoTimeAt(now)'s bytes written into `buf` (`v` a view of it) at `at`: the end, or -1 for a time the cache does not cover. */
export function timeRunInto(v: DataView, buf: Uint8Array, at: number, now: number): number {
  return keepRun(now) ? putRun(v, buf, at, run) : -1;
}

/** isoTimeAt(now)'s bytes written into `buf` at `at`: the end, or -1 for a time the cache does not cover. */
export function isoTimeInto(v: DataView, buf: Uint8Array, at: number, now: number): number {
  return keepRun(now) ? putRun(v, buf, at, isoRun) : -1;
}

/** The runs hold `now`'s millisecond: false for one the cache does not cover. */
function keepRun(now: number): boolean {
  const t = Math.trunc(ORIGIN + now);
  if (t !== runMs) {
    if (!keep(t)) return false;
    text.set(prefixBytes, TIME_KEY.length);
    const m = t - second * 1000;
    const d = TIME_KEY.length + 20;
    text[d] = 0x30 + Math.floor(m / 100);
    text[d + 1] = 0x30 + (Math.floor(m / 10) % 10);
    text[d + 2] = 0x30 + (m % 10);
    rewordRun(run);
    rewordRun(isoRun);
    runMs = t;
    timeRunsMade.count++;
  }
  return true;
}
