// A small evaluator of Envoy's routing decisions, for checking the xDS resources Sluice builds
// against the same contract as its own data plane (test/contract). It follows Envoy's documented
// semantics (route.proto, route_components.proto, listener_components.proto and the HTTP
// connection manager's docs), never Sluice's code: filter chain by SNI, host port stripping, path
// normalisation, virtual host by domain, first matching route (path, path-separated prefix, regex,
// headers, query parameters), weighted clusters by a given roll (and the status for a cluster that
// does not exist), redirects, direct responses, request and response header mutations, host and
// path rewrites, mirrors, timeouts, retries, the CORS filter (envoy-cors-eval.ts) and the fault
// filter (envoy-fault-eval.ts).
// It reads resources in their decoded (snake_case, enums as names) or plain form.
import { corsPolicyOf, corsPreflight, corsResponseHeaders } from './envoy-cors-eval.ts';
import { abortReply, faultConfigOf, faultFilterOf, faultOutcome, type HttpFault } from './envoy-fault-eval.ts';
import type { ClusterWeight, Duration, HeaderEdits, HeaderMatcher, HeaderValueOption, Obj, QueryParameterMatcher, RegexRewrite, ResponseEdits, RouteAction, RouteConfiguration, RouteEntry, StringMatcher, VirtualHostConfig } from './envoy-resources.ts';
export type { ClusterWeight, Duration, HeaderMatcher, HeaderValueOption, QueryParameterMatcher, RegexRewrite, ResponseEdits, RouteAction, RouteConfiguration, RouteEntry, StringMatcher, VirtualHostConfig } from './envoy-resources.ts';

/** Header values by lower-case name; several values of one name are kept in order. */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

export interface EnvoyRequest {
  /** `Host` / `:authority` as the client sent it */
  readonly authority: string;
  /** the request target as sent (path, query, maybe a fragment) */
  readonly path: string;
  readonly method?: string;
  /** the downstream scheme: `https` on a TLS filter chain */
  readonly scheme: 'http' | 'https';
  readonly headers?: HeaderList;
}

export type EnvoyDecision =
  | {
      readonly kind: 'route';
      readonly cluster: string;
      /** what the upstream receives: `:authority`, `:path` and every other header */
      readonly authority: string;
      readonly path: string;
      readonly headers: ReadonlyMap<string, readonly string[]>;
      /** what Envoy answers when `cluster` is not one it has (`cluster_not_found_response_code`) */
      readonly clusterNotFoundStatus: number;
      /** response header edits, in the order Envoy applies them (see applyResponseEdits) */
      readonly responseEdits: readonly ResponseEdits[];
      /** clusters the request is copied to, with the share of requests (0..1) */
      readonly mirrors: ReadonlyArray<{ readonly cluster: string; readonly fraction: number }>;
      /** route timeout in ms; undefined: Envoy's default (15 s), 0: none */
      readonly timeoutMs: number | undefined;
      readonly retry: { readonly on: readonly string[]; readonly attempts: number; readonly codes: readonly number[]; readonly perTryTimeoutMs?: number } | undefined;
      /** ms the fault filter held the request before it went on */
      readonly delayMs?: number;
      /**
       * `auto_host_rewrite`: the upstream gets the chosen host's hostname (a DNS cluster's name,
       * an EDS endpoint's `hostname`) as Host instead of `authority`, when it has one
       */
      readonly autoHostRewrite?: boolean;
    }
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string }
  | { readonly kind: 'direct'; readonly status: number; readonly body: string; readonly headers: ReadonlyMap<string, readonly string[]>; readonly delayMs?: number }
  /** Envoy's local replies: 404 `route_not_found`, 400 for a path normalisation can't make valid */
  | { readonly kind: 'local'; readonly status: 404 | 400; readonly reason: string };

