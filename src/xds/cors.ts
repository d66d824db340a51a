// IR CORS policies -> Envoy's CORS HTTP filter: the filter sits in every connection manager (it
// does nothing on a route without a policy) and each route carries its policy as per-filter config.
// Envoy answers a preflight 200 where the data plane answers 204 (no option changes it; browsers
// and the conformance test accept both).
import type { CorsPolicy } from '../snapshot/types.ts';
import { typed, type ProtoObject } from './encode.ts';
import { escapeRegex } from './path-rewrite.ts';
import { regexMatcher } from './route-match.ts';

export const CORS_FILTER_NAME = 'envoy.filters.http.cors';
const POLICY_TYPE = 'envoy.extensions.filters.http.cors.v3.CorsPolicy';

/** Goes before the router in a connection manager's filter list. */
export const CORS_FILTER: ProtoObject = {
  name: CORS_FILTER_NAME,
  typed_config: typed('envoy.extensions.filters.http.cors.v3.Cors', {}),
};

/**
 * Origins compare case-insensitively, as on the data plane: `*` allows any origin; in a pattern
 * like `https://*.example.com` the `*` stands for one or more characters; anything else is an
 * exact origin.
 */
function originMatcher(origin: string): ProtoObject {
  if (origin === '*') return { safe_regex: regexMatcher('.*') };
  if (!origin.includes('*')) return { exact: origin, ignore_case: true };
  return { safe_regex: regexMatcher(`(?i)${origin.split('*').map(escapeRegex).join('.+')}`) };
}

const list = (values: readonly string[]) => (values.length ? values.join(', ') : undefined);

export function corsPolicy(policy: CorsPolicy): ProtoObject {
  return typed(POLICY_TYPE, {
    allow_origin_string_match: policy.allowOrigins.map(originMatcher),
    allow_methods: list(policy.allowMethods),
    allow_headers: list(policy.allowHeaders),
    expose_headers: list(policy.exposeHeaders),
    max_age: policy.maxAge === undefined ? undefined : String(policy.maxAge),
    allow_credentials: policy.allowCredentials ? { value: true } : undefined,
    // A preflight from an origin not allowed is answered (200, no Allow-Origin), not forwarded, as
    // on the data plane and in Envoy Gateway: the backend never sees it (HTTPRouteCORS).
    forward_not_matching_preflights: { value: false },
  });
}

/** A route's (or weighted cluster's) `typed_per_filter_config`. */
export function corsPerFilterConfig(policy: CorsPolicy | undefined): ProtoObject | undefined {
  return policy ? { [CORS_FILTER_NAME]: corsPolicy(policy) } : undefined;
}
