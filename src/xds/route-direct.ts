// IR direct responses -> Envoy's `direct_response` route action. Envoy refuses a status outside
// [200, 600) (the route then answers 500 instead, routes.ts `servable`), and a route configuration
// whose direct response bodies exceed `max_direct_response_body_size_bytes` (4 KiB by default), so
// that limit is raised to the largest body a configuration holds.
import type { RouteFilter } from '../snapshot/types.ts';
import type { ProtoObject } from './encode.ts';

export type DirectResponseFilter = Extract<RouteFilter, { type: 'direct-response' }>;

/** Envoy's default `max_direct_response_body_size_bytes`. */
const ENVOY_BODY_LIMIT = 4096;

export function directResponse(f: DirectResponseFilter): ProtoObject {
  // 204 and 304 never carry a body (the data plane drops it too).
  const body = f.body === undefined || f.body === '' || f.status === 204 || f.status === 304 ? undefined : f.body;
  return { status: f.status, body: body === undefined ? undefined : { inline_string: body } };
}

/** The limit a route configuration with these virtual hosts needs, or undefined for Envoy's default. */
export function directBodyLimit(virtualHosts: ReadonlyArray<{ readonly routes: readonly ProtoObject[] }>): ProtoObject | undefined {
  let max = 0;
  for (const v of virtualHosts) {
    for (const r of v.routes) {
      const body = ((r.direct_response as ProtoObject | undefined)?.body as ProtoObject | undefined)?.inline_string;
      if (typeof body === 'string') max = Math.max(max, Buffer.byteLength(body));
    }
  }
  return max > ENVOY_BODY_LIMIT ? { value: max } : undefined;
}
