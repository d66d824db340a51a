// One Gloo route (its delegation already followed, delegation.ts) -> IR routes: one per matcher
// and method, each with the route's action (forward to weighted destinations, redirect, answer
// directly), its options and its virtual host's. A route whose values Sluice cannot serve is left
// out and its object reported Rejected naming the field; a destination that does not resolve is
// served as Gloo's Envoy does, with 500 for the requests it would take, and reported as a Warning.
import type { FunctionBinding } from '../functions/types.ts';
import type { ResourceSet } from '../store/types.ts';
import type { Route as IRRoute, RouteFilter, Split, TrafficPolicies } from '../snapshot/types.ts';
import type { Lookups } from '../translate/lookups.ts';
import type { FlatRoute } from './delegation.ts';
import { binding, functionCall } from './functions.ts';
import { translateMatcher } from './matchers.ts';
import { translateOptions, type OptionsOutcome } from './options.ts';
import { namespaceOf, objectKey, type Reports } from './report.ts';
import type { GlooResource, RedirectAction, WeightedDestination } from './types.ts';
import type { UpstreamIndex } from './upstreams.ts';

export interface RouteContext {
  readonly set: ResourceSet;
  readonly lookups: Lookups;
  readonly reports: Reports;
  readonly upstreams: UpstreamIndex;
  /** the function bindings made so far, by name */
  readonly functions: Map<string, FunctionBinding>;
}

export interface VirtualHostDefaults {
  readonly ingress: string;
  readonly options: OptionsOutcome;
}

export function translateRoute(flat: FlatRoute, vhost: VirtualHostDefaults, ctx: RouteContext): IRRoute[] {
  const { owner, path, route } = flat;
  const ns = namespaceOf(owner);
  let broken = false;
  const error = (at: string, message: string): void => {
    ctx.reports.error(owner, at, message);
    broken = true;
  };
  const opts = translateOptions(flat.options, (ref) => {
    const r = ctx.upstreams.upstream(ref, ns);
    return 'problem' in r ? r : r.target.cluster === undefined ? { problem: `${r.target.label} has no cluster to shadow to` } : { cluster: r.target.cluster.name };
  });
  for (const f of opts.errors) error(`${path}.options.${f.path}`, f.message);
  for (const f of opts.warnings) ctx.reports.warn(owner, `${path}.options.${f.path}`, f.message);

  const actions = (['routeAction', 'redirectAction', 'directResponseAction'] as const).filter((k) => route[k] !== undefined);
  if (actions.length !== 1) error(path, actions.length === 0 ? 'needs one of routeAction, redirectAction, directResponseAction or delegateAction' : `has ${actions.join(' and ')}: a route has one action`);
  let action: RouteFilter | undefined;
  let splits: Split[] = [];
  if (route.directResponseAction !== undefined) {
    const status = route.directResponseAction.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) error(`${path}.directResponseAction.status`, 'must be an HTTP status 200..599');
    else action = { type: 'direct-response', status, ...(route.directResponseAction.body !== undefined && { body: route.directResponseAction.body }) };
  } else if (route.redirectAction !== undefined) {
    action = redirect(
      route.redirectAction,
      `${path}.redirectAction`,
      (at, m) => {
        error(at, m);
        return undefined;
      },
      (at, m) => ctx.reports.warn(owner, at, m),
    );
  } else if (route.routeAction !== undefined) {
    splits = destinations(flat, ctx);
  }

  const parts = flat.matchers.flatMap((m, j) => {
    const outcome = translateMatcher(m);
    const at = route.matchers !== undefined && route.matchers.length > j ? `${path}.matchers[${j}]` : path;
    for (const f of outcome.errors) error(f.path === '' ? at : `${at}.${f.path}`, f.message);
    for (const f of outcome.warnings) ctx.reports.warn(owner, `${at}.${f.path}`, f.message);
    return outcome.parts;
  });
  if (broken) return [];

  const cors = opts.corsDisabled ? undefined : (opts.cors ?? vhost.options.cors);
  const filters: RouteFilter[] = [
    ...(cors !== undefined ? [{ type: 'cors', policy: cors } as const] : []),
    ...opts.filters,
    ...vhost.options.filters,
    ...(action !== undefined ? [action] : []),
  ];
  const retry = opts.retry ?? vhost.options.retry;
  const { timeout, policies } = withPolicies(opts, vhost.options);
  return parts.map((p): IRRoute => {
    const ownFilters = filters.map((f) => fitRewrite(f, p.path.type, owner, path, ctx.reports));
    return {
      ingress: vhost.ingress,
      path: p.path,
      ...(p.method !== undefined && { method: p.method }),
      headers: p.headers,
      query: p.query,
      filters: ownFilters.filter((f): f is RouteFilter => f !== undefined),
      splits,
      ...(Object.keys(timeout).length > 0 && { timeout }),
      ...(retry !== undefined && { retry }),
      ...(policies !== undefined && { policies }),
    };
  });
}