/** What routing needs from a listener's HTTP connection manager. */
export interface ConnectionManager {
  readonly routeConfigName: string;
  readonly normalizePath: boolean;
  readonly mergeSlashes: boolean;
  readonly stripAnyHostPort: boolean;
  /** `strip_trailing_host_dot`: `example.com.` is `example.com`, upstream Host included */
  readonly stripTrailingHostDot: boolean;
  /** an edge proxy: sets x-forwarded-proto from the connection, whatever the client sent */
  readonly useRemoteAddress: boolean;
  /** the CORS filter is among the connection manager's HTTP filters */
  readonly cors?: boolean;
  /** the fault filter, when among the connection manager's HTTP filters */
  readonly fault?: { readonly disabled: boolean; readonly config: HttpFault };
}

const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const CORS_FILTER = 'envoy.filters.http.cors';

// --- listener: filter chain by SNI -----------------------------------------------------------

/**
 * The filter chain Envoy picks for a connection by server name (listener_components.proto): the
 * exact name, then `*.` wildcards from the most specific (`www.example.com`, `*.example.com`,
 * `*.com`), then a chain with no `server_names`. Undefined: no chain, the connection is closed.
 */
export function selectFilterChain(listener: Obj, sni: string | undefined): Obj | undefined {
  const chains = (listener.filter_chains as Obj[] | undefined) ?? [];
  const namesOf = (c: Obj) => ((c.filter_chain_match as Obj | undefined)?.server_names as string[] | undefined) ?? [];
  if (sni) {
    const name = sni.toLowerCase();
    const candidates = [name];
    for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) candidates.push(`*${name.slice(dot)}`);
    for (const candidate of candidates) {
      const chain = chains.find((c) => namesOf(c).includes(candidate));
      if (chain) return chain;
    }
  }
  return chains.find((c) => namesOf(c).length === 0) ?? (listener.default_filter_chain as Obj | undefined);
}

/** The HTTP connection manager of a filter chain (decoded `typed_config`). */
export function connectionManager(chain: Obj): ConnectionManager {
  const filter = ((chain.filters as Obj[] | undefined) ?? []).find((f) => String((f.typed_config as Obj | undefined)?.['@type'] ?? '').endsWith(HCM) || f.name === 'envoy.filters.network.http_connection_manager');
  if (!filter) throw new Error('filter chain has no HTTP connection manager');
  const hcm = filter.typed_config as Obj;
  const rds = hcm.rds as Obj | undefined;
  const normalize = hcm.normalize_path as { value?: boolean } | undefined;
  return {
    routeConfigName: String(rds?.route_config_name ?? (hcm.route_config as Obj | undefined)?.name ?? ''),
    normalizePath: normalize?.value === true,
    mergeSlashes: hcm.merge_slashes === true,
    stripAnyHostPort: hcm.strip_any_host_port === true,
    stripTrailingHostDot: hcm.strip_trailing_host_dot === true,
    useRemoteAddress: (hcm.use_remote_address as { value?: boolean } | undefined)?.value === true,
    cors: ((hcm.http_filters as Obj[] | undefined) ?? []).some((f) => f.name === CORS_FILTER),
    fault: faultFilterOf(hcm),
  };
}

// --- request preparation (connection manager) ---------------------------------------------------

/** `host:port` -> `host` (brackets of an IPv6 literal kept), as `strip_any_host_port` does. */
export function stripPort(authority: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(authority);
  return m ? m[1]! : authority;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * RFC 3986 normalisation as `normalize_path` documents it (section 6): percent-encodings of
 * unreserved characters decoded, dot-segments removed (5.2.4); no case normalisation. Null for a
 * path it cannot make valid (Envoy answers 400).
 */
export function normalizeRfc3986(path: string): string | null {
  if (!path.startsWith('/')) return null;
  const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (all, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : all;
  });
  const out: string[] = [];
  const segments = decoded.split('/').slice(1);
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '.' || seg === '..') {
      if (seg === '..' && out.length > 0) out.pop();
      if (last) out.push('');
    } else out.push(seg);
  });
  return `/${out.join('/')}`;
}

/** Splits `:path` into path and query (with its `?`); a fragment is refused before this. */
function splitTarget(target: string): { path: string; query: string } {
  const hash = target.indexOf('#');
  const noFragment = hash >= 0 ? target.slice(0, hash) : target;
  const q = noFragment.indexOf('?');
  return q >= 0 ? { path: noFragment.slice(0, q), query: noFragment.slice(q) } : { path: noFragment, query: '' };
}

