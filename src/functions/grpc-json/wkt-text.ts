// The string forms proto3 JSON gives google.protobuf.Timestamp, Duration and FieldMask.
import { jsonName } from './field-path.ts';

export interface SecondsNanos {
  /** int64 as a decimal string, what fromObject takes for a long */
  seconds: string;
  nanos: number;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const MIN_SECONDS = -62135596800n; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799n; // 9999-12-31T23:59:59Z

function nanosOf(fraction: string | undefined): number {
  return fraction ? Number(fraction.padEnd(9, '0')) : 0;
}

/** RFC 3339 (what the JSON mapping allows) to seconds and nanos since the epoch; undefined when invalid. */
export function parseTimestamp(text: string): SecondsNanos | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  if (date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let seconds = BigInt(Math.floor(date.getTime() / 1000));
  if (sign) seconds -= BigInt((sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60));
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) return undefined;
  return { seconds: seconds.toString(), nanos: nanosOf(frac) };
}

function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const nine = String(nanos).padStart(9, '0');
  return `.${nine.endsWith('000000') ? nine.slice(0, 3) : nine.endsWith('000') ? nine.slice(0, 6) : nine}`;
}

/** Seconds and nanos to RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protobuf prints it. */
export function formatTimestamp(seconds: bigint, nanos: number): string {
  const iso = new Date(Number(seconds) * 1000).toISOString(); // 1970-01-01T00:00:00.000Z
  return `${iso.slice(0, 19)}${fraction(nanos)}Z`;
}

const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const MAX_DURATION = 315576000000n;

/** `"1.5s"`, `"-0.001s"` to seconds and nanos (both negative for a negative duration). */
export function parseDuration(text: string): SecondsNanos | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const seconds = BigInt(m[2]!);
  if (seconds > MAX_DURATION) return undefined;
  const nanos = nanosOf(m[3]);
  const neg = m[1] === '-';
  return { seconds: (neg ? -seconds : seconds).toString(), nanos: neg ? -nanos : nanos };
}

export function formatDuration(seconds: bigint, nanos: number): string {
  const neg = seconds < 0n || nanos < 0;
  const abs = seconds < 0n ? -seconds : seconds;
  return `${neg ? '-' : ''}${abs}${fraction(Math.abs(nanos))}s`;
}

/** `"user.displayName,photo"` to proto paths (`user.display_name`). */
export function parseFieldMask(text: string): string[] {
  if (text === '') return [];
  return text.split(',').map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
}

export function formatFieldMask(paths: readonly string[]): string {
  return paths.map((p) => p.split('.').map(jsonName).join('.')).join(',');
}