/** The route's timeouts and policies: its own options', else its virtual host's (ext_authz, rate limit, JWT). */
function withPolicies(opts: OptionsOutcome, vhost: OptionsOutcome): { timeout: NonNullable<IRRoute['timeout']>; policies: TrafficPolicies | undefined } {
  const own = opts.policies;
  // maxStreamDuration bounds the whole exchange, as the route timeout does: the shorter one stands.
  const request = opts.timeout === undefined ? own.maxStream : own.maxStream === undefined ? opts.timeout : Math.min(opts.timeout, own.maxStream);
  const timeout = {
    ...(request !== undefined && { request }),
    ...(opts.perTryTimeout !== undefined && { backendRequest: opts.perTryTimeout }),
    ...(own.idle !== undefined && { idle: own.idle }),
  };
  const extAuthz = own.extAuthz ?? vhost.policies.extAuthz;
  const rateLimit = own.rateLimit ?? vhost.policies.rateLimit;
  const jwt = own.jwt ?? vhost.policies.jwt;
  const policies =
    extAuthz === undefined && rateLimit === undefined && jwt === undefined
      ? undefined
      : Object.freeze({ ...(extAuthz !== undefined && { extAuthz }), ...(rateLimit !== undefined && { rateLimit }), ...(jwt !== undefined && { jwt }) });
  return { timeout, policies };
}

// A prefix rewrite replaces what a prefix match matched; after an exact match that is the whole
// path (Envoy's behaviour), and after a regex match Envoy refuses it, so Sluice leaves it out.
function fitRewrite(f: RouteFilter, match: string, owner: GlooResource, path: string, reports: Reports): RouteFilter | undefined {
  if (f.type !== 'url-rewrite' || f.path?.type !== 'prefix' || match === 'prefix') return f;
  if (match === 'exact') return { ...f, path: { type: 'full', value: f.path.value } };
  reports.warn(owner, `${path}.options.prefixRewrite`, 'has no effect on a regex matcher (use regexRewrite), ignored there');
  const { path: _dropped, ...rest } = f;
  return rest.hostname === undefined && rest.autoHostname !== true ? undefined : rest;
}

const REDIRECT_CODES = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 } as const;