// --- virtual host ------------------------------------------------------------------------------

/**
 * Envoy's domain search order (VirtualHost.domains): exact names, then suffix wildcards
 * (`*.foo.com`, `*-bar.foo.com`) longest first, then prefix wildcards (`foo.*`) longest first,
 * then `*`. A wildcard never matches the empty string. Hosts compare case-insensitively.
 */
export function selectVirtualHost(config: RouteConfiguration, host: string): VirtualHostConfig | undefined {
  const vhosts = config.virtual_hosts ?? [];
  const h = host.toLowerCase();
  const all = vhosts.flatMap((v) => v.domains.map((d) => ({ v, d: d.toLowerCase() })));
  const exact = all.find((e) => e.d === h);
  if (exact) return exact.v;
  const longest = (list: typeof all) => list.sort((a, b) => b.d.length - a.d.length)[0]?.v;
  const suffix = all.filter((e) => e.d.length > 1 && e.d.startsWith('*') && h.length > e.d.length - 1 && h.endsWith(e.d.slice(1)));
  if (suffix.length) return longest(suffix);
  const prefix = all.filter((e) => e.d.length > 1 && e.d.endsWith('*') && h.length > e.d.length - 1 && h.startsWith(e.d.slice(0, -1)));
  if (prefix.length) return longest(prefix);
  return all.find((e) => e.d === '*')?.v;
}

// --- route match -------------------------------------------------------------------------------

function stringMatches(m: StringMatcher, value: string): boolean {
  const fold = (s: string) => (m.ignore_case ? s.toLowerCase() : s);
  const v = fold(value);
  if (m.exact !== undefined) return v === fold(m.exact);
  if (m.prefix !== undefined) return v.startsWith(fold(m.prefix));
  if (m.suffix !== undefined) return v.endsWith(fold(m.suffix));
  if (m.contains !== undefined) return v.includes(fold(m.contains));
  if (m.safe_regex !== undefined) return new RegExp(`^(?:${m.safe_regex.regex})$`, m.ignore_case ? 'i' : '').test(value);
  return false;
}

/**
 * One HeaderMatcher (route_components.proto): several values of a header are matched as one,
 * joined by `,`; no specifier means `present_match`; a missing header never matches a value
 * matcher, inverted or not, unless `treat_missing_header_as_empty`.
 */
export function headerMatches(m: HeaderMatcher, headers: ReadonlyMap<string, readonly string[]>): boolean {
  const values = headers.get(m.name.toLowerCase());
  const invert = m.invert_match === true;
  const valueSpecifier: StringMatcher | undefined =
    m.string_match ??
    (m.exact_match !== undefined ? { exact: m.exact_match } : undefined) ??
    (m.prefix_match !== undefined ? { prefix: m.prefix_match } : undefined) ??
    (m.suffix_match !== undefined ? { suffix: m.suffix_match } : undefined) ??
    (m.contains_match !== undefined ? { contains: m.contains_match } : undefined) ??
    (m.safe_regex_match !== undefined ? { safe_regex: m.safe_regex_match } : undefined);
  if (valueSpecifier === undefined) {
    const wantPresent = m.present_match ?? true;
    return ((values !== undefined) === wantPresent) !== invert;
  }
  if (values === undefined && !m.treat_missing_header_as_empty) return false;
  return stringMatches(valueSpecifier, (values ?? ['']).join(',')) !== invert;
}

/**
 * QueryParameterMatcher: the first occurrence of the name in the query string, as sent (not
 * decoded); no specifier means presence.
 */
export function queryMatches(m: QueryParameterMatcher, query: string): boolean {
  const params = query.replace(/^\?/, '').split('&').filter((p) => p !== '');
  const found = params.find((p) => (p.includes('=') ? p.slice(0, p.indexOf('=')) : p) === m.name);
  if (m.string_match === undefined) return (found !== undefined) === (m.present_match ?? true);
  if (found === undefined) return false;
  return stringMatches(m.string_match, found.includes('=') ? found.slice(found.indexOf('=') + 1) : '');
}

