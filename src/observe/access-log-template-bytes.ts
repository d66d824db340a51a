// A template line (access-log-format.ts) written as bytes straight into the writer's buffer: no
// string for the line (no concatenations, no flattened copy), none for a number operator's value
// (its digits are written: numberOperator()) or the start time (its bytes are made once per
// millisecond: timeOperator()), and no array of the line's values (each value is copied as it is
// got). The fixed text is runs made once; values are copied four bytes a store
// (access-log-byte-writes.ts). `%REQ(X)%` and the number operators are read inline from their data
// (access-log-template-values.ts), and the operators with few values (protocol, flags, upstream) are
// copied as runs made once per value. A value with a non-ASCII character declines the line and it goes the
// string road, which encodes UTF-8. Templates escape nothing, so every other character is copied as
// it is, as that road writes it.
import type { AccessEntry } from './access-log-entry.ts';
import { asciiInto, DIGITS_MOST, digitsInto, putRun, type Run, runOf, viewOf } from './access-log-byte-writes.ts';
import { isoTimeAt, isoTimeInto } from './access-log-time.ts';
import { numberOf, type RequestValue, requestText, requestValue, ValueRuns } from './access-log-template-values.ts';
import { CHUNK, type LineWriter } from './access-log-writer.ts';

export type LineBytes = (w: LineWriter, e: AccessEntry) => boolean;

type Operator = (e: AccessEntry) => string;

/** Number operators' field codes (numberOf()), by their string form. */
const numbers = new WeakMap<Operator, number>();
/** Time operators' instants (performance.now()), by their string form. */
const times = new WeakMap<Operator, (e: AccessEntry) => number>();
/** `%REQ(X)%` operators' data, by their string form. */
const requests = new WeakMap<Operator, RequestValue>();
/** Operators whose values are few: written from a run per value. */
const few = new WeakSet<Operator>();

/** An operator whose value is a number (numberOf(code); `-` when undefined): String() of it on the string road, its digits on the bytes road. */
export function numberOperator(code: number): Operator {
  const op: Operator = (e) => {
    const n = numberOf(code, e);
    return n === undefined ? '-' : String(n);
  };
  numbers.set(op, code);
  return op;
}

/** `%REQ(X)%`: read from its data on both roads. */
export function requestOperator(r: RequestValue): Operator {
  const op: Operator = (e) => requestText(r, e.x);
  requests.set(op, r);
  return op;
}

/** An operator with few values (a protocol, flags, an endpoint): the bytes road copies each value's run, made once. */
export function fewValues(op: Operator): Operator {
  few.add(op);
  return op;
}

/** An operator whose value is the wall-clock text of an instant (isoTimeAt()): on the bytes road, the millisecond's bytes made once. */
export function timeOperator(at: (e: AccessEntry) => number): Operator {
  const op: Operator = (e) => isoTimeAt(at(e));
  times.set(op, at);
  return op;
}

const FIXED = 0;
const TEXT = 1;
const NUMBER = 2;
const TIME = 3;
const REQUEST = 4;
const FEW = 5;
/** The longest time text (a year past 9999 has a sign and six digits). */
const TIME_MOST = 27;

/** One part of a compiled template, of one class whatever its kind (object literals of different kinds were
 * different shapes, and the line's loop read them through megamorphic loads). */
class Piece {
  constructor(
    readonly kind: typeof FIXED | typeof TEXT | typeof NUMBER | typeof TIME | typeof REQUEST | typeof FEW,
    readonly run: Run | undefined,
    readonly text: Operator | undefined,
    /** NUMBER's field code */
    readonly number: number,
    readonly time: ((e: AccessEntry) => number) | undefined,
    readonly request: RequestValue | undefined,
    readonly runs: ValueRuns | undefined,
  ) {}
}

/** The line's answer when the buffer has too little room left for it. */
const NO_ROOM = -2;
/** Room asked for a line at first: its fixed text and this much for its values (a longer line asks for a whole buffer). */
const VALUES_MOST = 1024;

/** The bytes road of a compiled template: `parts` are its fixed text and its operators, in order; `before` runs once per line before them. */
export function templateBytes(parts: ReadonlyArray<string | Operator>, before: (e: AccessEntry) => void = () => {}): LineBytes {
  const pieces: Piece[] = parts.map((p): Piece => {
    if (typeof p === 'string') return new Piece(FIXED, runOf(Buffer.from(p, 'utf8')), undefined, -1, undefined, undefined, undefined);
    const number = numbers.get(p);
    if (number !== undefined) return new Piece(NUMBER, undefined, undefined, number, undefined, undefined, undefined);
    const time = times.get(p);
    if (time !== undefined) return new Piece(TIME, undefined, p, -1, time, undefined, undefined);
    const request = requests.get(p);
    if (request !== undefined) return new Piece(REQUEST, undefined, p, -1, undefined, request, undefined);
    if (few.has(p)) return new Piece(FEW, undefined, p, -1, undefined, undefined, new ValueRuns());
    return new Piece(TEXT, undefined, p, -1, undefined, undefined, undefined);
  });
  const fixed = pieces.reduce((n, p) => n + (p.run?.length ?? 0), 0);
  const DASH = 0x2d;

  /** The line into `buf` at `at`: its end, -1 (a non-ASCII value: the string road), or NO_ROOM. */
  const line = (buf: Uint8Array, at: number, e: AccessEntry): number => {
    const v = viewOf(buf);
    // The newline's byte stays free.
    const limit = buf.length - 1;
    let o = at;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (p.kind === FIXED) {
        if (o + p.run!.length > limit) return NO_ROOM;
        o = putRun(v, buf, o, p.run!);
      } else if (p.kind === NUMBER) {
        if (o + DIGITS_MOST > limit) return NO_ROOM;
        const n = numberOf(p.number, e);
        if (n === undefined) buf[o++] = DASH;
        else o = digitsInto(v, buf, o, n);
      } else if (p.kind === TIME) {
        if (o + TIME_MOST > limit) return NO_ROOM;
        const end = isoTimeInto(v, buf, o, p.time!(e));
        // A time the cache does not cover: its text.
        o = end >= 0 ? end : asciiInto(v, buf, o, p.text!(e));
      } else if (p.kind === REQUEST) {
        const r = p.request!;
        let s = requestValue(r, e.x);
        if (r.max >= 0 && s.length > r.max) s = s.slice(0, r.max);
        if (s === '') {
          if (o + 1 > limit) return NO_ROOM;
          buf[o++] = DASH;
        } else {
          if (o + s.length > limit) return NO_ROOM;
          if ((o = asciiInto(v, buf, o, s)) < 0) return -1;
        }
      } else if (p.kind === FEW) {
        const s = p.text!(e);
        const run = p.runs!.of(s);
        if (o + s.length > limit) return NO_ROOM;
        if (run !== undefined) o = putRun(v, buf, o, run);
        else if ((o = asciiInto(v, buf, o, s)) < 0) return -1;
      } else {
        const s = p.text!(e);
        if (o + s.length > limit) return NO_ROOM;
        if ((o = asciiInto(v, buf, o, s)) < 0) return -1;
      }
    }
    return o;
  };

  return (w, e) => {
    let buf = w.room(fixed + VALUES_MOST);
    before(e);
    if (buf === undefined) return false;
    let end = line(buf, w.at, e);
    if (end === NO_ROOM) {
      // Long values: a fresh buffer, else (longer than a buffer) the string road.
      buf = w.room(CHUNK);
      if (buf === undefined) return false;
      end = line(buf, w.at, e);
    }
    if (end < 0) return false;
    w.commit(end);
    return true;
  };
}
