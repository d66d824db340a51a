// The exchange core's branch for function splits (exchange.ts #via and #pick): which front ends
// carry an in-process call, and the "endpoint" and dispatcher it takes in place of a pool's.
import type { ExchangeFields } from '../proxy/exchange-fields.ts';
import { FROM_FAST, FROM_H1, FROM_H2, type From, VIA_POOL, VIA_TUNNEL } from '../proxy/exchange-steps.ts';
import { type FunctionCluster, IN_PROCESS } from './calls.ts';

export { isFunctionCluster } from './calls.ts';

/**
 * The transport for a function call from `from`: node:http and HTTP/2 dispatch it like a pool
 * request; the raw fast path hands the connection to node:http (-1), as it does for any upstream
 * it cannot carry; a WebSocket tunnel cannot reach a function (functionPick answers 503).
 */
export function functionVia(from: From): number {
  if (from === FROM_FAST) return -1;
  return from === FROM_H1 || from === FROM_H2 ? VIA_POOL : VIA_TUNNEL;
}

/** Points the exchange at the call's dispatcher; false when its transport cannot carry a call. */
export function functionPick(x: ExchangeFields, cluster: FunctionCluster): boolean {
  x.endpoint = IN_PROCESS;
  x.origin = '';
  x.pool = cluster.inProcess;
  return x.via === VIA_POOL;
}
