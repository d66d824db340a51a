// Responses the gateway writes itself (404, 500, 503, probes, redirects, direct responses, CORS preflights), for any
// socket layer: the one table of the gateway's own answers, so every front end says the same thing
// for the same cause.
import type { HeaderPair } from '../snapshot/types.ts';
import type { Decision } from './decide.ts';

export interface LocalReply {
  readonly status: number;
  readonly headers: Array<[string, string]>;
  readonly body: string;
}

export function textReply(status: number, body: string, extra: Array<[string, string]> = []): LocalReply {
  return {
    status,
    headers: [['content-type', 'text/plain; charset=utf-8'], ...extra],
    body: body.endsWith('\n') ? body : `${body}\n`,
  };
}

export function probeReply(hash: string): LocalReply {
  return { status: 200, headers: [['k-network-hash', hash], ['content-type', 'text/plain; charset=utf-8']], body: 'probe\n' };
}

export function redirectReply(location: string, status = 301): LocalReply {
  return { status, headers: [['location', location], ['content-type', 'text/plain; charset=utf-8']], body: `Moved to ${location}\n` };
}

/** The gateway's answer to a CORS preflight: no body. */
export function preflightReply(headers: readonly HeaderPair[]): LocalReply {
  return { status: 204, headers: headers.map(([n, v]) => [n, v]), body: '' };
}

export const NO_CONFIG = textReply(503, 'no configuration loaded yet');
export const NO_ENDPOINTS = textReply(503, 'no healthy upstream');
// Every upstream failure before the response head (refused, reset, DNS, a malformed head), as
// Envoy answers them all: the reason goes to the metric (upstream-errors.ts), not to the client.
export const UPSTREAM_RESET = textReply(503, 'upstream connect error or disconnect/reset before headers');
// Knative's probe handler's answer to a probe without a hash (pkg/http/probe).
export const BAD_PROBE = textReply(400, 'a probe request must contain a non-empty "K-Network-Hash" header');
export const BAD_TARGET = textReply(400, 'a request target must not contain a #fragment');
// The Gateway API's answer when a rule has no backend to send to (none valid, or all weights 0).
export const NO_BACKEND = textReply(500, 'no backend for this route');
export const MISDIRECTED = textReply(421, 'misdirected request: this host is served on another TLS name (open a new connection)');
export const BODY_TIMEOUT = textReply(408, 'request body timeout: the client sent nothing for too long');
export const TOO_MANY_HEADERS = textReply(431, 'too many request headers');
// Only extended CONNECT (RFC 8441, WebSockets) is offered: a plain CONNECT asks for a proxy tunnel.
export const CONNECT_UNSUPPORTED = textReply(501, 'CONNECT is not supported');
export const BAD_EXTENDED_CONNECT = textReply(400, 'extended CONNECT needs :scheme, :path and :authority');
export const HANDSHAKE_REFUSED = textReply(502, 'upstream refused the WebSocket handshake');
// A request policy that failed (threw, or its promise rejected) fails closed.
export const POLICY_FAILED = textReply(500, 'a route policy failed');

/**
 * The gateway's own answer to a decision that forwards nothing, the same on every socket layer.
 * `error` marks answers that a gRPC client must get as a gRPC status (404), unlike probes and redirects.
 */
export function replyFor(decision: Exclude<Decision, { kind: 'forward' }>): { reply: LocalReply; ingress: string; error: boolean } {
  switch (decision.kind) {
    case 'not-found':
      return { reply: textReply(404, decision.what === 'host' ? 'no ingress for this host' : 'no route for this path'), ingress: decision.ingress ?? '', error: true };
    case 'probe':
      return { reply: probeReply(decision.hash), ingress: decision.ingress, error: false };
    case 'bad-probe':
      return { reply: BAD_PROBE, ingress: decision.ingress, error: false };
    case 'bad-target':
      return { reply: BAD_TARGET, ingress: '', error: true };
    case 'redirect':
      return { reply: redirectReply(decision.location, decision.status), ingress: decision.ingress, error: false };
    case 'no-backend':
      return { reply: NO_BACKEND, ingress: decision.ingress, error: true };
    case 'misdirected':
      return { reply: MISDIRECTED, ingress: decision.ingress, error: true };
    case 'preflight':
      return { reply: preflightReply(decision.headers), ingress: decision.ingress, error: false };
    case 'direct-response':
      return { reply: decision.reply, ingress: decision.ingress, error: true };
  }
}
