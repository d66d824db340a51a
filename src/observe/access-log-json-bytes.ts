// The JSON access log line written straight into the writer's buffer as bytes: no string per line,
// no entry object, nothing for the GC (building the line as a string made ~2.6 KB of garbage per
// request: the concatenations, the flattened line, the time and upstream texts). Fixed text is
// copied in runs made once (access-log-json-pieces.ts: listener to authority, status, flags; the
// time run once per millisecond; an endpoint's route-to-upstream part once per route and
// endpoint), numbers are written as digits, and every other string value is copied while checked
// for printable ASCII without `"` or `\` (access-log-byte-writes.ts: both four bytes per store). A
// value that is not (a hostile header, non-ASCII text) makes the line decline (-1) before anything
// is committed, and it goes the string road (access-log-json.ts), which escapes as JSON.stringify
// does. The bytes are the string road's exactly (test/observe/access-log-json.test.ts,
// access-log-golden.test.ts).
import type { Endpoint } from '../snapshot/types.ts';
import { flagsOf, grpcStatusCode, type LoggedExchange, type LoggedOutcome, sameName, ttfbMs } from './access-log-entry.ts';
import { CHUNK, type LineWriter } from './access-log-writer.ts';
import { parseTraceparent, TRACEPARENT } from './trace-context.ts';
import { timeRunInto } from './access-log-time.ts';
import { flagsRun, headRun, statusRun } from './access-log-json-pieces.ts';
import { digitsInto, plainInto, putRun, type Run, runOf, textRun, viewOf } from './access-log-byte-writes.ts';

/** The request headers a line reads (the first value of each), found by headersOf(). */
const found: { ua: string | undefined; rid: string | undefined; traceparent: string | undefined } = { ua: undefined, rid: undefined, traceparent: undefined };

/**
 * One pass over the request's header list for the user agent and, when wanted, the client's
 * x-request-id and traceparent (a pass per header read every name again). Names are compared as
 * requestHeader() compares them (its length first, then case-insensitively).
 */
export function headersOf(raw: readonly string[], wantRid: boolean, wantTrace: boolean): void {
  let ua: string | undefined;
  let rid: string | undefined;
  let tp: string | undefined;
  headerPasses.count++;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i]!;
    switch (n.length) {
      case 10:
        if (ua === undefined && sameName(n, 'user-agent')) ua = raw[i + 1];
        break;
      case 11:
        if (wantTrace && tp === undefined && sameName(n, TRACEPARENT)) tp = raw[i + 1];
        break;
      case 12:
        if (wantRid && rid === undefined && sameName(n, 'x-request-id')) rid = raw[i + 1];
        break;
    }
  }
  found.ua = ua;
  found.rid = rid;
  found.traceparent = tp;
}

/** How many passes over request header lists lines made (a test counts: one per line). */
export const headerPasses = { count: 0 };

/** jsonLineInto's answer when the buffer has too little room left for the line. */
export const NO_ROOM = -2;

// A text field's key is its opening `,"name":"`; text() closes the value's quote. A number's key ends at the colon.
// The authority's closing quote and the path's key.
const PATH_OPEN = textRun('","path":"');
const STATUS = textRun(',"status":');
const GRPC_STATUS = textRun(',"grpc_status":');
const DURATION = textRun(',"duration_ms":');
const TTFB = textRun(',"ttfb_ms":');
const BYTES_RECEIVED = textRun(',"bytes_received":');
const BYTES_SENT = textRun(',"bytes_sent":');
const CLIENT = textRun(',"client":"');
const USER_AGENT = textRun(',"user_agent":"');
const REQUEST_ID = textRun(',"request_id":"');
const ROUTE = textRun(',"route":"');
const SPLIT = textRun(',"split":');
const CLUSTER = textRun(',"cluster":"');
const UPSTREAM = textRun(',"upstream":"');
const TRACE = textRun(',"trace_id":"');
const QUOTE = 0x22;

/** Fixed fragments and numbers of the longest line, with room to spare (a number prints in at most 24 characters). */
const FIXED_MOST = 1024;

