// W3C Trace Context (https://www.w3.org/TR/trace-context/): reading a client's `traceparent`
// strictly, writing one, and making ids. Pure apart from the random bytes; a value that is not
// exactly the grammar is "invalid", never an error: a client's header never reaches a throw.
import { randomFillSync } from 'node:crypto';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/** A parsed traceparent: lower-case hex ids, the sampled flag (bit 0 of trace-flags). */
export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/** Lower-case hex only: the spec forbids upper case, and an id is compared as a string. */
function isHex(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * A traceparent header value, or undefined when it is not valid: `00-<32 hex>-<16 hex>-<2 hex>`
 * exactly for version 00; a later version may carry more after a `-` (the spec's forward
 * compatibility); version `ff`, all-zero ids and anything else are invalid. Surrounding spaces
 * (optional whitespace around a field value) are ignored.
 */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (v.length < 55 || v[2] !== '-' || v[35] !== '-' || v[52] !== '-') return undefined;
  if (!isHex(v, 0, 2) || !isHex(v, 3, 35) || !isHex(v, 36, 52) || !isHex(v, 53, 55)) return undefined;
  const version = v.slice(0, 2);
  if (version === 'ff') return undefined;
  if (v.length > 55 && (version === '00' || v[55] !== '-')) return undefined;
  const traceId = v.slice(3, 35);
  const spanId = v.slice(36, 52);
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(v.slice(53, 55), 16) & 1) === 1 };
}

/** The traceparent this gateway sends: always version 00, as the spec says a proxy must. */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

/** Longest tracestate passed on: the spec's 32 members of at most 256 characters fit. */
export const MAX_TRACESTATE = 8192;

/**
 * Random trace and span ids from a pool of random bytes filled a few KiB at a time, so a request
 * costs no syscall. All-zero ids are invalid: the odds are negligible, but one is redrawn.
 */
export class TraceIds {
  readonly #pool = Buffer.allocUnsafe(4096);
  #at = 4096;

  #hex(bytes: number, zero: string): string {
    for (;;) {
      if (this.#at + bytes > this.#pool.length) {
        randomFillSync(this.#pool);
        this.#at = 0;
      }
      const id = this.#pool.toString('hex', this.#at, this.#at + bytes);
      this.#at += bytes;
      if (id !== zero) return id;
    }
  }

  traceId(): string {
    return this.#hex(16, ZERO_TRACE);
  }

  spanId(): string {
    return this.#hex(8, ZERO_SPAN);
  }
}
