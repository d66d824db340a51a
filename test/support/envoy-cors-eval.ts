// Envoy's CORS HTTP filter as its docs and source describe it (extensions/filters/http/cors), for
// the route evaluator: the most specific per-filter policy applies; a preflight (OPTIONS with
// Origin and Access-Control-Request-Method) from an allowed origin is answered 200 by Envoy itself;
// other requests from an allowed origin get Access-Control-Allow-Origin (the origin as sent),
// -Allow-Credentials and -Expose-Headers on the response. A disallowed origin gets no Allow-Origin;
// its preflight goes upstream unless `forward_not_matching_preflights` is false (default true).

export interface CorsPolicyConfig {
  allow_origin_string_match?: Array<{ exact?: string; prefix?: string; suffix?: string; contains?: string; safe_regex?: { regex: string }; ignore_case?: boolean }>;
  allow_methods?: string;
  allow_headers?: string;
  expose_headers?: string;
  max_age?: string;
  allow_credentials?: { value?: boolean };
  forward_not_matching_preflights?: { value?: boolean };
}

const FILTER = 'envoy.filters.http.cors';

type Headers = ReadonlyMap<string, readonly string[]>;
type WithPerFilter = { typed_per_filter_config?: Record<string, Record<string, unknown>> };

/** The route's policy, else the virtual host's. */
export function corsPolicyOf(vhost: WithPerFilter, route: WithPerFilter): CorsPolicyConfig | undefined {
  return (route.typed_per_filter_config?.[FILTER] ?? vhost.typed_per_filter_config?.[FILTER]) as CorsPolicyConfig | undefined;
}

function originAllowed(policy: CorsPolicyConfig, origin: string): boolean {
  return (policy.allow_origin_string_match ?? []).some((m) => {
    const fold = (s: string) => (m.ignore_case ? s.toLowerCase() : s);
    const o = fold(origin);
    if (m.exact !== undefined) return o === fold(m.exact);
    if (m.prefix !== undefined) return o.startsWith(fold(m.prefix));
    if (m.suffix !== undefined) return o.endsWith(fold(m.suffix));
    if (m.contains !== undefined) return o.includes(fold(m.contains));
    if (m.safe_regex !== undefined) {
      // RE2's leading (?i) flag, which JavaScript spells as a flag of the expression.
      const insensitive = m.safe_regex.regex.startsWith('(?i)');
      const source = insensitive ? m.safe_regex.regex.slice(4) : m.safe_regex.regex;
      return new RegExp(`^(?:${source})$`, insensitive ? 'i' : '').test(origin);
    }
    return false;
  });
}

const first = (headers: Headers, name: string) => headers.get(name)?.[0];

/**
 * The preflight answer's headers, or undefined when Envoy forwards the request: not a preflight,
 * or from an origin not allowed while `forward_not_matching_preflights` is true (the default).
 * Envoy's answer goes through its own encodeHeaders, so an allowed origin's answer also gets the
 * response headers (Allow-Origin, Allow-Credentials, Expose-Headers).
 */
export function corsPreflight(policy: CorsPolicyConfig, request: Headers): Map<string, string[]> | undefined {
  const origin = first(request, 'origin');
  if (first(request, ':method') !== 'OPTIONS' || !origin || !first(request, 'access-control-request-method')) return undefined;
  const allowed = originAllowed(policy, origin);
  if (!allowed && policy.forward_not_matching_preflights?.value !== false) return undefined;
  const out = new Map<string, string[]>();
  if (allowed) out.set('access-control-allow-origin', [origin]);
  if (policy.allow_credentials?.value) out.set('access-control-allow-credentials', ['true']);
  if (policy.allow_methods) out.set('access-control-allow-methods', [policy.allow_methods]);
  if (policy.allow_headers) out.set('access-control-allow-headers', [policy.allow_headers]);
  if (policy.max_age) out.set('access-control-max-age', [policy.max_age]);
  if (allowed && policy.expose_headers) out.set('access-control-expose-headers', [policy.expose_headers]);
  return out;
}

/** What the filter adds to the response of a forwarded request (as overwriting header options). */
export function corsResponseHeaders(policy: CorsPolicyConfig, request: Headers): Array<{ header: { key: string; value: string }; append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }> | undefined {
  const origin = first(request, 'origin');
  if (!origin || !originAllowed(policy, origin)) return undefined;
  const set = (key: string, value: string) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' as const });
  return [
    set('access-control-allow-origin', origin),
    ...(policy.allow_credentials?.value ? [set('access-control-allow-credentials', 'true')] : []),
    ...(policy.expose_headers ? [set('access-control-expose-headers', policy.expose_headers)] : []),
  ];
}
