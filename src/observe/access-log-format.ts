// Access log formats, compiled once from the flag: JSON (the default), or a template of Envoy's
// command operators (`%REQ(X)%`, `%RESPONSE_CODE%`, ...) so Kourier users' templates keep working.
import { SluiceError } from '../errors.ts';
import { type AccessEntry, grpcStatusCode, protocolOf, requestHeadersInto, responseFlags, traceId, ttfbMs, upstreamHost } from './access-log-entry.ts';
import { parseTraceparent, TRACEPARENT } from './trace-context.ts';
import { jsonLine } from './access-log-json.ts';
import { writeJsonLine } from './access-log-json-bytes.ts';
import { type LineBytes, numberOperator, templateBytes, timeOperator } from './access-log-template-bytes.ts';

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

function durationMs(e: AccessEntry): number {
  return Math.round(e.endedAt - e.x.startedAt);
}

const grpcStatus = (e: AccessEntry): number | undefined => grpcStatusCode(e.x, e.status);

type Part = string | LineFormat;

const dash = (v: string | undefined): string => (v === undefined || v === '' ? '-' : v);

/** The request headers a template's operators read, found in one pass per line (requestHeadersInto()). */
class TemplateHeaders {
  readonly names: string[] = [];
  readonly values: (string | undefined)[] = [];

  /** The slot of header `name` (lower-case): its value on the current line is `values[slot]`. */
  slot(name: string): number {
    let k = this.names.indexOf(name);
    if (k < 0) {
      k = this.names.push(name) - 1;
      this.values.push(undefined);
    }
    return k;
  }

  /** Finds this line's values: before the line's operators run, when any reads a header. */
  read(e: AccessEntry): void {
    if (this.names.length > 0) requestHeadersInto(e.x.raw, this.names, this.values);
  }
}

/** `%REQ(a?b):n%` and `%RESP(...)%`: the header (or the alternative), cut to n characters. */
function headerOperator(kind: 'REQ' | 'RESP', args: string, max: number | undefined, headers: TemplateHeaders): LineFormat {
  const [first, alt] = args.toLowerCase().split('?') as [string, string | undefined];
  const cut = (v: string | undefined): string => dash(v === undefined || max === undefined ? v : v.slice(0, max));
  // The exchange core does not see the upstream's response headers, except the request id it adds.
  if (kind === 'RESP') return (e) => cut(first === 'x-request-id' && e.x.requestId !== '' ? e.x.requestId : undefined);
  const values = headers.values;
  const one = (name: string): LineFormat | undefined => {
    switch (name) {
      case ':path':
        return (e) => e.x.target;
      case ':authority':
      case 'host':
        return (e) => e.x.authority;
      case ':method':
        return (e) => e.x.method;
      case ':scheme':
        return undefined;
      case 'x-request-id': {
        const k = headers.slot(name);
        return (e) => (e.x.requestId !== '' ? e.x.requestId : (values[k] ?? ''));
      }
      default: {
        const k = headers.slot(name);
        return () => values[k] ?? '';
      }
    }
  };
  const a = one(first);
  const b = alt === undefined ? undefined : one(alt);
  return (e) => {
    const v = a?.(e) || b?.(e);
    return cut(v === '' ? undefined : v);
  };
}

/** `%TRACE_ID%`: this gateway's span's, or (tracing off) a valid client traceparent's, read in the line's one pass. */
function traceIdOperator(headers: TemplateHeaders): LineFormat {
  const values = headers.values;
  const k = headers.slot(TRACEPARENT);
  return (e) => dash(e.x.span?.traceId ?? parseTraceparent(values[k])?.traceId);
}

const SIMPLE: Record<string, LineFormat> = {
  START_TIME: startTime,
  RESPONSE_CODE: numberOperator((e) => e.status),
  RESPONSE_FLAGS: responseFlags,
  DURATION: numberOperator(durationMs),
  BYTES_RECEIVED: numberOperator((e) => e.x.bytesIn ?? 0),
  BYTES_SENT: numberOperator((e) => e.x.bytesOut ?? 0),
  // Envoy's: ms from the request's start to the upstream's first byte; `-` when none came.
  RESPONSE_DURATION: numberOperator((e) => ttfbMs(e.x)),
  // Made per template (traceIdOperator()): it reads the line's one pass over the headers.
  TRACE_ID: (e) => dash(traceId(e.x)),
  UPSTREAM_HOST: (e) => dash(upstreamHost(e.x)),
  UPSTREAM_CLUSTER: (e) => dash(e.x.clusterName),
  DOWNSTREAM_REMOTE_ADDRESS: (e) => dash(e.x.clientAddress),
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: (e) => dash(e.x.clientAddress),
  PROTOCOL: (e) => protocolOf(e.x),
  ROUTE_NAME: (e) => dash(e.x.ingress),
  GRPC_STATUS: numberOperator(grpcStatus),
};

const OPERATOR = /%([A-Z_]+)(?:\(([^)]*)\))?(?::(\d+))?%/g;

/** Compiles a template once; an unknown operator is a flag error naming it. */
export function compileTemplate(template: string, flag = '--access-log-format'): LineFormat {
  const parts: Part[] = [];
  const headers = new TemplateHeaders();
  let last = 0;
  for (const m of template.matchAll(OPERATOR)) {
    const [whole, name, args, max] = m as unknown as [string, string, string | undefined, string | undefined];
    if (m.index! > last) parts.push(template.slice(last, m.index));
    last = m.index! + whole.length;
    if ((name === 'REQ' || name === 'RESP') && args !== undefined && args !== '') {
      parts.push(headerOperator(name, args, max === undefined ? undefined : Number(max), headers));
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
  if (last < template.length) parts.push(template.slice(last));
  // Envoy's templates end with "\n"; each line gets exactly one.
  const tail = parts[parts.length - 1];
  if (typeof tail === 'string') parts[parts.length - 1] = tail.replace(/\n$/, '');
  const line: LineFormat = (e) => {
    headers.read(e);
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(e);
    return out;
  };
  bytesRoads.set(line, templateBytes(parts, (e) => headers.read(e)));
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
