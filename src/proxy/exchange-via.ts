// Which transport carries an exchange (exchange.ts) to its cluster, by front end and request.
import type { Cluster } from '../snapshot/types.ts';
import type { ForwardDecision } from './exchange-policy.ts';
import type { ExchangeFields } from './exchange-fields.ts';
import { FROM_FAST, FROM_H1, FROM_H2, VIA_H2C, VIA_POOL, VIA_RAW, VIA_TUNNEL } from './exchange-steps.ts';
import { functionVia, isFunctionCluster } from '../functions/exchange-dispatch.ts';
import { readsBody } from '../policies/ext-authz-body.ts';

/**
 * The transport for `cluster` from this front end, or -1 when it cannot carry it (the front end
 * hands the request on). `bodyHold`: bytes of body the route holds for a retry (0: none).
 */
export function viaFor(x: ExchangeFields & { readonly bodyHold: number }, cluster: Cluster, decision: ForwardDecision): number {
  if (isFunctionCluster(cluster)) return functionVia(x.from);
  switch (x.from) {
    case FROM_FAST:
      // A body to hold for a retry is node:http's to read (h1.ts): the fast path streams bodies.
      // So is a body a policy reads before forwarding it (ext_authz with_request_body).
      return cluster.protocol === 'http1' && (x.bodyless || (x.bodyHold === 0 && !readsBody(decision))) ? VIA_RAW : -1;
    case FROM_H1:
      return cluster.protocol === 'h2c' ? VIA_H2C : VIA_POOL;
    case FROM_H2:
      if (cluster.protocol === 'h2c') return VIA_H2C;
      // Bodiless requests to HTTP/1.1 upstreams take the raw sockets (h2core/raw-h1.ts); the rest undici.
      return x.bodyless && x.grpcType === undefined ? VIA_RAW : VIA_POOL;
    default:
      return VIA_TUNNEL;
  }
}
