// ext_authz's request body (Envoy's with_request_body): the body's first `maxBytes` are read before
// the check and put back (peek-body.ts), so the front end forwards the whole body afterwards. A body
// longer than that gets 413 unless partial messages are allowed (Envoy's answer); a declared length
// over it is refused before anything is read. The fast path streams bodies and cannot wait, so it
// hands routes that read bodies to node:http (exchange.ts).
import type { ExtAuthzBody } from '../snapshot/types.ts';
import type { ForwardDecision, PolicyRequest } from '../proxy/exchange-policy.ts';
import { type LocalReply, textReply } from '../proxy/local-reply.ts';
import { rawHeader } from '../proxy/raw-headers.ts';
import { BODY_TOO_LARGE } from './body-limit.ts';
import { type PeekedBody, peekBody } from './peek-body.ts';

/** How long the body may take to arrive (up to the limit) before the check; then 408, as Envoy's request timeout answers. */
export const BODY_WAIT_MS = 10_000;
export const BODY_TIMEOUT = textReply(408, 'request body not received in time');

/** The route's ext_authz reads request bodies: its front end must be able to wait for one. */
export function readsBody(decision: ForwardDecision): boolean {
  const a = decision.route.route.policies?.extAuthz;
  return a !== undefined && a.withRequestBody !== undefined && a.disabled !== true && a.fromGateway !== true;
}

/** What the check carries of the body, or the answer instead of a check. */
export type BodyForCheck = PeekedBody | LocalReply;

export function isBody(b: BodyForCheck): b is PeekedBody {
  return 'bytes' in b;
}

const EMPTY: PeekedBody = Object.freeze({ bytes: Buffer.alloc(0), partial: false });

export function bodyForCheck(req: PolicyRequest, settings: ExtAuthzBody): BodyForCheck | Promise<BodyForCheck> {
  if (req.bodyless) return EMPTY;
  const declared = rawHeader(req.raw, 'content-length');
  if (!settings.allowPartial && declared !== undefined && /^\d+$/.test(declared) && (declared.length > 16 || Number(declared) > settings.maxBytes)) return BODY_TOO_LARGE;
  const stream = req.requestBody();
  if (stream === undefined) return EMPTY;
  return peekBody(stream, settings.maxBytes, BODY_WAIT_MS).then((b): BodyForCheck => {
    if (b === undefined) return BODY_TIMEOUT;
    if (b.partial && !settings.allowPartial) {
      discardBody(req);
      return BODY_TOO_LARGE;
    }
    return b;
  });
}

/** The request is answered locally after its body was read: the rest is read and dropped, so the client sees the answer. */
export function discardBody(req: PolicyRequest): void {
  req.requestBody()?.resume();
}
