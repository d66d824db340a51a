// One IR route -> one Envoy Route: its match, then a redirect, a direct response, a 500, or a RouteAction to one
// cluster or to weighted clusters, with the route's filters, timeouts and retries.
import type { RetryPolicy, Route, Split } from '../snapshot/types.ts';
import { authPerFilter } from './auth-policies.ts';
import { corsPerFilterConfig } from './cors.ts';
import { LOCAL_RATELIMIT_FILTER_NAME, localRateLimit } from './local-ratelimit.ts';
import { extAuthzPerFilter } from './ext-authz.ts';
import { rateLimitActions, rateLimitPerFilter } from './ratelimit.ts';
import { directResponse } from './route-direct.ts';
import { faultPerFilterConfig } from './route-fault.ts';
import type { ProtoObject } from './encode.ts';
import { pathRewriteFields } from './path-rewrite.ts';
import { collectFilters, headerFields, mirrorPolicies, redirectAction, type FilterParts } from './route-filters.ts';
import { routeMatch } from './route-match.ts';
import type { FunctionTarget } from './functions.ts';

/**
 * The weighted-cluster entry for the share of splits without a valid backend: no cluster has
 * this name (cluster names are `namespace/service:port`), and the route action's
 * `cluster_not_found_response_code` turns that into the 500 the Gateway API asks for, as Envoy
 * Gateway does with its `invalid-backend-cluster`.
 */
export const INVALID_BACKEND_CLUSTER = 'sluice.invalid-backend';

export interface RouteOptions {
  /** the listener's connection manager has the CORS filter (proxyless gRPC clients do not) */
  readonly cors: boolean;
  /** a Gateway port's declared listener port: what a redirect without port or scheme names */
  readonly listenerPort?: number;
  /** where function splits go, by binding name (functions.ts); absent: none is served */
  readonly functions?: ReadonlyMap<string, FunctionTarget>;
  /** the connection manager has the function filters: function splits carry their per-route config */
  readonly functionFilters?: boolean;
  /** faults are served (Envoy; not proxyless gRPC clients, whose listeners have no fault filter) */
  readonly fault: boolean;
  /** the connection manager's ext_authz filters, by name (policy-filters.ts): routes not using one switch it off */
  readonly extAuthzFilters?: readonly string[];
}

/** A split as Envoy serves it: a function split goes to its target's cluster, with its filter config. */
interface Backend extends Split {
  readonly perFilter?: Readonly<Record<string, ProtoObject>>;
}

function backendOf(split: Split, options: RouteOptions): Backend {
  if (split.function === undefined) return split;
  const target = options.functions?.get(split.function);
  // A binding missing from the snapshot is an invalid backend: 500, as the function host answers.
  return { ...split, cluster: target?.cluster, perFilter: options.functionFilters ? target?.perFilter : undefined };
}

/** The CORS policy's and a function's per-filter configs together; undefined when neither. */
function perFilterConfig(cors: ProtoObject | undefined, fn: Backend['perFilter']): ProtoObject | undefined {
  if (fn === undefined) return cors;
  return { ...cors, ...fn };
}

function duration(ms: number): ProtoObject {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return { seconds: seconds || undefined, nanos: nanos || undefined };
}

/** `retry_policy`: the IR's retries, and the backend request timeout (Envoy's per-try timeout). */
function retryPolicy(route: Route): ProtoObject | undefined {
  const perTry = route.timeout?.backendRequest;
  const retry = route.retry;
  if (!retry && perTry === undefined) return undefined;
  const codes = retry?.codes ?? [];
  // Without a list, Envoy's `reset` covers refused streams too.
  const on = retry?.on ?? ['connect-failure', 'reset'];
  return {
    retry_on: retry ? [...on, ...(codes.length ? ['retriable-status-codes'] : [])].join(',') : undefined,
    // Envoy's default is one retry; none unless the IR asks.
    num_retries: { value: retry?.attempts ?? 0 },
    retriable_status_codes: codes.length ? [...codes] : undefined,
    retry_back_off: retry ? retryBackOff(retry) : undefined,
    per_try_timeout: perTry === undefined ? undefined : duration(perTry),
  };
}

/** Envoy's default base interval (the data plane's too, src/proxy/retry.ts). */
const BASE_INTERVAL_MS = 25;

/** Envoy requires base_interval whenever retry_back_off is set. */
function retryBackOff(retry: RetryPolicy): ProtoObject | undefined {
  if (!retry.backoffMs && retry.maxBackoffMs === undefined) return undefined;
  return { base_interval: duration(retry.backoffMs || BASE_INTERVAL_MS), max_interval: retry.maxBackoffMs === undefined ? undefined : duration(retry.maxBackoffMs) };
}

/** What every RouteAction of `route` carries besides its clusters. */
function actionFields(route: Route, parts: FilterParts, host: string | undefined): ProtoObject {
  return {
    // A 0s timeout turns Envoy's default 15 s route timeout off: the IR has none by default.
    timeout: route.timeout?.request === undefined ? {} : duration(route.timeout.request),
    idle_timeout: route.timeout?.idle === undefined ? undefined : duration(route.timeout.idle),
    // One of the two (a oneof): the endpoint's hostname, or a literal.
    auto_host_rewrite: parts.autoHost ? { value: true } : undefined,
    host_rewrite_literal: parts.autoHost ? undefined : host,
    ...(parts.path ? pathRewriteFields(parts.path, route.path) : {}),
    retry_policy: retryPolicy(route),
    request_mirror_policies: mirrorPolicies(parts),
  };
}

