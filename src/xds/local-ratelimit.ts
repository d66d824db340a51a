// IR local rate limits -> Envoy's local_ratelimit HTTP filter: when some route has a limit, the filter
// sits in every connection manager disabled (routes without a limit do not run it) and each limited
// route enables it with its token bucket as per-filter config. Only `key: route` is translated: the Envoy API Sluice builds
// against has no wildcard descriptors (a value is required), so per-client and per-header buckets
// stay a data-plane feature (README, Policies).
import type { RateLimitPolicy, Snapshot } from '../snapshot/types.ts';
import { typed, type ProtoObject } from './encode.ts';

export const LOCAL_RATELIMIT_FILTER_NAME = 'envoy.filters.http.local_ratelimit';
const CONFIG_TYPE = 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const STAT_PREFIX = 'sluice_local_rate_limit';
const UNIT_MS: Readonly<Record<RateLimitPolicy['unit'], number>> = { second: 1000, minute: 60_000, hour: 3_600_000 };
// Envoy refuses a fill interval under 50 ms.
const MIN_FILL_MS = 50;
const ALWAYS: ProtoObject = { default_value: { numerator: 100, denominator: 'HUNDRED' }, runtime_key: `${STAT_PREFIX}_enabled` };

/** Goes before the router in a connection manager's filter list. */
export const LOCAL_RATELIMIT_FILTER: ProtoObject = {
  name: LOCAL_RATELIMIT_FILTER_NAME,
  typed_config: typed(CONFIG_TYPE, { stat_prefix: STAT_PREFIX }),
  disabled: true,
};

function duration(ms: number): ProtoObject {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return { seconds: seconds || undefined, nanos: nanos || undefined };
}

/**
 * The route's bucket: one token every unit/requests (Envoy refills in steps, the data plane
 * continuously; the step is the smallest Envoy allows), holding `burst`.
 */
export function localRateLimit(policy: RateLimitPolicy): ProtoObject | undefined {
  if (policy.key !== 'route') return undefined;
  const unit = UNIT_MS[policy.unit];
  const fill = Math.max(MIN_FILL_MS, Math.ceil(unit / policy.requests));
  const tokens = Math.max(1, Math.round((policy.requests * fill) / unit));
  const config = typed(CONFIG_TYPE, {
    stat_prefix: STAT_PREFIX,
    token_bucket: { max_tokens: policy.burst, tokens_per_fill: { value: tokens }, fill_interval: duration(fill) },
    filter_enabled: ALWAYS,
    filter_enforced: ALWAYS,
    enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
  });
  // A FilterConfig (not the bare config) is what enables a filter the connection manager disables.
  return typed('envoy.config.route.v3.FilterConfig', { config });
}

/** Whether some route of the snapshot has a limit Envoy serves (then the filter is in the chain). */
export function limitsRates(snapshot: Snapshot): boolean {
  const vhosts = [...snapshot.listeners.external, ...snapshot.listeners.local, ...snapshot.ports.flatMap((p) => p.virtualHosts)];
  return vhosts.some((v) => v.routes.some((r) => r.policies?.rateLimit !== undefined && localRateLimit(r.policies.rateLimit) !== undefined));
}
