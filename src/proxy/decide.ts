// The per-request core: from plain values (listener, host, path, raw headers) to a decision.
// It knows nothing of node:http, so every socket layer (h1, h2, a raw fast path) shares it.
import type { HeaderEdits, ListenerKind } from '../snapshot/types.ts';
import type { CompiledRoute, CompiledSplit, Router } from './router.ts';
import { routedTarget } from './normalize-path.ts';
import { matchRoute, normalizeHost, pickSplit, rawHeader } from './router.ts';

export type Decision =
  | { readonly kind: 'probe'; readonly ingress: string; readonly hash: string }
  /** a probe with no (or an empty) K-Network-Hash: 400, as Knative's probe handler answers it */
  | { readonly kind: 'bad-probe'; readonly ingress: string }
  /** a request target with a `#fragment`: 400, as RFC 9112 3.2 and Envoy's default have it */
  | { readonly kind: 'bad-target' }
  | { readonly kind: 'redirect'; readonly ingress: string; readonly location: string }
  | { readonly kind: 'not-found'; readonly what: 'host' | 'path'; readonly ingress?: string }
  | {
      readonly kind: 'forward';
      readonly ingress: string;
      readonly route: CompiledRoute;
      readonly split: CompiledSplit;
      /** the request target sent upstream: normalised path and query (normalize-path.ts) */
      readonly url: string;
      /** the Host sent upstream */
      readonly upstreamHost: string;
      /** the route's edits of the request headers sent upstream */
      readonly request: HeaderEdits;
      /** the route's edits of the response headers sent to the client; undefined when none */
      readonly response: HeaderEdits | undefined;
    };

export interface RequestFacts {
  readonly listener: ListenerKind;
  /** true when the request arrived over TLS */
  readonly secure: boolean;
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
  // `*` is the catch-all virtual host (a rule without hosts), tried after every named host.
  const table = router.hosts[req.listener];
  const entry = table?.get(host) ?? table?.get('*');
  if (!entry) return { kind: 'not-found', what: 'host' };
  const ingress = entry.vhost.ingress;

  // Knative readiness probe: answered by the gateway itself with the hash of the config it holds.
  // The prober sends `override` and compares the answer with the hash it expects. Like Knative's
  // probe handler (knative.dev/networking pkg/http/probe), a probe must carry a non-empty hash.
  if (rawHeader(req.raw, PROBE_HEADER) === 'probe' && entry.ingress) {
    const sent = rawHeader(req.raw, HASH_HEADER);
    if (sent === undefined || sent === '') return { kind: 'bad-probe', ingress };
    return { kind: 'probe', ingress, hash: sent === 'override' ? entry.ingress.hash : sent };
  }

  const url = routedTarget(req.url, req.normalizePath !== false);
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const route = matchRoute(entry, path, req.raw);
  if (!route) return { kind: 'not-found', what: 'path', ingress };

  // Kourier turns each path of a Redirected ingress's ExternalIP rules into a redirect route, on
  // the external and the cluster-local gateway alike (the translator sets httpOption only there),
  // so only requests a path matches are redirected, whichever plain listener they came to.
  if (!req.secure && entry.vhost.httpOption === 'Redirected') {
    return { kind: 'redirect', ingress, location: headerSafe(`https://${redirectAuthority(req.authority, host)}${url}`) };
  }

  const split = pickSplit(route, roll);
  if (!split) return { kind: 'not-found', what: 'path', ingress };

  const upstreamHost = route.rewriteHost ?? req.authority ?? host;
  return { kind: 'forward', ingress, route, split, url, upstreamHost, request: split.request, response: split.response };
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

// What a client sent goes into the Location header: anything but visible ASCII is percent-encoded,
// so no front end's header validation can throw on it and nothing can split the header.
function headerSafe(value: string): string {
  return /^[\x21-\x7e]*$/.test(value) ? value : value.replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
