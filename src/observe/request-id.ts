// Request ids (x-request-id), as Envoy's connection manager makes them: a client's id is kept when
// trusted (--trust-request-id, the default) and not empty, else a new random UUID v4. The exchange
// sends it upstream and puts it on the gateway's own answers; on proxied responses only with
// --request-id-in-response (Envoy's always_set_request_id_in_response, off by default there too),
// since adding a field makes the fast path rebuild a head it otherwise forwards as bytes.
import { randomFillSync } from 'node:crypto';
import type { LocalReply } from '../proxy/local-reply.ts';

export const REQUEST_ID = 'x-request-id';

/** Longest client id kept: a longer one is replaced, so logs and upstreams never carry a huge value. */
const MAX_ID = 256;

export class RequestIds {
  readonly trust: boolean;
  /** also set on responses from upstreams */
  readonly inResponse: boolean;

  constructor(trust: boolean, inResponse = false) {
    this.trust = trust;
    this.inResponse = inResponse;
  }

  /** The id of a request whose raw headers are `raw`. */
  idFor(raw: readonly string[]): string {
    if (this.trust) {
      for (let i = 0; i < raw.length; i += 2) {
        const n = raw[i]!;
        if (n.length === 12 && n.toLowerCase() === REQUEST_ID) {
          const v = raw[i + 1]!;
          if (v !== '' && v.length <= MAX_ID) return v;
          break;
        }
      }
    }
    return newRequestId();
  }
}

/** Node's Buffer has latin1Slice (Buffer#toString's own reader) but @types/node does not declare it. */
interface Latin1Sliceable {
  latin1Slice(start: number, end: number): string;
}

// New ids' random bytes are drawn 256 ids at a time, and each id's text is written into one buffer
// and read out as one flat string. randomUUID draws from such a block too, but builds its text by
// twenty concatenations: ~650 bytes of garbage per id, and the text flattened again where written.
const BLOCK = 16 * 256;
const random = Buffer.alloc(BLOCK);
let drawn = BLOCK;
const text = Buffer.from('xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx', 'latin1');
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of an id's 16 bytes goes in its text (the dashes stay). */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** A random UUID v4 (RFC 9562: version 4, variant 10), lower-case, as randomUUID writes it. */
export function newRequestId(): string {
  if (drawn === BLOCK) {
    randomFillSync(random);
    drawn = 0;
  }
  for (let i = 0; i < 16; i++) {
    let v = random[drawn + i]!;
    if (i === 6) v = (v & 0x0f) | 0x40;
    else if (i === 8) v = (v & 0x3f) | 0x80;
    const at = AT[i]!;
    text[at] = HEX[v >> 4]!;
    text[at + 1] = HEX[v & 15]!;
  }
  drawn += 16;
  return (text as Buffer & Latin1Sliceable).latin1Slice(0, 36);
}

/** Sets x-request-id in a [name, value, ...] list: every value replaced by `id` (once), else appended. */
export function setRequestId(headers: string[], id: string): string[] {
  let found = false;
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i]!;
    if (n.length !== 12 || n.toLowerCase() !== REQUEST_ID) continue;
    if (found) {
      headers.splice(i, 2);
      i -= 2;
      continue;
    }
    headers[i + 1] = id;
    found = true;
  }
  if (!found) headers.push(REQUEST_ID, id);
  return headers;
}

/** A local reply that also carries the request id (a copy: replies are shared constants). */
export function withRequestId(reply: LocalReply, id: string): LocalReply {
  return { ...reply, headers: [...reply.headers, [REQUEST_ID, id]] };
}