/**
 * Prefix matches the whole `:path` (query included); `path`, `safe_regex` and
 * `path_separated_prefix` the path without its query (the last: the prefix itself, or it
 * followed by `/`).
 */
function routeMatches(route: RouteEntry, target: string, headers: ReadonlyMap<string, readonly string[]>): boolean {
  const { match } = route;
  const caseSensitive = match.case_sensitive?.value !== false;
  const fold = (s: string) => (caseSensitive ? s : s.toLowerCase());
  const { path: pathOnly, query } = splitTarget(target);
  let ok: boolean;
  if (match.prefix !== undefined) ok = fold(target).startsWith(fold(match.prefix));
  else if (match.path !== undefined) ok = fold(pathOnly) === fold(match.path);
  else if (match.safe_regex !== undefined) ok = new RegExp(`^(?:${match.safe_regex.regex})$`, caseSensitive ? '' : 'i').test(pathOnly);
  else if (match.path_separated_prefix !== undefined) {
    const p = fold(match.path_separated_prefix);
    ok = fold(pathOnly) === p || fold(pathOnly).startsWith(`${p}/`);
  } else ok = false;
  return ok && (match.headers ?? []).every((h) => headerMatches(h, headers)) && (match.query_parameters ?? []).every((q) => queryMatches(q, query));
}

// --- path rewrites -------------------------------------------------------------------------------

/** RE2's replace-all with `\N` groups and `\\` for a backslash in the substitution. */
export function regexReplaceAll(rewrite: RegexRewrite, value: string): string {
  return value.replace(new RegExp(rewrite.pattern.regex, 'g'), (...args: unknown[]) => {
    const groups = args.slice(0, -2) as Array<string | undefined>;
    return rewrite.substitution.replace(/\\(\d|\\)/g, (_all, g: string) => (g === '\\' ? '\\' : (groups[Number(g)] ?? '')));
  });
}

/**
 * The path after `prefix_rewrite` (the matched prefix, or exact path, swapped; the query kept as
 * part of `:path`) or `regex_rewrite` (on the path without its query, which is put back).
 */
function rewritePath(match: RouteEntry['match'], rewrite: { prefix_rewrite?: string; regex_rewrite?: RegexRewrite }, target: string): string {
  if (rewrite.regex_rewrite) {
    const { path, query } = splitTarget(target);
    return regexReplaceAll(rewrite.regex_rewrite, path) + query;
  }
  if (rewrite.prefix_rewrite === undefined) return target;
  const matched = match.prefix ?? match.path_separated_prefix ?? match.path ?? '';
  return rewrite.prefix_rewrite + target.slice(matched.length);
}

// --- header mutations ----------------------------------------------------------------------------

type MutableHeaders = Map<string, string[]>;

/** `%%` is a literal `%`; `%REQ(name)%` the request header's value; other commands are not needed here. */
function formatValue(value: string, request: ReadonlyMap<string, readonly string[]>): string {
  return value.replace(/%%|%REQ\(([^)]+)\)%/g, (_all, name: string | undefined) => (name === undefined ? '%' : (request.get(name.toLowerCase()) ?? []).join(',')));
}

function appendAction(o: HeaderValueOption): NonNullable<HeaderValueOption['append_action']> {
  // The deprecated `append` wins when set (true: append, false: overwrite).
  const legacy = typeof o.append === 'object' ? o.append.value : o.append;
  if (legacy !== undefined) return legacy ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD';
  return o.append_action ?? 'APPEND_IF_EXISTS_OR_ADD';
}

