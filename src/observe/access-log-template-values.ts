// What a template's operators read, as data both roads share: `%REQ(X)%` as a RequestValue (which
// exchange field or header slot, its alternative, its cut), the number operators as a field code,
// and the operators whose values are few (protocol, flags, upstream) as a run per value. The string
// road (access-log-format.ts) reads them through requestText() and numberOf(); the bytes road
// (access-log-template-bytes.ts) through the same functions, inline: a closure per operator made its
// call site see every operator (megamorphic, never inlined), and a few values read a character at a
// time on every line were the same few on every line.
import { type AccessEntry, grpcStatusCode, type LoggedExchange, ttfbMs } from './access-log-entry.ts';
import { type Run, textRun } from './access-log-byte-writes.ts';

/** Where a `%REQ(X)%` value comes from. */
export const FROM_NONE = 0;
export const FROM_METHOD = 1;
export const FROM_TARGET = 2;
export const FROM_AUTHORITY = 3;
/** the line's header slot (access-log-format.ts TemplateHeaders) */
export const FROM_HEADER = 4;
/** the exchange's request id, else the header slot's */
export const FROM_REQUEST_ID = 5;

/** `%REQ(a?b):max%`: `a`'s value, or `b`'s when `a` has none, cut to `max` characters (-1: no cut); `-` when neither has one. */
export class RequestValue {
  constructor(
    readonly a: number,
    readonly aSlot: number,
    readonly b: number,
    readonly bSlot: number,
    readonly max: number,
    /** the line's header values, by slot */
    readonly headers: readonly (string | undefined)[],
  ) {}
}

function fromOf(kind: number, slot: number, x: LoggedExchange, headers: readonly (string | undefined)[]): string {
  switch (kind) {
    case FROM_METHOD:
      return x.method;
    case FROM_TARGET:
      return x.target;
    case FROM_AUTHORITY:
      return x.authority;
    case FROM_HEADER:
      return headers[slot] ?? '';
    case FROM_REQUEST_ID:
      return x.requestId !== '' ? x.requestId : (headers[slot] ?? '');
    default:
      return '';
  }
}

/** The value before its cut: '' for none. */
export function requestValue(r: RequestValue, x: LoggedExchange): string {
  return fromOf(r.a, r.aSlot, x, r.headers) || fromOf(r.b, r.bSlot, x, r.headers);
}

/** The operator's text: the value cut to its length, `-` for none (Envoy's). */
export function requestText(r: RequestValue, x: LoggedExchange): string {
  const v = requestValue(r, x);
  const cut = r.max >= 0 && v.length > r.max ? v.slice(0, r.max) : v;
  return cut === '' ? '-' : cut;
}

/** The number operators' fields. */
export const N_STATUS = 0;
export const N_DURATION = 1;
export const N_BYTES_IN = 2;
export const N_BYTES_OUT = 3;
export const N_TTFB = 4;
export const N_GRPC = 5;

/** A number operator's value, or undefined for `-`. */
export function numberOf(code: number, e: AccessEntry): number | undefined {
  switch (code) {
    case N_STATUS:
      return e.status;
    case N_DURATION:
      return Math.round(e.endedAt - e.x.startedAt);
    case N_BYTES_IN:
      return e.x.bytesIn ?? 0;
    case N_BYTES_OUT:
      return e.x.bytesOut ?? 0;
    case N_TTFB:
      // Envoy's %RESPONSE_DURATION%: ms from the request's start to the upstream's first byte.
      return ttfbMs(e.x);
    default:
      return grpcStatusCode(e.x, e.status);
  }
}

/** Runs kept per operator: its values are few (protocols, flags, endpoints); past this many, values are copied as text. */
const RUNS_MOST = 64;
/** How many value runs were made (a test counts: once per value, not per line). */
export const valueRunsMade = { count: 0 };

/** An operator's values as runs, made once each; the last one's kept for the next line, which mostly has the same. */
export class ValueRuns {
  #last = '';
  #lastRun: Run | undefined;
  readonly #runs = new Map<string, Run>();

  /** `s`'s run, or undefined (not ASCII, or too many values): copy it as text. */
  of(s: string): Run | undefined {
    if (s === this.#last) return this.#lastRun;
    let r = this.#runs.get(s);
    if (r === undefined) {
      // Not ASCII: the line declines, as the copy of its text would.
      if (this.#runs.size >= RUNS_MOST || !isAscii(s)) return undefined;
      valueRunsMade.count++;
      this.#runs.set(s, (r = textRun(s)));
    }
    this.#last = s;
    this.#lastRun = r;
    return r;
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
