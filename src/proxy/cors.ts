// CORS (Gateway API HTTPCORSFilter, Envoy's cors filter): a preflight (OPTIONS with Origin and
// Access-Control-Request-Method) is answered by the gateway, with the Access-Control-Allow-*
// headers when its origin is allowed; any other request from an allowed origin is forwarded and
// its response gets them. Any other request from an origin not allowed is routed as if there were
// no policy, so the browser, not the gateway, refuses it. Everything but the per-origin answer is built once.
import type { CorsPolicy, HeaderEdits, HeaderPair } from '../snapshot/types.ts';
import { rawHeader } from './raw-headers.ts';

export interface CompiledCors {
  readonly anyOrigin: boolean;
  /** lower-case exact origins */
  readonly origins: ReadonlySet<string>;
  /** `https://*.example.com` as its two sides; the `*` stands for one or more characters */
  readonly patterns: ReadonlyArray<readonly [before: string, after: string]>;
  /** joined lists; undefined when `*` (answered with `*`, or the request's own values with credentials) */
  readonly methods: string | undefined;
  readonly headers: string | undefined;
  readonly expose: string;
  readonly maxAge: string | undefined;
  readonly credentials: boolean;
}

export function compileCors(p: CorsPolicy): CompiledCors {
  const origins = new Set<string>();
  const patterns: Array<readonly [string, string]> = [];
  for (const o of p.allowOrigins) {
    const lower = o.toLowerCase();
    const star = lower.indexOf('*');
    if (lower === '*') continue;
    if (star < 0) origins.add(lower);
    else patterns.push([lower.slice(0, star), lower.slice(star + 1)]);
  }
  return {
    anyOrigin: p.allowOrigins.includes('*'),
    origins,
    patterns,
    methods: p.allowMethods.includes('*') ? undefined : p.allowMethods.join(', '),
    headers: p.allowHeaders.includes('*') ? undefined : p.allowHeaders.join(', '),
    expose: p.exposeHeaders.join(', '),
    maxAge: p.maxAge === undefined ? undefined : String(p.maxAge),
    credentials: p.allowCredentials,
  };
}

export function originAllowed(c: CompiledCors, origin: string): boolean {
  if (c.anyOrigin) return true;
  const lower = origin.toLowerCase();
  if (c.origins.has(lower)) return true;
  for (const [before, after] of c.patterns) {
    if (lower.length > before.length + after.length && lower.startsWith(before) && lower.endsWith(after)) return true;
  }
  return false;
}

/** The Access-Control-Allow-Origin (and Vary) of an answer to `origin`. */
function allowOrigin(c: CompiledCors, origin: string, out: HeaderPair[]): void {
  // With credentials a browser refuses `*`, so the origin is echoed (and caches told it varies).
  if (c.anyOrigin && !c.credentials) out.push(['access-control-allow-origin', '*']);
  else out.push(['access-control-allow-origin', origin], ['vary', 'Origin']);
  if (c.credentials) out.push(['access-control-allow-credentials', 'true']);
}

/**
 * The headers of the gateway's answer to a preflight from `origin`; undefined when the request is
 * not a preflight (no Access-Control-Request-Method). A preflight from an origin not allowed is
 * answered too, with no allow headers (so the browser refuses), never forwarded: Envoy with
 * `forward_not_matching_preflights: false`, as Envoy Gateway configures it.
 */
export function preflightHeaders(c: CompiledCors, origin: string, raw: readonly string[]): HeaderPair[] | undefined {
  const method = rawHeader(raw, 'access-control-request-method');
  if (method === undefined) return undefined;
  if (!originAllowed(c, origin)) return [['vary', 'Origin']];
  const out: HeaderPair[] = [];
  allowOrigin(c, origin, out);
  out.push(['access-control-allow-methods', c.methods ?? (c.credentials ? method : '*')]);
  const headers = c.headers ?? (c.credentials ? rawHeader(raw, 'access-control-request-headers') : '*');
  if (headers) out.push(['access-control-allow-headers', headers]);
  if (c.maxAge !== undefined) out.push(['access-control-max-age', c.maxAge]);
  // Envoy's filter adds these to its own preflight answer as to any response (the conformance test expects them).
  if (c.expose) out.push(['access-control-expose-headers', c.expose]);
  return out;
}

/** `response` with the CORS headers for an actual request from an allowed `origin` added. */
export function withCorsHeaders(c: CompiledCors, origin: string, response: HeaderEdits | undefined): HeaderEdits {
  const set: HeaderPair[] = [];
  allowOrigin(c, origin, set);
  if (c.expose) set.push(['access-control-expose-headers', c.expose]);
  const vary = set.findIndex(([n]) => n === 'vary');
  // Vary is added to (an upstream's Vary: Accept-Encoding stays), the others replace.
  const add = vary >= 0 ? set.splice(vary, 1) : [];
  if (response === undefined) return { set, add, remove: [] };
  return { set: [...response.set, ...set], add: [...response.add, ...add], remove: response.remove };
}