/** One level's removals, then its additions, as HeaderParser evaluates them. */
function applyEdits(target: MutableHeaders, add: readonly HeaderValueOption[] | undefined, remove: readonly string[] | undefined, request: ReadonlyMap<string, readonly string[]>): void {
  for (const name of remove ?? []) target.delete(name.toLowerCase());
  for (const o of add ?? []) {
    const key = o.header.key.toLowerCase();
    const value = formatValue(o.header.value ?? '', request);
    if (value === '' && !o.keep_empty_value) continue;
    const present = target.has(key);
    switch (appendAction(o)) {
      case 'APPEND_IF_EXISTS_OR_ADD': target.set(key, [...(target.get(key) ?? []), value]); break;
      case 'ADD_IF_ABSENT': if (!present) target.set(key, [value]); break;
      case 'OVERWRITE_IF_EXISTS_OR_ADD': target.set(key, [value]); break;
      case 'OVERWRITE_IF_EXISTS': if (present) target.set(key, [value]); break;
    }
  }
}

/**
 * The levels that edit headers, least specific first. RouteConfiguration docs: by default the
 * most specific level is evaluated first and later levels may override it;
 * `most_specific_header_mutations_wins` reverses that, so the most specific is evaluated last.
 */
function levelsInOrder<T>(config: RouteConfiguration, leastSpecificFirst: T[]): T[] {
  return config.most_specific_header_mutations_wins ? leastSpecificFirst : [...leastSpecificFirst].reverse();
}

function weightOf(c: ClusterWeight): number {
  return typeof c.weight === 'number' ? c.weight : (c.weight?.value ?? 0);
}

/** The weighted cluster a roll in [0, total weight) picks: the clusters' weights laid end to end. */
export function pickWeighted(clusters: readonly ClusterWeight[], roll: number): ClusterWeight | undefined {
  let end = 0;
  for (const c of clusters) {
    end += weightOf(c);
    if (roll < end) return c;
  }
  return undefined;
}

export function totalWeight(clusters: readonly ClusterWeight[]): number {
  return clusters.reduce((n, c) => n + weightOf(c), 0);
}

const REDIRECT_STATUS: Record<string, number> = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 };

/**
 * RedirectAction: scheme swapped by `https_redirect` or `scheme_redirect`; a port made redundant
 * by the scheme change (`:80` from http, `:443` from https) removed; host (with its port) and
 * port replaced when given, a `port_redirect` that is the new scheme's default left out; the path replaced
 * (`path_redirect`) or rewritten (`prefix_rewrite` of the matched prefix, `regex_rewrite`); the
 * query kept unless `strip_query`, or replaced by one in `path_redirect`.
 */
function redirectLocation(r: NonNullable<RouteEntry['redirect']>, match: RouteEntry['match'], req: { scheme: string; authority: string; path: string; query: string }): string {
  const scheme = r.https_redirect ? 'https' : (r.scheme_redirect ?? req.scheme);
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(req.authority);
  let host = m?.[1] ?? req.authority;
  let port = m?.[2] !== undefined ? `:${m[2]}` : '';
  if (scheme !== req.scheme && ((req.scheme === 'http' && port === ':80') || (req.scheme === 'https' && port === ':443'))) port = '';
  // A host_redirect replaces the whole Host, its port included (Http::Utility::newUri).
  if (r.host_redirect) [host, port] = [r.host_redirect, ''];
  if (r.port_redirect) port = (scheme === 'http' && r.port_redirect === 80) || (scheme === 'https' && r.port_redirect === 443) ? '' : `:${r.port_redirect}`;
  let pathAndQuery: string;
  if (r.path_redirect !== undefined) {
    pathAndQuery = r.path_redirect.includes('?') ? r.path_redirect : r.path_redirect + (r.strip_query ? '' : req.query);
  } else {
    const rewritten = rewritePath(match, r, req.path + req.query);
    pathAndQuery = r.strip_query ? splitTarget(rewritten).path : rewritten;
  }
  return `${scheme}://${host}${port}${pathAndQuery}`;
}

/** A Duration in ms. */
function ms(d: Duration | undefined): number | undefined {
  if (d === undefined) return undefined;
  return Number(d.seconds ?? 0) * 1000 + (d.nanos ?? 0) / 1e6;
}

const CLUSTER_NOT_FOUND: Record<string, number> = { SERVICE_UNAVAILABLE: 503, NOT_FOUND: 404, INTERNAL_SERVER_ERROR: 500 };
const DENOMINATOR = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 };