const num = digitsInto;

// The field writers: each takes the line's end so far and gives the new one; a line that has
// already declined (-1) stays declined, so a run of fields is checked once, at its end.

/** A text field: its key, `s` as plain bytes, the closing quote. */
function text(v: DataView, buf: Uint8Array, o: number, key: Run, s: string): number {
  if (o < 0) return -1;
  if ((o = plainInto(v, buf, putRun(v, buf, o, key), s)) < 0) return -1;
  buf[o] = QUOTE;
  return o + 1;
}

/** A number field: its key, then `n`'s digits. */
function count(v: DataView, buf: Uint8Array, o: number, key: Run, n: number): number {
  return o < 0 ? -1 : num(v, buf, putRun(v, buf, o, key), n);
}

/** `,"route"` to the upstream's closing quote, each field when it has something to say: the end, or -1 when a value needs escaping. */
function routeToUpstream(buf: Uint8Array, o: number, route: string, split: number | undefined, cluster: string, ep: Endpoint | undefined): number {
  const v = viewOf(buf);
  if (route !== '') o = text(v, buf, o, ROUTE, route);
  if (split !== undefined && split >= 0) o = count(v, buf, o, SPLIT, split);
  if (cluster !== '') o = text(v, buf, o, CLUSTER, cluster);
  if (ep === undefined || o < 0) return o;
  // upstreamHost()'s text: an IPv6 address in brackets, then the port.
  o = putRun(v, buf, o, UPSTREAM);
  const v6 = ep.address.includes(':');
  if (v6) buf[o++] = 0x5b;
  if ((o = plainInto(v, buf, o, ep.address)) < 0) return -1;
  if (v6) buf[o++] = 0x5d;
  buf[o++] = 0x3a;
  if ((o = num(v, buf, o, ep.port)) < 0) return -1;
  buf[o] = QUOTE;
  return o + 1;
}

/** An endpoint's routeToUpstream() bytes, for the route, split and cluster they were made with. */
interface Tail {
  readonly route: string;
  readonly split: number | undefined;
  readonly cluster: string;
  readonly run: Run;
}
/** Endpoints are the snapshot's objects, the same on every request until the configuration changes. */
const tails = new WeakMap<Endpoint, Tail>();
/** The endpoint and tail of the line before, until the batch of lines ends (forgetLastEndpoint()). */
let lastEndpoint: Endpoint | undefined;
let lastTail: Tail | undefined;

/** Lets go of the last line's endpoint: one removed from the configuration is not kept alive by the log. */
export function forgetLastEndpoint(): void {
  lastEndpoint = undefined;
  lastTail = undefined;
}
/** Where a tail is made (bounded: the line's bound counts its strings). */
let scratch = new Uint8Array(4096);

/**
 * The line's bytes (without its newline) into `buf` at `at`: the end, -1 when a value needs the
 * string road, or NO_ROOM when fewer bytes are left than the line may take. The same text as
 * jsonLine() of the same entry; fields with nothing to say are left out, as there.
 */
