// Access log formats, compiled once from the flag: JSON (the default), or a template of Envoy's
// command operators (`%REQ(X)%`, `%RESPONSE_CODE%`, ...) so Kourier users' templates keep working.
import { SluiceError } from '../errors.ts';
import { type AccessEntry, protocolOf, HeaderNames, responseFlags, traceId, upstreamHost } from './access-log-entry.ts';
import { parseTraceparent, TRACEPARENT } from './trace-context.ts';
import { jsonLine } from './access-log-json.ts';
import { writeJsonLine } from './access-log-json-bytes.ts';
import { fewValues, type LineBytes, numberOperator, requestOperator, templateBytes, timeOperator } from './access-log-template-bytes.ts';
import * as V from './access-log-template-values.ts';

export { jsonLine };
export type { LineBytes };

export type LineFormat = (e: AccessEntry) => string;

/** Each compiled format's bytes road (straight into the writer's buffer), beside its string road. */
const bytesRoads = new WeakMap<LineFormat, LineBytes>([[jsonLine, (w, e) => writeJsonLine(w, e.x, e.status, e.outcome, e.endedAt)]]);

/** A format's bytes road: it writes the line and says true, or says false and the line takes the string road. */
export function lineBytesOf(format: LineFormat): LineBytes | undefined {
  return bytesRoads.get(format);
}

/** Wall-clock start, RFC 3339 with milliseconds (Envoy's %START_TIME% default). */
const startTime = timeOperator((e) => e.x.startedAt);

type Part = string | LineFormat;

const dash = (v: string | undefined): string => (v === undefined || v === '' ? '-' : v);

/** The request headers a template's operators read, found in one pass per line (HeaderNames). */
class TemplateHeaders extends HeaderNames {
  /** Finds this line's values: before the line's operators run, when any reads a header. */
  readLine(e: AccessEntry): void {
    if (this.names.length > 0) this.read(e.x.raw);
  }
}

/** `%REQ(a?b):n%` and `%RESP(...)%`: the header (or the alternative), cut to n characters; a text when it is always the same (`-`). */
function headerOperator(kind: 'REQ' | 'RESP', args: string, max: number | undefined, headers: TemplateHeaders): LineFormat | string {
  const [first, alt] = args.toLowerCase().split('?') as [string, string | undefined];
  // The exchange core does not see the upstream's response headers, except the request id it adds.
  if (kind === 'RESP') {
    if (first !== 'x-request-id') return '-';
    return (e) => dash(e.x.requestId === '' || max === undefined ? e.x.requestId : e.x.requestId.slice(0, max));
  }
  const from = (name: string | undefined): [number, number] => {
    switch (name) {
      case undefined:
      case ':scheme':
        return [V.FROM_NONE, -1];
      case ':path':
        return [V.FROM_TARGET, -1];
      case ':authority':
      case 'host':
        return [V.FROM_AUTHORITY, -1];
      case ':method':
        return [V.FROM_METHOD, -1];
      case 'x-request-id':
        return [V.FROM_REQUEST_ID, headers.slot(name)];
      default:
        return [V.FROM_HEADER, headers.slot(name)];
    }
  };
  const [a, aSlot] = from(first);
  const [b, bSlot] = from(alt);
  if (a === V.FROM_NONE && b === V.FROM_NONE) return '-';
  return requestOperator(new V.RequestValue(a, aSlot, b, bSlot, max ?? -1, headers.values));
}

/** `%TRACE_ID%`: this gateway's span's, or (tracing off) a valid client traceparent's, read in the line's one pass. */
function traceIdOperator(headers: TemplateHeaders): LineFormat {
  const values = headers.values;
  const k = headers.slot(TRACEPARENT);
  return (e) => dash(e.x.span?.traceId ?? parseTraceparent(values[k])?.traceId);
}

const SIMPLE: Record<string, LineFormat> = {
  START_TIME: startTime,
  RESPONSE_CODE: numberOperator(V.N_STATUS),
  RESPONSE_FLAGS: fewValues(responseFlags),
  DURATION: numberOperator(V.N_DURATION),
  BYTES_RECEIVED: numberOperator(V.N_BYTES_IN),
  BYTES_SENT: numberOperator(V.N_BYTES_OUT),
  // Envoy's: ms from the request's start to the upstream's first byte; `-` when none came.
  RESPONSE_DURATION: numberOperator(V.N_TTFB),
  // Made per template (traceIdOperator()): it reads the line's one pass over the headers.
  TRACE_ID: (e) => dash(traceId(e.x)),
  UPSTREAM_HOST: fewValues((e) => dash(upstreamHost(e.x))),
  UPSTREAM_CLUSTER: (e) => dash(e.x.clusterName),
  DOWNSTREAM_REMOTE_ADDRESS: (e) => dash(e.x.clientAddress),
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: (e) => dash(e.x.clientAddress),
  PROTOCOL: fewValues((e) => protocolOf(e.x)),
  ROUTE_NAME: (e) => dash(e.x.ingress),
  GRPC_STATUS: numberOperator(V.N_GRPC),
};

const OPERATOR = /%([A-Z_]+)(?:\(([^)]*)\))?(?::(\d+))?%/g;

/** Appends fixed text, joined to the text before it: an operator that is always the same text is fixed text. */
function text(parts: Part[], s: string): void {
  const n = parts.length;
  if (n > 0 && typeof parts[n - 1] === 'string') parts[n - 1] += s;
  else parts.push(s);
}

/** Compiles a template once; an unknown operator is a flag error naming it. */
export function compileTemplate(template: string, flag = '--access-log-format'): LineFormat {
  const parts: Part[] = [];
  const headers = new TemplateHeaders();
  let last = 0;
  for (const m of template.matchAll(OPERATOR)) {
    const [whole, name, args, max] = m as unknown as [string, string, string | undefined, string | undefined];
    if (m.index! > last) text(parts, template.slice(last, m.index));
    last = m.index! + whole.length;
    if ((name === 'REQ' || name === 'RESP') && args !== undefined && args !== '') {
      const op = headerOperator(name, args, max === undefined ? undefined : Number(max), headers);
      if (typeof op === 'string') text(parts, op);
      else parts.push(op);
      continue;
    }
    if (name === 'TRACE_ID' && args === undefined) {
      parts.push(traceIdOperator(headers));
      continue;
    }
    const op = args === undefined ? SIMPLE[name] : undefined;
    if (op === undefined) throw new SluiceError('SLUICE_ERR_BAD_FLAG', `${flag}: unknown command operator "${whole}" (known: ${Object.keys(SIMPLE).map((k) => `%${k}%`).join(', ')}, %REQ(X)%, %RESP(X)%)`);
    parts.push(op);
  }
  if (last < template.length) text(parts, template.slice(last));
  // Envoy's templates end with "\n"; each line gets exactly one.
  const tail = parts[parts.length - 1];
  if (typeof tail === 'string') parts[parts.length - 1] = tail.replace(/\n$/, '');
  const line: LineFormat = (e) => {
    headers.readLine(e);
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(e);
    return out;
  };
  bytesRoads.set(line, templateBytes(parts, (e) => headers.readLine(e)));
  return line;
}

/** `json` or a template (a flag value; a literal `\n` in it is a newline, as shells pass it). */
export function compileFormat(spec: string): LineFormat {
  if (spec === 'json') return jsonLine;
  return compileTemplate(spec.replace(/\\n/g, '\n'));
}

/** Envoy's default format, which Kourier uses when `service-access-log-template` is not set. */
export const ENVOY_DEFAULT_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"\n';
