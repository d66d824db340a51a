// The pure halves of a global rate limit call: a request's descriptors (what Envoy's route
// `rate_limits` actions would send for it) and the client's answer from the service's response.
// Over the limit: 429 with the service's `response_headers_to_add` and the IETF RateLimit headers
// (as the local limit sends them, rate-limit.ts) from the tightest DescriptorStatus.
import type { GlobalRateLimitPolicy, HeaderPair, RateLimitDescriptorEntry } from '../snapshot/types.ts';
import type { PolicyRequest } from '../proxy/exchange-policy.ts';
import { type LocalReply, textReply } from '../proxy/local-reply.ts';
import { rawHeader } from '../proxy/raw-headers.ts';
import { safeHeaders } from './ext-authz-types.ts';

export interface DescriptorEntry {
  readonly key: string;
  readonly value: string;
}
export type Descriptor = readonly DescriptorEntry[];

/** The request's value for one entry; undefined when the request has none (the descriptor is dropped). */
function entryValue(e: RateLimitDescriptorEntry, req: PolicyRequest): string | undefined {
  if ('value' in e) return e.value;
  if ('fromHeader' in e) return rawHeader(req.raw, e.fromHeader);
  if ('clientAddress' in e) return req.clientAddress;
  return req.decision.route.route.ingress;
}

/**
 * The descriptors sent for a request. As Envoy does for a `request_headers` action, a descriptor
 * with an entry the request has no value for is left out whole.
 */
export function descriptorsOf(policy: GlobalRateLimitPolicy, req: PolicyRequest): Descriptor[] {
  const out: Descriptor[] = [];
  next: for (const d of policy.descriptors) {
    const entries: DescriptorEntry[] = [];
    for (const e of d) {
      const value = entryValue(e, req);
      // Envoy's service refuses an empty value, so it counts as absent.
      if (value === undefined || value === '') continue next;
      entries.push({ key: e.key, value });
    }
    out.push(entries);
  }
  return out;
}

// Field names as proto-loader gives them (camelCase, enums as numbers, 64-bit integers as strings).
export const CODE_OK = 1;
export const CODE_OVER_LIMIT = 2;
const UNIT_SECONDS: Readonly<Record<number, number>> = { 1: 1, 2: 60, 3: 3600, 4: 86_400, 7: 604_800, 5: 2_592_000, 6: 31_536_000 };

interface HeaderValue {
  key?: string;
  value?: string;
}
export interface DescriptorStatus {
  code?: number;
  currentLimit?: { requestsPerUnit?: number; unit?: number; name?: string } | null;
  limitRemaining?: number;
  durationUntilReset?: { seconds?: string | number; nanos?: number } | null;
}
export interface RateLimitResponse {
  overallCode?: number;
  statuses?: DescriptorStatus[];
  responseHeadersToAdd?: HeaderValue[];
  requestHeadersToAdd?: HeaderValue[];
}

/** What the exchange does with an answer. */
export type Outcome =
  | { readonly kind: 'allow'; readonly upstreamHeaders: readonly HeaderPair[] }
  | { readonly kind: 'limited'; readonly reply: LocalReply }
  /** UNKNOWN or no code: the service's error, for failureMode to decide */
  | { readonly kind: 'error' };

const pairsOf = (list: HeaderValue[] | undefined): Array<[string, string]> => (list ?? []).map((h) => [h.key ?? '', h.value ?? '']);

const resetSeconds = (s: DescriptorStatus): number | undefined => {
  const d = s.durationUntilReset;
  if (d === undefined || d === null) return undefined;
  const seconds = Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds) : undefined;
};

/** The over-limit status the client waits longest for (it cannot pass before that one resets). */
function tightest(statuses: readonly DescriptorStatus[]): DescriptorStatus | undefined {
  let best: DescriptorStatus | undefined;
  for (const s of statuses) {
    if (s.code !== CODE_OVER_LIMIT) continue;
    if (best === undefined || (resetSeconds(s) ?? 0) > (resetSeconds(best) ?? 0)) best = s;
  }
  return best;
}

function limitedReply(res: RateLimitResponse): LocalReply {
  const headers: Array<[string, string]> = safeHeaders(pairsOf(res.responseHeadersToAdd)).map(([n, v]) => [n, v]);
  const s = tightest(res.statuses ?? []);
  const reset = s === undefined ? undefined : resetSeconds(s);
  const q = s?.currentLimit?.requestsPerUnit;
  const w = UNIT_SECONDS[s?.currentLimit?.unit ?? 0];
  if (q !== undefined && q > 0 && w !== undefined) headers.push(['ratelimit-policy', `"global";q=${q};w=${w}`]);
  if (reset !== undefined) {
    headers.push(['ratelimit', `"global";r=${s?.limitRemaining ?? 0};t=${reset}`], ['retry-after', String(Math.max(1, reset))]);
  }
  return textReply(429, 'rate limit exceeded', headers);
}

export function outcomeOf(res: RateLimitResponse): Outcome {
  if (res.overallCode === CODE_OVER_LIMIT) return { kind: 'limited', reply: limitedReply(res) };
  if (res.overallCode === CODE_OK) return { kind: 'allow', upstreamHeaders: safeHeaders(pairsOf(res.requestHeadersToAdd)) };
  return { kind: 'error' };
}
