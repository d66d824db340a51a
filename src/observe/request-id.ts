// Request ids (x-request-id), as Envoy's connection manager makes them: a client's id is kept when
// trusted (--trust-request-id, the default) and not empty, else a new random UUID v4. The exchange
// sends it upstream and puts it on the gateway's own answers; on proxied responses only with
// --request-id-in-response (Envoy's always_set_request_id_in_response, off by default there too),
// since adding a field makes the fast path rebuild a head it otherwise forwards as bytes.
import { randomUUID } from 'node:crypto';
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
    // randomUUID draws from a cached pool of random bytes: no syscall per request.
    return randomUUID();
  }
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
