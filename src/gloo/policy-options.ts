// Gloo's policy options (Enterprise ones included, as Gloo users write them) -> Sluice's route
// policies: `extauth` (`disable`, or `customAuth` whose contextExtensions go to the gateway-wide
// ext_authz server config-sluice names), `ratelimitBasic.anonymousLimits` (Gloo limits anonymous
// clients per address: a local bucket per client here, per process rather than shared), and the
// route's `idleTimeout` and `maxStreamDuration`. What does not map is a warning naming the field.
import type { ExtAuthzPolicy, JwtPolicy, RateLimitPolicy } from '../snapshot/types.ts';
import { jwtOptions } from './jwt-options.ts';
import type { Finding } from './matchers.ts';
import { durationMs } from './options.ts';
import type { BasicRateLimit, Options } from './types.ts';

export interface PolicyOptions {
  readonly extAuthz?: ExtAuthzPolicy;
  readonly rateLimit?: RateLimitPolicy;
  readonly jwt?: JwtPolicy;
  /** ms; 0: no idle timeout, not even the gateway's */
  readonly idle?: number;
  /** ms: the exchange's whole life (Envoy's max_stream_duration) */
  readonly maxStream?: number;
}

// The ext_authz settings a policy that names no server carries (disabled, or the gateway's).
const NO_SERVER = { protocol: 'grpc', url: '', timeout: 0, failureMode: 'deny', headersToSend: Object.freeze([]), headersToUpstream: Object.freeze([]) } as const;
export const AUTHZ_DISABLED: ExtAuthzPolicy = Object.freeze({ ...NO_SERVER, disabled: true });

const UNITS: Readonly<Record<string, RateLimitPolicy['unit']>> = { SECOND: 'second', MINUTE: 'minute', HOUR: 'hour' };

export function policyOptions(o: Options, errors: Finding[], warnings: Finding[]): PolicyOptions {
  const out: { -readonly [K in keyof PolicyOptions]: PolicyOptions[K] } = {};
  const authz = o.extauth;
  if (authz?.disable === true) out.extAuthz = AUTHZ_DISABLED;
  else if (authz?.customAuth !== undefined) {
    if (authz.customAuth.name !== undefined) warnings.push({ path: 'extauth.customAuth.name', message: 'named ext_authz servers are not supported by Sluice: the one config-sluice names (extauthz-host) is used' });
    const ext = authz.customAuth.contextExtensions;
    out.extAuthz = Object.freeze({ ...NO_SERVER, fromGateway: true, ...(ext !== undefined && { contextExtensions: Object.freeze({ ...ext }) }) });
  }
  if (o.ratelimitBasic !== undefined) {
    const r = o.ratelimitBasic;
    if (r.authorizedLimits !== undefined) warnings.push({ path: 'ratelimitBasic.authorizedLimits', message: "limits per authenticated user need Gloo's extauth user id, not supported by Sluice, ignored" });
    if (r.anonymousLimits !== undefined) {
      const limit = bucketOf(r.anonymousLimits, 'ratelimitBasic.anonymousLimits', errors, warnings);
      if (limit !== undefined) out.rateLimit = limit;
    }
  }
  const jwt = jwtOptions(o, errors, warnings);
  if (jwt !== undefined) out.jwt = jwt;
  if (o.idleTimeout !== undefined) {
    const ms = durationMs(o.idleTimeout);
    if (ms === undefined) errors.push({ path: 'idleTimeout', message: `must be a duration such as "15s" or "0.5s", got ${JSON.stringify(o.idleTimeout)}` });
    else out.idle = ms;
  }
  const max = o.maxStreamDuration?.maxStreamDuration;
  if (max !== undefined) {
    const ms = durationMs(max);
    if (ms === undefined) errors.push({ path: 'maxStreamDuration.maxStreamDuration', message: `must be a duration such as "15s" or "0.5s", got ${JSON.stringify(max)}` });
    else if (ms > 0) out.maxStream = ms;
  }
  return out;
}

function bucketOf(l: BasicRateLimit, path: string, errors: Finding[], warnings: Finding[]): RateLimitPolicy | undefined {
  const n = l.requestsPerUnit ?? 0;
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000_000) {
    errors.push({ path: `${path}.requestsPerUnit`, message: 'must be 1 to 1000000000' });
    return undefined;
  }
  const unit = UNITS[l.unit ?? ''];
  if (unit === undefined) {
    warnings.push({ path: `${path}.unit`, message: `${JSON.stringify(l.unit ?? '')} is not supported by Sluice (SECOND, MINUTE, HOUR), ignored` });
    return undefined;
  }
  return Object.freeze({ requests: n, unit, burst: n, key: 'client' });
}