function mirrorsOf(action: RouteAction): Array<{ cluster: string; fraction: number }> {
  return (action.request_mirror_policies ?? []).map((p) => {
    const v = p.runtime_fraction?.default_value;
    return { cluster: p.cluster, fraction: v ? (v.numerator ?? 0) / DENOMINATOR[v.denominator ?? 'HUNDRED'] : 1 };
  });
}

function retryOf(action: RouteAction): Extract<EnvoyDecision, { kind: 'route' }>['retry'] {
  const p = action.retry_policy;
  if (!p) return undefined;
  return { on: p.retry_on ? p.retry_on.split(',') : [], attempts: p.num_retries?.value ?? 1, codes: p.retriable_status_codes ?? [], perTryTimeoutMs: ms(p.per_try_timeout) };
}

/** The headers of an upstream response after the route's response edits (and CORS), for a `route` decision. */
export function applyResponseEdits(decision: Extract<EnvoyDecision, { kind: 'route' }>, upstream: HeaderList, request: ReadonlyMap<string, readonly string[]> = new Map()): Map<string, string[]> {
  const out: MutableHeaders = new Map();
  for (const [k, v] of upstream) out.set(k.toLowerCase(), [...(out.get(k.toLowerCase()) ?? []), v]);
  for (const level of decision.responseEdits) applyEdits(out, level.add, level.remove, request);
  return out;
}

// --- the whole decision ----------------------------------------------------------------------------

/**
 * What Envoy does with `request` on a connection manager that loads `config`. `roll` picks among
 * weighted clusters: a number in [0, total weight), as Envoy's random value modulo the total.
 */
