// Header editing for proxied requests and responses, on raw [name, value, ...] arrays.
import type { HeaderEdits } from '../snapshot/types.ts';

/** No edits: shared, so a route without header filters allocates nothing. */
export const NO_EDITS: HeaderEdits = Object.freeze({ set: Object.freeze([]), add: Object.freeze([]), remove: Object.freeze([]) });

/** True when `e` changes nothing. */
export function noEdits(e: HeaderEdits | undefined): boolean {
  return e === undefined || (e.set.length === 0 && e.add.length === 0 && e.remove.length === 0);
}

/** `a` then `b`, as one edit list (sets and adds in order, so later sets win). */
export function concatEdits(a: HeaderEdits, b: HeaderEdits): HeaderEdits {
  if (noEdits(b)) return a;
  if (noEdits(a)) return b;
  return { set: [...a.set, ...b.set], add: [...a.add, ...b.add], remove: [...a.remove, ...b.remove] };
}

/** Hop-by-hop headers (RFC 9110 7.6.1) plus legacy ones that must not be forwarded (both directions). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

/**
 * Headers the proxy itself sets on every upstream request, and `Expect`, which the proxy answers
 * itself (100 Continue once it has a route, as Envoy does by default): undici refuses to send it.
 */
const PROXY_SET = new Set(['host', 'x-forwarded-for', 'x-forwarded-proto', 'expect', 'x-envoy-external-address']);

/**
 * Fields that frame or route the message. A `Connection` header naming one does not remove it
 * (RFC 9110 7.6.1 is about hop-by-hop options, and these are the message's own framing): obeying
 * `Connection: content-length` would forward a body without its length, so the next hop would
 * read the body as another request.
 */
const NOT_NOMINATABLE = new Set(['content-length', 'transfer-encoding', 'host']);

/** A route's header edit never changes the body's framing: the proxy forwards the framing it parsed. */
function isFraming(lowerName: string): boolean {
  return lowerName === 'content-length' || lowerName === 'transfer-encoding';
}

export function isHopByHop(lowerName: string): boolean {
  return HOP_BY_HOP.has(lowerName);
}

/** Names listed in a `Connection` header are hop-by-hop too. */
function connectionTokens(raw: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    // (the length first: no lower-cased copy of every other name)
    if (raw[i]!.length !== 10 || raw[i]!.toLowerCase() !== 'connection') continue;
    for (const t of raw[i + 1]!.split(',')) {
      const v = t.trim().toLowerCase();
      if (v && v !== 'close' && v !== 'keep-alive' && !NOT_NOMINATABLE.has(v)) (tokens ??= new Set()).add(v);
    }
  }
  return tokens;
}

export interface UpstreamHeaderInput {
  /** the client's raw headers */
  readonly raw: readonly string[];
  /** the Host to send upstream */
  readonly host: string;
  /** the route's request header edits: path-level first, then the split's (later sets win) */
  readonly edits: HeaderEdits;
  /** the client's address, appended to X-Forwarded-For */
  readonly clientAddress: string | undefined;
  /** `http` or `https` */
  readonly proto: string;
  /**
   * --trusted-hops > 0 (Envoy's xff_num_trusted_hops): the client found behind the trusted proxies,
   * sent as x-envoy-external-address; the proxies' own X-Forwarded-Proto is kept
   */
  readonly trustedClient?: string;
  /** keep `te: trailers` (gRPC over HTTP/2 needs it) */
  readonly keepTeTrailers?: boolean;
  /** keep `connection`/`upgrade` (a WebSocket upgrade being forwarded) */
  readonly keepUpgrade?: boolean;
  /** names (lower-case) to drop in addition, e.g. HTTP/2 pseudo-headers */
  readonly drop?: ReadonlySet<string>;
}

