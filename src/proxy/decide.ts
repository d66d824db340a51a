// The per-request core: from plain values (listener, method, host, path, raw headers) to a decision.
// It knows nothing of node:http, so every socket layer (h1, h2, a raw fast path) shares it.
import type { HeaderEdits, HeaderPair, ListenerKind, RetryPolicy, Route } from '../snapshot/types.ts';
import type { LocalReply } from './local-reply.ts';
import { originAllowed, preflightHeaders, withCorsHeaders } from './cors.ts';
import { routedTarget } from './normalize-path.ts';
import { headerSafe, type RedirectRequest, redirectLocation, rewritePath } from './rewrite.ts';
import type { BackendSplit, CompiledRoute, HostEntry, HostTable, Mirror, Router } from './router.ts';
import { findHost, matchRoute, normalizeHost, pickSplit, rawHeader } from './router.ts';

export type Decision =
  | { readonly kind: 'probe'; readonly ingress: string; readonly hash: string }
  /** a probe with no (or an empty) K-Network-Hash: 400, as Knative's probe handler answers it */
  | { readonly kind: 'bad-probe'; readonly ingress: string }
  /** a request target with a `#fragment`: 400, as RFC 9112 3.2 and Envoy's default have it */
  | { readonly kind: 'bad-target' }
  /** Knative's https redirect (301) or a redirect filter's */
  | { readonly kind: 'redirect'; readonly ingress: string; readonly location: string; readonly status: 301 | 302 | 303 | 307 | 308 }
  | { readonly kind: 'not-found'; readonly what: 'host' | 'path'; readonly ingress?: string }
  /** HTTPS Gateway port: the Host belongs to another listener than the SNI (421, the Gateway API's "misdirected requests") */
  | { readonly kind: 'misdirected'; readonly ingress: string }
  /** the route has no backend to send to (none, all weights 0, or an invalid reference): 500 */
  | { readonly kind: 'no-backend'; readonly ingress: string }
  /** a direct-response filter: the route's prepared answer (direct-response.ts) */
  | { readonly kind: 'direct-response'; readonly ingress: string; readonly reply: LocalReply }
  /** a CORS preflight, answered by the gateway: 204 with these headers (none but Vary for an origin not allowed) */
  | { readonly kind: 'preflight'; readonly ingress: string; readonly headers: readonly HeaderPair[] }
  | {
      readonly kind: 'forward';
      readonly ingress: string;
      readonly route: CompiledRoute;
      readonly split: BackendSplit;
      /** the request target sent upstream: normalised (normalize-path.ts), then rewritten, path and query */
      readonly url: string;
      /** the Host sent upstream */
      readonly upstreamHost: string;
      /** the route's edits of the request headers sent upstream */
      readonly request: HeaderEdits;
      /** the route's edits of the response headers sent to the client; undefined when none */
      readonly response: HeaderEdits | undefined;
      /** copies to send, each with its share of requests (decided by the sender); empty when none */
      readonly mirrors: readonly Mirror[];
      /** the route's timeouts in ms; undefined: none */
      readonly timeout: Route['timeout'];
      readonly retry: RetryPolicy | undefined;
    };

export interface RequestFacts {
  readonly listener: ListenerKind;
  /** true when the request arrived over TLS */
  readonly secure: boolean;
  /** the SNI name the TLS client sent; undefined: plain, or none sent */
  readonly sni?: string | undefined;
  /** the request method as sent (upper-case for the standard ones) */
  readonly method: string;
  /** the Host / :authority as sent */
  readonly authority: string | undefined;
  /** path with query */
  readonly url: string;
  readonly raw: readonly string[];
  /** normalise the path before matching and forwarding (default true; `--no-normalize-path`) */
  readonly normalizePath?: boolean;
}

export const PROBE_HEADER = 'k-network-probe';
export const HASH_HEADER = 'k-network-hash';