export function evaluate(hcm: ConnectionManager, config: RouteConfiguration, request: EnvoyRequest, roll = 0, faultRoll = 0): EnvoyDecision {
  // The HTTP/1 codec takes an absolute-form target's authority as the Host (allow_absolute_url).
  // Envoy refuses a #fragment in the target (runtime guard http_reject_path_with_fragment, on by default).
  if (request.path.includes('#')) return { kind: 'local', status: 400, reason: 'path_with_fragment' };
  const absolute = /^https?:\/\/([^/?#]*)(.*)$/i.exec(request.path);
  let authority = absolute ? absolute[1]! : request.authority;
  if (hcm.stripAnyHostPort) authority = stripPort(authority);
  // `example.com.:443` -> `example.com:443`: the host part only, the port kept.
  if (hcm.stripTrailingHostDot) authority = authority.replace(/\.(?=(?::\d*)?$)/, '');
  let { path, query } = splitTarget(absolute ? absolute[2] || '/' : request.path);
  if (hcm.normalizePath) {
    const normalized = normalizeRfc3986(path);
    if (normalized === null) return { kind: 'local', status: 400, reason: 'path_normalization_failed' };
    path = normalized;
  }
  if (hcm.mergeSlashes) path = path.replace(/\/{2,}/g, '/');
  const target = path + query;

  const headers: MutableHeaders = new Map();
  for (const [k, v] of request.headers ?? []) {
    const key = k.toLowerCase();
    headers.set(key, [...(headers.get(key) ?? []), v]);
  }
  headers.set(':authority', [authority]);
  headers.set(':path', [target]);
  headers.set(':method', [request.method ?? 'GET']);
  headers.set(':scheme', [request.scheme]);
  if (hcm.useRemoteAddress) headers.set('x-forwarded-proto', [request.scheme]);

  const matchHost = config.ignore_port_in_host_matching ? stripPort(authority) : authority;
  const vhost = selectVirtualHost(config, matchHost);
  if (!vhost) return { kind: 'local', status: 404, reason: 'route_not_found' };
  const route = (vhost.routes ?? []).find((r) => routeMatches(r, target, headers));
  if (!route) return { kind: 'local', status: 404, reason: 'route_not_found' };

  const cors = hcm.cors ? corsPolicyOf(vhost, route) : undefined;
  const preflight = cors ? corsPreflight(cors, headers) : undefined;
  if (preflight) return { kind: 'direct', status: 200, body: '', headers: preflight };

  // The weighted cluster is chosen when the route is (its per-filter config is the most specific).
  const weighted = route.route?.weighted_clusters ? pickWeighted(route.route.weighted_clusters.clusters, roll) : undefined;
  // The fault filter runs after CORS, before the router.
  const faultConfig = hcm.fault ? faultConfigOf(hcm.fault, [...(weighted ? [weighted] : []), route, vhost]) : undefined;
  const fault = faultConfig ? faultOutcome(faultConfig, faultRoll) : {};
  if (fault.abortStatus !== undefined) {
    const grpc = (headers.get('content-type')?.[0] ?? '').startsWith('application/grpc');
    return { kind: 'direct', ...abortReply(fault.abortStatus, grpc), delayMs: fault.delayMs };
  }

  if (route.redirect) {
    return { kind: 'redirect', status: REDIRECT_STATUS[route.redirect.response_code ?? 'MOVED_PERMANENTLY'] ?? 301, location: redirectLocation(route.redirect, route.match, { scheme: request.scheme, authority, path, query }) };
  }
  if (route.direct_response) {
    const body = route.direct_response.body?.inline_string ?? '';
    // A local reply with a body is text/plain (Utility::sendLocalReply); the route's edits follow.
    const out: MutableHeaders = new Map(body === '' ? [] : [['content-type', ['text/plain']]]);
    for (const level of levelsInOrder<HeaderEdits>(config, [config, vhost, route])) applyEdits(out, level.response_headers_to_add, level.response_headers_to_remove, headers);
    return { kind: 'direct', status: route.direct_response.status, body, headers: out };
  }
  const action = route.route;
  if (!action) return { kind: 'local', status: 404, reason: 'route_not_found' };
  const cluster: string | undefined = action.weighted_clusters ? weighted?.name : action.cluster;
  if (cluster === undefined) return { kind: 'local', status: 404, reason: 'no_cluster' };

  // Header edits and host rewrites level by level; Envoy's docs do not say how a weighted
  // cluster's host_rewrite_literal and the route's combine, so they follow the header order.
  const request_ = new Map(headers);
  request_.set(':path', [rewritePath(route.match, action, target)]);
  const levels: Array<HeaderEdits & { host_rewrite_literal?: string }> = [config, vhost, { ...route, host_rewrite_literal: action.host_rewrite_literal }, ...(weighted ? [weighted] : [])];
  for (const level of levelsInOrder(config, levels)) {
    applyEdits(request_, level.request_headers_to_add, level.request_headers_to_remove, headers);
    if (level.host_rewrite_literal) request_.set(':authority', [level.host_rewrite_literal]);
  }
  const upstreamAuthority = request_.get(':authority')?.[0] ?? authority;
  const upstreamPath = request_.get(':path')?.[0] ?? target;
  for (const pseudo of [':authority', ':path', ':method', ':scheme']) request_.delete(pseudo);
  // The router adds its levels' response headers; the CORS filter (before it) adds its own after.
  const responseEdits: ResponseEdits[] = levelsInOrder(config, [config, vhost, route, ...(weighted ? [weighted] : [])]).map((l) => ({ add: l.response_headers_to_add, remove: l.response_headers_to_remove }));
  const corsHeaders = cors ? corsResponseHeaders(cors, headers) : undefined;
  if (corsHeaders) responseEdits.push({ add: corsHeaders });
  return {
    kind: 'route',
    cluster,
    authority: upstreamAuthority,
    path: upstreamPath,
    headers: request_,
    clusterNotFoundStatus: CLUSTER_NOT_FOUND[action.cluster_not_found_response_code ?? 'SERVICE_UNAVAILABLE'] ?? 503,
    responseEdits,
    mirrors: mirrorsOf(action),
    timeoutMs: ms(action.timeout),
    retry: retryOf(action),
    ...(fault.delayMs !== undefined ? { delayMs: fault.delayMs } : {}),
    ...(action.auto_host_rewrite?.value === true ? { autoHostRewrite: true } : {}),
  };
}
