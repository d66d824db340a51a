// The request body size limit. A declared length over the limit is answered 413 before anything
// goes upstream (the policy below). A body without one (chunked, HTTP/2 DATA frames) is counted as
// it streams: each front end asks bodyLimit() for the route's limit and, once the count passes it,
// stops the exchange: 413 when no response has started, else a reset (the upstream sees an
// unfinished request, never a complete one over the limit).
import type { RequestBodyPolicy } from '../snapshot/types.ts';
import type { ExchangePolicy, ForwardDecision, PolicyRequest, RequestVerdict } from '../proxy/exchange-policy.ts';
import { textReply } from '../proxy/local-reply.ts';
import { rawHeader } from '../proxy/raw-headers.ts';

export const BODY_TOO_LARGE = textReply(413, 'request body too large');

export class BodyLimit implements ExchangePolicy {
  constructor(readonly policy: RequestBodyPolicy) {}

  onRequest(req: PolicyRequest): RequestVerdict {
    const length = rawHeader(req.raw, 'content-length');
    // The front ends refuse malformed and conflicting lengths; no length: counted as it streams.
    if (length === undefined || !/^\d+$/.test(length)) return undefined;
    const digits = length.replace(/^0+(?=\d)/, '');
    // Past 16 digits a length is beyond any limit (and beyond exact numbers).
    return digits.length > 16 || Number(digits) > this.policy.maxBytes ? BODY_TOO_LARGE : undefined;
  }
}

/** The route's request body limit in bytes, or -1 for none: what a front end counts a streamed body against. */
export function bodyLimit(x: { readonly decision: ForwardDecision }): number {
  return x.decision.route.route.policies?.requestBody?.maxBytes ?? -1;
}

/**
 * Counts a body's bytes as its reader takes them and calls `over` once they pass `max`. The body
 * must already flow into its reader (piped): a 'data' listener would otherwise start it early.
 */
export function countBody(body: NodeJS.EventEmitter, max: number, over: () => void): void {
  let n = 0;
  const count = (chunk: Buffer): void => {
    n += chunk.length;
    if (n <= max) return;
    body.off('data', count);
    over();
  };
  body.on('data', count);
}