/**
 * Fields on the Route itself: header mutations and, where the listener has the filters, CORS and
 * (on a route that forwards: the data plane injects faults only there) the fault.
 */
function routeLevel(parts: FilterParts, options: RouteOptions, forwards: boolean): { fields: ProtoObject; host?: string } {
  const { fields, host } = headerFields(parts);
  const cors = options.cors ? corsPerFilterConfig(parts.cors) : undefined;
  const fault = forwards && options.fault ? faultPerFilterConfig(parts.fault) : undefined;
  return { fields: { ...fields, typed_per_filter_config: cors || fault ? { ...cors, ...fault } : undefined }, host };
}

/** The route's traffic policies as per-filter config, where the listener has the filters (as for CORS). */
function withPolicies(level: { fields: ProtoObject; host?: string }, route: Route, options: RouteOptions, forwards: boolean): { fields: ProtoObject; host?: string } {
  const rl = options.cors && route.policies?.rateLimit !== undefined ? localRateLimit(route.policies.rateLimit) : undefined;
  const global = options.cors ? rateLimitPerFilter(route) : undefined;
  const authz = extAuthzPerFilter(route, options.extAuthzFilters ?? [], forwards);
  const auth = options.cors ? authPerFilter(route) : undefined;
  if (rl === undefined && global === undefined && authz === undefined && auth === undefined) return level;
  const perFilter = { ...(level.fields.typed_per_filter_config as ProtoObject | undefined), ...(rl && { [LOCAL_RATELIMIT_FILTER_NAME]: rl }), ...global, ...authz, ...auth };
  return { ...level, fields: { ...level.fields, typed_per_filter_config: perFilter } };
}

const SERVER_ERROR: ProtoObject = { direct_response: { status: 500 } };

export function envoyRoute(route: Route, options: RouteOptions): ProtoObject {
  const match = routeMatch(route);
  const live = route.splits.filter((s) => s.weight > 0).map((s) => backendOf(s, options));
  const valid = live.filter((s): s is Backend & { cluster: string } => s.cluster !== undefined);
  // With one backend its filters fold onto the route, after the route's own.
  const single = live.length === 1 && valid.length === 1 ? valid[0] : undefined;
  const parts = collectFilters(single ? [...route.filters, ...single.filters] : route.filters);
  const forwards = !parts.redirect && !parts.direct && valid.length > 0;
  const { fields, host } = withPolicies(routeLevel(parts, options, forwards), route, options, forwards);
  if (parts.redirect) return { match, redirect: redirectAction(parts.redirect, route.path, options.listenerPort), ...fields };
  if (parts.direct) return { match, direct_response: directResponse(parts.direct), ...fields };
  if (valid.length === 0) return { match, ...SERVER_ERROR };
  if (single) {
    const perFilter = perFilterConfig(fields.typed_per_filter_config as ProtoObject | undefined, single.perFilter);
    return { match, route: { cluster: single.cluster, ...actionFields(route, parts, host), ...policyActionFields(route, options) }, ...fields, typed_per_filter_config: perFilter };
  }

  const invalidWeight = live.filter((s) => s.cluster === undefined).reduce((n, s) => n + s.weight, 0);
  const clusters: ProtoObject[] = [];
  for (const split of live) {
    if (split.cluster !== undefined) clusters.push(weightedCluster(split, split.cluster, parts, options));
    else if (!clusters.some((c) => c.name === INVALID_BACKEND_CLUSTER)) {
      clusters.push({ name: INVALID_BACKEND_CLUSTER, weight: { value: invalidWeight } });
    }
  }
  return {
    match,
    route: {
      weighted_clusters: { clusters },
      cluster_not_found_response_code: invalidWeight > 0 ? 'INTERNAL_SERVER_ERROR' : undefined,
      ...actionFields(route, parts, host),
      ...policyActionFields(route, options),
    },
    ...fields,
  };
}

/** RouteAction fields of the route's traffic policies, where the listener has their filters (as for CORS). */
function policyActionFields(route: Route, options: RouteOptions): ProtoObject {
  return options.cors ? { rate_limits: rateLimitActions(route) } : {};
}

/**
 * A backend's entry among weighted clusters. Envoy's ClusterWeight carries header mutations, a
 * host rewrite and per-filter config only; a backend's own path rewrite, redirect or mirror
 * applies only when it is the route's one backend (README, Envoy section).
 */
function weightedCluster(split: Backend, cluster: string, route: FilterParts, options: RouteOptions): ProtoObject {
  const parts = collectFilters(split.filters);
  const { fields, host } = routeLevel(parts, options, true);
  // The route's url-rewrite hostname wins over a backend's Host header, not its own url-rewrite.
  const ownHost = parts.hostname ?? (route.hostname ? undefined : host);
  const perFilter = perFilterConfig(fields.typed_per_filter_config as ProtoObject | undefined, split.perFilter);
  return { name: cluster, weight: { value: split.weight }, ...fields, typed_per_filter_config: perFilter, host_rewrite_literal: ownHost };
}
