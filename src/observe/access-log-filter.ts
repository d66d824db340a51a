// Which finished exchanges get an access log line: per listener (`--access-log-listeners`) and
// sampled (`--access-log-sample-rate`). Sampling thins ordinary answers only: a failure (a 5xx, or
// any Envoy response flag: NR, UH, UF, UT, DC, RL, UAEX...) is always logged, as Envoy users get
// from a `runtime_filter` or'ed with a `status_code_filter`/`response_flag_filter`.
import { SluiceError } from '../errors.ts';
import { type AccessEntry, responseFlags } from './access-log-entry.ts';

export interface AccessLogFilterFlags {
  /** 0..1 as written; absent: 1 */
  readonly sampleRate?: string;
  /** comma-separated listener names, `gateway` for every Gateway port, or `all`; absent: all */
  readonly listeners?: string;
}

export interface AccessLogFilter {
  /** whether exchanges on `listener` may be logged (front ends count body bytes only then) */
  listens(listener: string): boolean;
  /** whether this finished exchange gets its line */
  keeps(e: AccessEntry): boolean;
}

const KNATIVE_LISTENERS = new Set(['http', 'https', 'local']);
/** A Gateway port's listener name, as PortListener.name and the metrics' `listener` label spell it. */
const GATEWAY_PORT = /^gateway\/[^/\s,]+:\d{1,5}$/;

function sampleRateOf(value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n >= 0 && n <= 1)) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--access-log-sample-rate: "${value}" must be a number from 0 to 1`);
  return n;
}

/** undefined for `all`, else the names and whether `gateway` (every Gateway port) is among them. */
function listenersOf(value: string): { names: Set<string>; gateway: boolean } | undefined {
  const names = value.split(',').map((s) => s.trim());
  if (names.length === 1 && names[0] === 'all') return undefined;
  const bad = names.find((n) => !(KNATIVE_LISTENERS.has(n) || n === 'gateway' || GATEWAY_PORT.test(n)));
  if (bad !== undefined) {
    throw new SluiceError('SLUICE_ERR_BAD_FLAG', `--access-log-listeners: "${bad}" is not a listener (http, https, local, gateway for every Gateway port, gateway/ADDRESS:PORT for one, or all)`);
  }
  return { names: new Set(names), gateway: names.includes('gateway') };
}

/** From the flags; undefined when every exchange is logged (nothing to check per request). */
export function accessLogFilter(f: AccessLogFilterFlags, random: () => number = Math.random): AccessLogFilter | undefined {
  const rate = f.sampleRate === undefined ? 1 : sampleRateOf(f.sampleRate);
  const only = f.listeners === undefined ? undefined : listenersOf(f.listeners);
  if (rate === 1 && only === undefined) return undefined;
  // Listener names are few and fixed per port: decide each once.
  const decided = new Map<string, boolean>();
  const listens = (listener: string): boolean => {
    if (only === undefined) return true;
    let yes = decided.get(listener);
    if (yes === undefined) decided.set(listener, (yes = only.names.has(listener) || (only.gateway && listener.startsWith('gateway/'))));
    return yes;
  };
  return {
    listens,
    keeps(e) {
      if (!listens(e.x.listener)) return false;
      if (rate === 1 || e.status >= 500) return true;
      // The draw first: it is cheaper than the flags, and most lines are ordinary ones.
      return random() < rate || responseFlags(e) !== '-';
    },
  };
}
