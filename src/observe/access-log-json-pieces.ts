// Fixed runs of a JSON access log line, made once and copied whole (access-log-byte-writes.ts): the
// keys and the values that repeat line after line (listener, protocol, method; status; flags) are
// one run where the line had several keys and value copies. Each copy has a fixed cost besides its
// bytes, so fewer, longer runs are what makes a line cheap (bench/log-line-cost.ts). Every run is the string road's text for its values (access-log-json.ts).

import { type Run, textRun } from './access-log-byte-writes.ts';
import { BoundedTable } from '../snapshot/bounded-table.ts';

/** A configured name or method JSON writes as it is: printable ASCII without `"` or `\` (DEL included, as JSON.stringify leaves it). */
export function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7f || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** How many runs were made (tests count: once per distinct value, not per line). */
export const runsMade = { heads: 0, statuses: 0, flags: 0 };

// By front end (exchange.ts FROM_*).
const PROTOCOLS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/2', 'HTTP/1.1', 'HTTP/2'];

interface Head {
  readonly listener: string;
  readonly from: number;
  readonly method: string;
  /** undefined: a value to escape, the line takes the string road */
  readonly run: Run | undefined;
}

/** The runs made, by listener, front end and method; bounded (methods are the client's on HTTP/2 and node:http). */
const heads = new BoundedTable<Head>(512);
let lastHead: Head | undefined;

/**
 * `","listener":"L","protocol":"P","method":"M","authority":"` (the time's closing quote to the
 * authority's opening one), or undefined when the listener or method needs escaping.
 */
export function headRun(listener: string, from: number, method: string): Run | undefined {
  const last = lastHead;
  if (last !== undefined && last.listener === listener && last.method === method && last.from === from) return last.run;
  const key = `${from} ${method} ${listener}`;
  let head = heads.get(key);
  if (head === undefined) {
    const text = `","listener":"${listener}","protocol":"${PROTOCOLS[from] ?? PROTOCOLS[0]}","method":"${method}","authority":"`;
    head = { listener, from, method, run: isPlain(listener) && isPlain(method) ? textRun(text) : undefined };
    heads.set(key, head);
    runsMade.heads++;
  }
  lastHead = head;
  return head.run;
}

/** `","status":NNN` (the path's closing quote to the status), and the same with `,"duration_ms":` after it, by status (100-999). */
const statuses: (Run | undefined)[] = [];
const statusesThenDuration: (Run | undefined)[] = [];

/** The status run, `withDuration`: followed by the duration's key (no gRPC status between); undefined for a status outside 100-999. */
export function statusRun(status: number, withDuration: boolean): Run | undefined {
  const runs = withDuration ? statusesThenDuration : statuses;
  const run = runs[status];
  if (run !== undefined) return run;
  if (!(status >= 100 && status <= 999 && Math.floor(status) === status)) return undefined;
  runsMade.statuses++;
  return (runs[status] = textRun(`","status":${status}${withDuration ? ',"duration_ms":' : ''}`));
}

interface FlagsRuns {
  readonly open: Run;
  readonly closed: Run;
}

/** `,"flags":"F"`, and the same closing the line, by flags (few: Envoy's letters and policies' flags); null: the flags need escaping. */
const flagRuns = new BoundedTable<FlagsRuns | null>(32);

let lastFlags: string | undefined;
let lastFlagsRun: FlagsRuns | null | undefined;

/** The flags run; `last`: the line ends after it (no trace id); undefined when the flags need escaping. */
export function flagsRun(flags: string, last: boolean): Run | undefined {
  // Most lines say what the one before said ('-'): no Map look-up then.
  let run = flags === lastFlags ? lastFlagsRun : flagRuns.get(flags);
  if (run === undefined) {
    run = isPlain(flags) ? { open: textRun(`,"flags":"${flags}"`), closed: textRun(`,"flags":"${flags}"}`) } : null;
    flagRuns.set(flags, run);
    runsMade.flags++;
  }
  lastFlags = flags;
  lastFlagsRun = run;
  return run === null ? undefined : last ? run.closed : run.open;
}
