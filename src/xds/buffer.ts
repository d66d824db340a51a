// IR request body limits -> Envoy's buffer HTTP filter: disabled in every connection manager of a
// snapshot with limits, enabled per route with `max_request_bytes`. Envoy's filter reads the whole
// body before forwarding it (the data plane streams it and counts), and answers 413 past the limit
// either way. Its limit is a uint32 above 0: a limit of 0 becomes 1, one over 4 GiB is not sent.
import type { RequestBodyPolicy, Snapshot } from '../snapshot/types.ts';
import { type ProtoObject, typed } from './encode.ts';

export const BUFFER_FILTER_NAME = 'envoy.filters.http.buffer';
const BUFFER_TYPE = 'envoy.extensions.filters.http.buffer.v3.Buffer';
const PER_ROUTE_TYPE = 'envoy.extensions.filters.http.buffer.v3.BufferPerRoute';
const MAX_UINT32 = 0xffffffff;

/** Its own limit is required by Envoy even disabled; routes bring theirs. */
export const BUFFER_FILTER: ProtoObject = { name: BUFFER_FILTER_NAME, typed_config: typed(BUFFER_TYPE, { max_request_bytes: { value: 1024 * 1024 } }), disabled: true };

const servable = (p: RequestBodyPolicy): boolean => p.maxBytes <= MAX_UINT32;

/** The route's per-filter config enabling the filter, or undefined when Envoy cannot hold the limit. */
export function bufferPerRoute(policy: RequestBodyPolicy): ProtoObject | undefined {
  if (!servable(policy)) return undefined;
  const buffer = { max_request_bytes: { value: Math.max(1, policy.maxBytes) } };
  return typed('envoy.config.route.v3.FilterConfig', { config: typed(PER_ROUTE_TYPE, { buffer }) });
}

/** Whether some route of the snapshot has a limit Envoy serves (then the filter is in the chain). */
export function limitsBodies(snapshot: Snapshot): boolean {
  const vhosts = [...snapshot.listeners.external, ...snapshot.listeners.local, ...snapshot.ports.flatMap((p) => p.virtualHosts)];
  return vhosts.some((v) => v.routes.some((r) => r.policies?.requestBody !== undefined && servable(r.policies.requestBody)));
}