/** Builds the raw header array sent upstream. */
export function upstreamRequestHeaders(input: UpstreamHeaderInput): string[] {
  const { raw, edits } = input;
  const set = edits.set;
  const remove = edits.remove;
  const listed = connectionTokens(raw);
  const out: string[] = ['host', input.host];
  let xff: string | undefined;
  let proto = input.proto;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') {
      xff = xff === undefined ? raw[i + 1] : `${xff}, ${raw[i + 1]}`;
      continue;
    }
    if (lower === 'x-forwarded-proto' && input.trustedClient !== undefined) proto = raw[i + 1]!;
    if (PROXY_SET.has(lower)) continue;
    if (HOP_BY_HOP.has(lower)) {
      if (input.keepUpgrade && (lower === 'upgrade' || lower === 'connection')) {
        out.push(name, raw[i + 1]!);
      } else if (input.keepTeTrailers && lower === 'te' && raw[i + 1]!.trim().toLowerCase() === 'trailers') {
        out.push(name, raw[i + 1]!);
      }
      continue;
    }
    if (listed?.has(lower) && !input.keepUpgrade) continue;
    if (input.drop?.has(lower)) continue;
    if (set.length > 0 && !isFraming(lower) && isSetByRoute(set, lower)) continue;
    if (remove.length > 0 && !isFraming(lower) && remove.includes(lower)) continue;
    out.push(name, raw[i + 1]!);
  }
  // Indexed loops: a for-of makes iterator objects on every request, edits or none.
  for (let i = 0; i < set.length; i++) {
    const n = set[i]![0];
    if (!isFraming(n) && !PROXY_OWNED.has(n)) setPair(out, n, set[i]![1]);
  }
  const add = edits.add;
  for (let i = 0; i < add.length; i++) {
    const n = add[i]![0];
    if (!isFraming(n) && !PROXY_OWNED.has(n)) out.push(n, add[i]![1]);
  }
  const client = input.clientAddress ? stripV4Mapped(input.clientAddress) : undefined;
  if (client) out.push('x-forwarded-for', xff === undefined ? client : `${xff}, ${client}`);
  else if (xff !== undefined) out.push('x-forwarded-for', xff);
  out.push('x-forwarded-proto', proto);
  if (input.trustedClient !== undefined) out.push('x-envoy-external-address', stripV4Mapped(input.trustedClient));
  return out;
}

/** Headers the proxy writes itself after the route's edits (Host comes from the route's rewrite). */
const PROXY_OWNED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-envoy-external-address']);

function isSetByRoute(set: ReadonlyArray<readonly [string, string]>, lower: string): boolean {
  for (let i = 0; i < set.length; i++) if (set[i]![0] === lower) return true;
  return false;
}

/** Sets (replaces) a header in an array being built, keeping one entry per name. */
function setPair(out: string[], lowerName: string, value: string): void {
  for (let i = 0; i < out.length; i += 2) {
    if (out[i] === lowerName) {
      out[i + 1] = value;
      return;
    }
  }
  out.push(lowerName, value);
}

function stripV4Mapped(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/**
 * Filters an upstream response's raw headers (Buffers from undici) for the client, then applies
 * the route's response header edits (framing headers are never edited).
 */
export function clientResponseHeaders(raw: ReadonlyArray<Buffer | string>, keepUpgrade = false, edits?: HeaderEdits): string[] {
  const out = hopFiltered(raw, keepUpgrade);
  return edits === undefined || noEdits(edits) ? out : applyResponseEdits(out, edits);
}

/** A route's response header edits on response pairs already filtered for the client (framing and hop-by-hop fields are never edited). */
export function applyResponseEdits(pairs: readonly string[], edits: HeaderEdits): string[] {
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const lower = pairs[i]!.toLowerCase();
    if (!isFraming(lower) && (isSetByRoute(edits.set, lower) || edits.remove.includes(lower))) continue;
    out.push(pairs[i]!, pairs[i + 1]!);
  }
  for (const [n, v] of edits.set) if (!isFraming(n) && !HOP_BY_HOP.has(n)) setPair(out, n, v);
  for (const [n, v] of edits.add) if (!isFraming(n) && !HOP_BY_HOP.has(n)) out.push(n, v);
  return out;
}

/**
 * The field names a response's `Connection` value names as hop-by-hop, added to `into` (made when
 * needed); its own options (close, keep-alive, upgrade) and the framing fields are not among them.
 */
export function responseConnectionTokens(value: string, into: Set<string> | undefined): Set<string> | undefined {
  for (const t of value.split(',')) {
    const v = t.trim().toLowerCase();
    if (v && v !== 'close' && v !== 'keep-alive' && v !== 'upgrade' && !NOT_NOMINATABLE.has(v)) (into ??= new Set()).add(v);
  }
  return into;
}

function hopFiltered(raw: ReadonlyArray<Buffer | string>, keepUpgrade: boolean): string[] {
  const out: string[] = [];
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const value = raw[i + 1]!.toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      listed = responseConnectionTokens(value, listed);
      if (keepUpgrade) out.push(name, value);
      continue;
    }
    if (HOP_BY_HOP.has(lower)) {
      if (keepUpgrade && lower === 'upgrade') out.push(name, value);
      continue;
    }
    out.push(name, value);
  }
  if (!listed) return out;
  const filtered: string[] = [];
  for (let i = 0; i < out.length; i += 2) if (!listed.has(out[i]!.toLowerCase())) filtered.push(out[i]!, out[i + 1]!);
  return filtered;
}
