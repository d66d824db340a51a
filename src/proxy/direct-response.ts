// Direct responses (IR `direct-response`, Gloo's directResponseAction, Envoy's `direct_response`):
// the route answers with a fixed status and body instead of forwarding. The answer is built once
// per route, when the router is compiled; a request only hands the prepared reply to its front end.
import type { HeaderEdits, RouteFilter } from '../snapshot/types.ts';
import { applyResponseEdits, noEdits } from './headers.ts';
import { type LocalReply, textReply } from './local-reply.ts';
import type { ReportProblem } from './match.ts';

export type DirectResponseFilter = Extract<RouteFilter, { type: 'direct-response' }>;

// Envoy refuses a direct_response status outside [200, 600); the xDS side falls back to a 500 for
// such a route, and so does the data plane.
const INVALID = textReply(500, "the route's direct response has an invalid status");

/** Statuses that never carry a body (RFC 9110 15.3.5, 15.4.5). */
const NO_BODY = new Set([204, 304]);

/**
 * The reply for `f`: `text/plain` when it has a body (as Envoy's local replies), with the route's
 * response header edits applied, as Envoy applies a route's `response_headers_to_add` to its
 * direct responses.
 */
export function compileDirectResponse(f: DirectResponseFilter, edits: HeaderEdits, report: ReportProblem): LocalReply {
  if (!Number.isInteger(f.status) || f.status < 200 || f.status > 599) {
    report(`direct-response: status ${f.status} is not 200..599; the route answers 500`);
    return INVALID;
  }
  // A body that is not text (a translator's slip) is none, rather than a reply no front end can write.
  const body = typeof f.body !== 'string' || NO_BODY.has(f.status) ? '' : f.body;
  let pairs: string[] = body === '' ? [] : ['content-type', 'text/plain'];
  if (!noEdits(edits)) pairs = applyResponseEdits(pairs, edits);
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < pairs.length; i += 2) headers.push([pairs[i]!, pairs[i + 1]!]);
  return { status: f.status, headers, body };
}
