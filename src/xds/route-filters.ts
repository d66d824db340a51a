// IR route filters, sorted by what each becomes in Envoy: header mutations, host and path
// rewrites, a redirect or direct response, mirror policies, a CORS policy, a fault. Later filters of a kind win, as applying
// them in order would.
import type { CorsPolicy, HeaderEdits, PathMatch, PathRewrite, RouteFilter } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';
import { headerMutations } from './header-edits.ts';
import { pathRewriteFields } from './path-rewrite.ts';

export type RedirectFilter = Extract<RouteFilter, { type: 'redirect' }>;
type DirectResponseFilter = Extract<RouteFilter, { type: 'direct-response' }>;
type FaultFilter = Extract<RouteFilter, { type: 'fault' }>;

export interface FilterParts {
  readonly request: readonly HeaderEdits[];
  readonly response: readonly HeaderEdits[];
  /** url-rewrite hostname */
  readonly hostname?: string;
  /** url-rewrite autoHostname (over `hostname`; a later literal hostname turns it off) */
  readonly autoHost: boolean;
  readonly path?: PathRewrite;
  readonly redirect?: RedirectFilter;
  /** answers instead of forwarding; of a redirect and a direct response, the first listed wins */
  readonly direct?: DirectResponseFilter;
  readonly mirrors: ReadonlyArray<{ readonly cluster: string; readonly percent: number }>;
  readonly cors?: CorsPolicy;
  /** the last fault filter */
  readonly fault?: FaultFilter;
}

export function collectFilters(filters: readonly RouteFilter[]): FilterParts {
  const request: HeaderEdits[] = [];
  const response: HeaderEdits[] = [];
  const mirrors: Array<{ cluster: string; percent: number }> = [];
  let hostname: string | undefined;
  let autoHost = false;
  let path: PathRewrite | undefined;
  let redirect: RedirectFilter | undefined;
  let direct: DirectResponseFilter | undefined;
  let cors: CorsPolicy | undefined;
  let fault: FaultFilter | undefined;
  for (const f of filters) {
    switch (f.type) {
      case 'request-headers': request.push(f.edits); break;
      case 'response-headers': response.push(f.edits); break;
      case 'url-rewrite':
        if (f.autoHostname === true) autoHost = true;
        else if (f.hostname !== undefined) autoHost = false;
        hostname = f.hostname ?? hostname;
        path = f.path ?? path;
        break;
      case 'redirect': if (direct === undefined) redirect = f; break;
      case 'direct-response': if (redirect === undefined) direct ??= f; break;
      case 'mirror': if (f.percent > 0) mirrors.push({ cluster: f.cluster, percent: f.percent }); break;
      case 'cors': cors = f.policy; break;
      case 'fault': fault = f; break;
    }
  }
  return { request, response, hostname, autoHost, path, redirect, direct, mirrors, cors, fault };
}

/**
 * Header mutation fields of one level. The request's Host: a url-rewrite hostname wins over a
 * `host` header set (as Knative's `rewriteHost` wins over `appendHeaders`), later over earlier.
 */
export function headerFields(parts: FilterParts): { fields: ProtoObject; host?: string } {
  const req = headerMutations(parts.request, true);
  const res = headerMutations(parts.response, false);
  return {
    fields: {
      request_headers_to_add: req.add,
      request_headers_to_remove: req.remove,
      response_headers_to_add: res.add,
      response_headers_to_remove: res.remove,
    },
    host: parts.hostname ?? req.host,
  };
}

const REDIRECT_CODE: Record<RedirectFilter['statusCode'], string> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

const WELL_KNOWN_PORT = { http: 80, https: 443 } as const;

/**
 * RedirectAction. Unset parts keep the request's, but a scheme that is set brings its well-known
 * port (the Gateway API's rule), which Envoy leaves out of Location as it does any scheme's
 * default port. Without either, a Gateway port names its listener's declared port (`listenerPort`:
 * the spec's rule, and the bound port under --port-offset is invisible, as on the data plane);
 * elsewhere Envoy keeps the Host's port. A full path replaces the path and keeps the query.
 */
export function redirectAction(r: RedirectFilter, match: PathMatch, listenerPort?: number): ProtoObject {
  let path: ProtoObject = {};
  if (r.path?.type === 'full') path = { path_redirect: r.path.value };
  else if (r.path) path = pathRewriteFields(r.path, match);
  return {
    scheme_redirect: r.scheme,
    host_redirect: r.hostname,
    port_redirect: r.port ?? (r.scheme ? WELL_KNOWN_PORT[r.scheme] : listenerPort),
    ...path,
    response_code: REDIRECT_CODE[r.statusCode],
  };
}

/** Mirror policies; a share below 100% goes by `runtime_fraction` (per million when fractional). */
export function mirrorPolicies(parts: FilterParts): ProtoObject[] | undefined {
  if (parts.mirrors.length === 0) return undefined;
  return parts.mirrors.map(({ cluster, percent }) => {
    const whole = Number.isInteger(percent);
    const numerator = whole ? percent : Math.round(percent * 10_000);
    const default_value = { numerator: Math.min(numerator, whole ? 100 : 1_000_000), denominator: whole ? 'HUNDRED' : 'MILLION' };
    return { cluster, runtime_fraction: { default_value } };
  });
}
