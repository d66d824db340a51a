// The per-request core: from plain values (listener, host, path, raw headers) to a decision.
// It knows nothing of node:http, so every socket layer (h1, h2, a raw fast path) shares it.
import type { ListenerKind } from '../snapshot/types.ts';
import type { CompiledRoute, CompiledSplit, Router } from './router.ts';
import { routedTarget } from './normalize-path.ts';
import { matchRoute, normalizeHost, pickSplit, rawHeader } from './router.ts';

export type Decision =
  | { readonly kind: 'probe'; readonly ingress: string; readonly hash: string }
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
      /** headers to set on the upstream request, in order (later wins) */
      readonly set: ReadonlyArray<readonly [string, string]>;
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
  /** port of the HTTPS listener, for redirects (443 is left out of the Location) */
  readonly httpsPort?: number;
  /** normalise the path before matching and forwarding (default true; `--no-normalize-path`) */
  readonly normalizePath?: boolean;
}

export const PROBE_HEADER = 'k-network-probe';
export const HASH_HEADER = 'k-network-hash';

export function decide(router: Router, req: RequestFacts, roll: number = Math.random() * 100): Decision {
  const host = normalizeHost(req.authority);
  // `*` is the catch-all virtual host (a rule without hosts), tried after every named host.
  const table = router.hosts[req.listener];
  const entry = table.get(host) ?? table.get('*');
  if (!entry) return { kind: 'not-found', what: 'host' };
  const ingress = entry.vhost.ingress;

  // Knative readiness probe: answered by the gateway itself with the hash of the config it holds.
  // The prober sends `override` and compares the answer with the hash it expects.
  if (rawHeader(req.raw, PROBE_HEADER) === 'probe' && entry.ingress) {
    const sent = rawHeader(req.raw, HASH_HEADER);
    return { kind: 'probe', ingress, hash: sent === undefined || sent === 'override' ? entry.ingress.hash : sent };
  }

  if (!req.secure && req.listener === 'external' && entry.vhost.httpOption === 'Redirected') {
    const port = req.httpsPort && req.httpsPort !== 443 ? `:${req.httpsPort}` : '';
    return { kind: 'redirect', ingress, location: `https://${host}${port}${req.url}` };
  }

  const url = routedTarget(req.url, req.normalizePath !== false);
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const route = matchRoute(entry, path, req.raw);
  if (!route) return { kind: 'not-found', what: 'path', ingress };
  const split = pickSplit(route, roll);
  if (!split) return { kind: 'not-found', what: 'path', ingress };

  const pathSet = route.route.appendHeaders;
  const set = split.appendHeaders.length === 0 ? pathSet : pathSet.length === 0 ? split.appendHeaders : [...pathSet, ...split.appendHeaders];
  const upstreamHost = route.route.rewriteHost ?? req.authority ?? host;
  return { kind: 'forward', ingress, route, split, url, upstreamHost, set };
}
