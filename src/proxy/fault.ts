// Injected faults (IR `fault`, Gloo's `faults`, Envoy's fault filter): a share of a route's
// requests is held for a fixed delay before going on, and a share is answered with a status
// instead of reaching the upstream (after the delay, when both fire, as Envoy orders them).
// Compiled once per route; the exchange core (exchange.ts) rolls the dice and holds the request
// on the data plane's deadline sweep (deadlines.ts), so a delayed request costs no timer.
import type { RouteFilter } from '../snapshot/types.ts';
import type { LocalReply } from './local-reply.ts';
import type { ReportProblem } from './match.ts';

export type FaultFilter = Extract<RouteFilter, { type: 'fault' }>;

export interface CompiledFault {
  readonly abort: { readonly percent: number; readonly reply: LocalReply } | undefined;
  readonly delay: { readonly percent: number; readonly ms: number } | undefined;
}

/** Envoy's fault filter answers with this body (and a gRPC client with it as grpc-message). */
export const FAULT_ABORT_BODY = 'fault filter abort';

/** Longer delays are refused: a day is already no fault but an outage. */
export const MAX_DELAY_MS = 86_400_000;

/**
 * Whether a fault of `percent` (0..100) fires for a request whose `roll` is uniform in [0, 100),
 * the roll splits are picked by: 0 never fires, 100 always does.
 */
export function fires(percent: number, roll: number): boolean {
  return percent >= 100 || roll < percent;
}

/** The compiled fault, or undefined when nothing of it can fire; bad values are reported and left out. */
export function compileFault(f: FaultFilter, report: ReportProblem): CompiledFault | undefined {
  let abort: CompiledFault['abort'];
  let delay: CompiledFault['delay'];
  if (f.abort !== undefined && percentOf(f.abort.percent, 'abort', report) > 0) {
    const { status } = f.abort;
    // Envoy's HTTPFault refuses an abort status outside [200, 600).
    if (Number.isInteger(status) && status >= 200 && status <= 599) {
      abort = { percent: percentOf(f.abort.percent, 'abort', () => {}), reply: { status, headers: [['content-type', 'text/plain']], body: FAULT_ABORT_BODY } };
    } else report(`fault: abort status ${status} is not 200..599; no abort`);
  }
  if (f.delay !== undefined && percentOf(f.delay.percent, 'delay', report) > 0) {
    const { ms } = f.delay;
    if (Number.isFinite(ms) && ms > 0 && ms <= MAX_DELAY_MS) delay = { percent: percentOf(f.delay.percent, 'delay', () => {}), ms };
    else if (ms !== 0) report(`fault: delay of ${ms} ms is not 0..${MAX_DELAY_MS}; no delay`);
  }
  return abort === undefined && delay === undefined ? undefined : { abort, delay };
}

/** `percent` clamped to 0..100; anything not a number is 0 (reported). */
function percentOf(percent: number, what: string, report: ReportProblem): number {
  if (Number.isNaN(percent) || typeof percent !== 'number') {
    report(`fault: ${what} percent ${percent} is not a number; no ${what}`);
    return 0;
  }
  return Math.min(100, Math.max(0, percent));
}