export function decide(router: Router, req: RequestFacts, roll: number = Math.random() * 100): Decision {
  // A fragment is never part of a request target; Envoy refuses one rather than guess what the
  // client meant (stripping it would route `/a#/../b` differently from an origin that keeps it).
  if (req.url.indexOf('#') >= 0) return { kind: 'bad-target' };
  const host = normalizeHost(req.authority);
  const table = router.hosts[req.listener];
  const entry = table === undefined ? undefined : findHost(table, host);
  if (!entry) return { kind: 'not-found', what: 'host' };
  const ingress = entry.vhost.ingress;
  // Connection reuse (RFC 9110 7.4) may bring a Host that another listener, with another
  // certificate, serves: only the listener the handshake chose may answer.
  if (entry.vhost.listenerHostname !== undefined && req.sni !== undefined && !sameListener(table!, entry, req.sni)) return { kind: 'misdirected', ingress };

  // Knative readiness probe: answered by the gateway itself with the hash of the config it holds.
  // The prober sends `override` and compares the answer with the hash it expects. Like Knative's
  // probe handler (knative.dev/networking pkg/http/probe), a probe must carry a non-empty hash.
  if (entry.ingress && rawHeader(req.raw, PROBE_HEADER) === 'probe') {
    const sent = rawHeader(req.raw, HASH_HEADER);
    if (sent === undefined || sent === '') return { kind: 'bad-probe', ingress };
    return { kind: 'probe', ingress, hash: sent === 'override' ? entry.ingress.hash : sent };
  }

  const url = routedTarget(req.url, req.normalizePath !== false);
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const route = matchRoute(entry, req.method, path, url, q, req.raw);
  if (!route) return { kind: 'not-found', what: 'path', ingress };

  // Kourier turns each path of a Redirected ingress's ExternalIP rules into a redirect route, on
  // the external and the cluster-local gateway alike (the translator sets httpOption only there),
  // so only requests a path matches are redirected, whichever plain listener they came to.
  if (!req.secure && entry.vhost.httpOption === 'Redirected') {
    return { kind: 'redirect', ingress, location: headerSafe(`https://${redirectAuthority(req.authority, host)}${url}`), status: 301 };
  }

  // From here the answer is the route's: counted against the object it came from (a Gateway's
  // host holds several HTTPRoutes' routes).
  const owner = route.route.ingress;
  const origin = route.cors === undefined ? undefined : rawHeader(req.raw, 'origin');
  if (origin !== undefined && req.method === 'OPTIONS') {
    const headers = preflightHeaders(route.cors!, origin, req.raw);
    if (headers !== undefined) return { kind: 'preflight', ingress: owner, headers };
  }
  const cors = origin !== undefined && originAllowed(route.cors!, origin) ? route.cors : undefined;

  if (route.redirect !== undefined) {
    return { kind: 'redirect', ingress: owner, location: redirectLocation(route.redirect, route.path, redirectRequest(router, req, host, path, url, q)), status: route.redirect.status };
  }
  if (route.direct !== undefined) return { kind: 'direct-response', ingress: owner, reply: route.direct };
  if (route.total === 0) return { kind: 'no-backend', ingress: owner };
  // Knative's weights are percents: the roll is used as it is, so a route splits exactly as before.
  let split = pickSplit(route, route.total === 100 ? roll : (roll * route.total) / 100);
  if (split?.grpcPassthrough !== undefined && isGrpc(rawHeader(req.raw, 'content-type'))) split = split.grpcPassthrough;
  if (split === undefined) return { kind: 'no-backend', ingress: owner };
  if (split.redirect !== undefined) {
    return { kind: 'redirect', ingress: owner, location: redirectLocation(split.redirect, route.path, redirectRequest(router, req, host, path, url, q)), status: split.redirect.status };
  }
  if (split.direct !== undefined) return { kind: 'direct-response', ingress: owner, reply: split.direct };
  if (split.cluster === undefined) return { kind: 'no-backend', ingress: owner };

  return {
    kind: 'forward',
    ingress: owner,
    route,
    split: split as BackendSplit,
    url: split.path === undefined ? url : rewritePath(split.path, route.path, path) + queryOf(url, q),
    upstreamHost: split.hostname ?? req.authority ?? host,
    request: split.request,
    response: cors === undefined ? split.response : withCorsHeaders(cors, origin!, split.response),
    mirrors: split.mirrors,
    timeout: route.route.timeout,
    retry: route.route.retry,
  };
}

/**
 * What a redirect keeps of the request. On a Gateway port the listener's declared port stands for
 * the bound one (--port-offset is invisible); the port list is short and redirects are rare.
 */
function redirectRequest(router: Router, req: RequestFacts, host: string, path: string, url: string, q: number): RedirectRequest {
  const listenerPort = router.snapshot.ports.find((p) => p.name === req.listener)?.listenerPort;
  return { secure: req.secure, authority: req.authority, listenerPort, host, path, query: queryOf(url, q) };
}

function sameListener(table: HostTable, entry: HostEntry, sni: string): boolean {
  return findHost(table, normalizeHost(sni))?.vhost.listenerHostname === entry.vhost.listenerHostname;
}

/** The query of `url` with its `?` (`` when none): a rewrite or redirect keeps it as sent. */
function queryOf(url: string, q: number): string {
  return q >= 0 ? url.slice(q) : '';
}

// A Host that is not a plain host[:port] is replaced by the normalised host.
const PLAIN_AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]*)?$/;

/**
 * The authority of an https redirect, as Envoy's `https_redirect` makes it (RouteEntryImplBase::
 * processRequestHost): the Host as sent, with `:80` dropped since it is plain HTTP's default port;
 * any other port is kept.
 */
function redirectAuthority(authority: string | undefined, host: string): string {
  if (authority === undefined || !PLAIN_AUTHORITY.test(authority)) return host;
  return authority.endsWith(':80') ? authority.slice(0, -3) : authority;
}

/** A gRPC client's request (`application/grpc`, `application/grpc+proto`...), which a transcoder passes through. */
function isGrpc(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/grpc(?:$|[+;])/i.test(contentType);
}