function redirect(r: RedirectAction, at: string, error: (at: string, m: string) => undefined, warn: (at: string, m: string) => void): RouteFilter | undefined {
  const statusCode = REDIRECT_CODES[r.responseCode ?? 'MOVED_PERMANENTLY'];
  if (statusCode === undefined) return error(`${at}.responseCode`, `must be one of ${Object.keys(REDIRECT_CODES).join(', ')}`);
  if (r.hostRedirect !== undefined && (r.hostRedirect === '' || /[\s\0/@:]/.test(r.hostRedirect))) return error(`${at}.hostRedirect`, 'must be a host name');
  if (r.portRedirect !== undefined && (r.portRedirect < 1 || r.portRedirect > 65535)) return error(`${at}.portRedirect`, 'must be 1..65535');
  if (r.pathRedirect !== undefined && r.prefixRewrite !== undefined) return error(at, 'has pathRedirect and prefixRewrite: use one');
  const p = r.pathRedirect ?? r.prefixRewrite;
  if (p !== undefined && (!p.startsWith('/') || /[\s\0#]/.test(p))) return error(`${at}.${r.pathRedirect !== undefined ? 'pathRedirect' : 'prefixRewrite'}`, 'must start with "/" and hold no white space or "#"');
  if (r.stripQuery === true) warn(`${at}.stripQuery`, 'not supported by Sluice: the query is kept');
  return {
    type: 'redirect',
    statusCode,
    ...(r.httpsRedirect === true && { scheme: 'https' as const }),
    ...(r.hostRedirect !== undefined && { hostname: r.hostRedirect.toLowerCase() }),
    ...(r.portRedirect !== undefined && { port: r.portRedirect }),
    ...(r.pathRedirect !== undefined && { path: { type: 'full' as const, value: r.pathRedirect } }),
    ...(r.prefixRewrite !== undefined && { path: { type: 'prefix' as const, value: r.prefixRewrite } }),
  };
}

function destinations(flat: FlatRoute, ctx: RouteContext): Split[] {
  const { owner, path } = flat;
  const action = flat.route.routeAction ?? {};
  const ns = namespaceOf(owner);
  let list: readonly WeightedDestination[];
  let at: string;
  if (action.single !== undefined) {
    list = [{ destination: action.single, weight: 1 }];
    at = `${path}.routeAction.single`;
  } else if (action.multi !== undefined) {
    list = action.multi.destinations ?? [];
    at = `${path}.routeAction.multi.destinations`;
  } else if (action.upstreamGroup !== undefined) {
    const key = `${action.upstreamGroup.namespace || ns}/${action.upstreamGroup.name ?? ''}`;
    const group = ctx.set.glooUpstreamGroups.get(key);
    if (group === undefined) {
      ctx.reports.warn(owner, `${path}.routeAction.upstreamGroup`, `UpstreamGroup "${key}" not found: requests get 500`);
      return [{ weight: 1, filters: [] }];
    }
    return weighted(group.spec.destinations ?? [], group, 'spec.destinations', ctx);
  } else {
    ctx.reports.error(owner, `${path}.routeAction`, 'needs single, multi or upstreamGroup');
    return [];
  }
  return weighted(list, owner, at, ctx, action.single !== undefined);
}

function weighted(list: readonly WeightedDestination[], owner: GlooResource, at: string, ctx: RouteContext, single = false): Split[] {
  const ns = namespaceOf(owner);
  if (list.length === 0) ctx.reports.warn(owner, at, 'lists no destination: requests get 500');
  return list.map((w, k): Split => {
    const where = single ? at : `${at}[${k}]`;
    const weight = typeof w.weight === 'number' && w.weight >= 0 ? w.weight : 1;
    const r = ctx.upstreams.resolve(w.destination, ns);
    if ('problem' in r) {
      ctx.reports.warn(owner, where, `${r.problem}: requests for it get 500`);
      return { weight, filters: [] };
    }
    const fn = functionCall(r.target, w.destination?.destinationSpec, ctx.lookups);
    if ('problem' in fn) {
      ctx.reports.warn(owner, `${where}${single ? '' : '.destination'}.destinationSpec`, `${fn.problem}: requests for it get 500`);
      return { weight, filters: [] };
    }
    const cluster = r.target.cluster?.name;
    if (fn.call === undefined) return { ...(cluster !== undefined && { cluster }), weight, filters: [] };
    // Named for where the destination is written: one binding however many routes reach it.
    const name = `${objectKey(owner)} ${where}`;
    ctx.functions.set(name, binding(name, r.target, fn.call));
    const passthrough = cluster !== undefined && fn.call.type === 'grpc-json';
    return { ...(cluster !== undefined && { cluster }), weight, filters: [], function: name, ...(passthrough && { grpcPassthrough: true }) };
  });
}