export function jsonLineInto(buf: Uint8Array, at: number, x: LoggedExchange, status: number, outcome: LoggedOutcome, endedAt: number): number {
  const client = x.clientAddress;
  headersOf(x.raw, x.requestId === '', x.span === undefined);
  const ua = found.ua;
  const rid = x.requestId === '' ? found.rid : x.requestId;
  const ep = x.endpoint;
  const trace = x.span !== undefined ? x.span.traceId : found.traceparent === undefined ? undefined : parseTraceparent(found.traceparent)?.traceId;
  const route = x.ingress;
  const cluster = x.clusterName;
  const flags = flagsOf(x, status, outcome);
  const most =
    FIXED_MOST + x.listener.length + x.method.length + x.authority.length + x.target.length + (client?.length ?? 0) + (ua?.length ?? 0) + (rid?.length ?? 0) +
    route.length + cluster.length + (ep === undefined ? 0 : ep.address.length) + (trace?.length ?? 0) + flags.length;
  if (at + most >= buf.length) return NO_ROOM;
  if (scratch.length < most) scratch = new Uint8Array(most);

  // The endpoint's route-to-upstream run first: made in the scratch buffer when it is not kept yet.
  let tail: Tail | undefined;
  if (ep !== undefined) {
    // The same on every line to this endpoint by this route: made once, then copied.
    const split = x.split;
    // Lines in a batch mostly go to the endpoint the one before went to: no WeakMap look-up then.
    tail = ep === lastEndpoint ? lastTail : tails.get(ep);
    if (tail === undefined || tail.route !== route || tail.split !== split || tail.cluster !== cluster) {
      const end = routeToUpstream(scratch, 0, route, split, cluster, ep);
      if (end < 0) return -1;
      tail = { route, split, cluster, run: runOf(scratch.slice(0, end)) };
      tails.set(ep, tail);
    }
    lastEndpoint = ep;
    lastTail = tail;
  }

  const v = viewOf(buf);
  // `{"time":"...` to the authority's opening quote: two runs.
  let o = timeRunInto(v, buf, at, x.startedAt);
  const head = headRun(x.listener, x.from, x.method);
  if (o < 0 || head === undefined) return -1;
  o = putRun(v, buf, o, head);
  if ((o = plainInto(v, buf, o, x.authority)) < 0) return -1;
  o = putRun(v, buf, o, PATH_OPEN);
  if ((o = plainInto(v, buf, o, x.target)) < 0) return -1;
  // The path's closing quote to the duration's key, in one run when no gRPC status comes between.
  const grpc = grpcStatusCode(x, status);
  const statusThen = statusRun(status, grpc === undefined);
  if (statusThen === undefined) {
    buf[o++] = QUOTE;
    o = count(v, buf, o, STATUS, status);
  } else o = putRun(v, buf, o, statusThen);
  if (grpc !== undefined || statusThen === undefined) {
    if (grpc !== undefined) o = count(v, buf, o, GRPC_STATUS, grpc);
    o = count(v, buf, o, DURATION, Math.round(endedAt - x.startedAt));
  } else o = num(v, buf, o, Math.round(endedAt - x.startedAt));
  const ttfb = ttfbMs(x);
  if (ttfb !== undefined) o = count(v, buf, o, TTFB, ttfb);
  o = count(v, buf, o, BYTES_RECEIVED, x.bytesIn ?? 0);
  o = count(v, buf, o, BYTES_SENT, x.bytesOut ?? 0);
  if (client !== undefined) o = text(v, buf, o, CLIENT, client);
  if (ua !== undefined) o = text(v, buf, o, USER_AGENT, ua);
  if (rid !== undefined) o = text(v, buf, o, REQUEST_ID, rid);
  if (o < 0) return -1;
  if (tail !== undefined) o = putRun(v, buf, o, tail.run);
  else if ((o = routeToUpstream(buf, o, route, x.split, cluster, undefined)) < 0) return -1;
  // The flags, and the line's end with them when no trace id follows.
  const flagsThen = flagsRun(flags, trace === undefined);
  if (flagsThen === undefined) return -1;
  o = putRun(v, buf, o, flagsThen);
  if (trace === undefined) return o;
  if ((o = text(v, buf, o, TRACE, trace)) < 0) return -1;
  buf[o++] = 0x7d;
  return o;
}

/** The line written into the writer's buffer: false when it must go the string road instead (something to escape, no room). */
export function writeJsonLine(w: LineWriter, x: LoggedExchange, status: number, outcome: LoggedOutcome, endedAt: number): boolean {
  let buf = w.room(FIXED_MOST);
  if (buf === undefined) return false;
  let end = jsonLineInto(buf, w.at, x, status, outcome, endedAt);
  if (end === NO_ROOM) {
    // Long values: a fresh buffer, else (longer than a buffer) the string road.
    buf = w.room(CHUNK);
    if (buf === undefined) return false;
    end = jsonLineInto(buf, w.at, x, status, outcome, endedAt);
  }
  if (end < 0) return false;
  w.commit(end);
  return true;
}
