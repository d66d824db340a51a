// A test OTLP collector on 127.0.0.1:0 that decodes what it gets with the real opentelemetry-proto
// files (test/fixtures/otlp-proto, from open-telemetry/opentelemetry-proto v1.11.0+): OTLP/HTTP
// protobuf (POST /v1/traces) through protobufjs, and OTLP/gRPC (TraceService/Export) through
// @grpc/proto-loader's service definition, so a wrong method path or encoding fails here.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const PROTO_ROOT = fileURLToPath(new URL('../fixtures/otlp-proto/', import.meta.url));
const SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

export type Attr = string | number | boolean;

/** One decoded span with its resource's attributes, ids in lower-case hex. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** the proto enum: 2 SERVER, 1 INTERNAL */
  kind: number;
  startNanos: bigint;
  endNanos: bigint;
  attributes: Record<string, Attr>;
  /** the proto enum: 0 UNSET, 2 ERROR */
  statusCode: number;
  resource: Record<string, Attr>;
  scope: string;
}

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** requests received (each a batch) and their content types (HTTP) */
  readonly requests: string[];
  /** answer the next `n` exports with this HTTP status (HTTP receivers) */
  failNext(n: number, status: number): void;
  close(): Promise<void>;
}

interface KeyValue { key: string; value?: { string_value?: string; int_value?: string | number; bool_value?: boolean; double_value?: number; value?: string } }
interface DecodedSpan {
  trace_id: Uint8Array; span_id: Uint8Array; parent_span_id?: Uint8Array; trace_state?: string; name: string; kind?: number | string;
  start_time_unix_nano: string | number; end_time_unix_nano: string | number; attributes?: KeyValue[]; status?: { code?: number | string };
}
interface DecodedRequest { resource_spans?: Array<{ resource?: { attributes?: KeyValue[] }; scope_spans?: Array<{ scope?: { name?: string }; spans?: DecodedSpan[] }> }> }

const hex = (b: Uint8Array | undefined): string => (b === undefined ? '' : Buffer.from(b).toString('hex'));

function attrs(list: KeyValue[] | undefined): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  for (const kv of list ?? []) {
    const v = kv.value ?? {};
    if (v.string_value !== undefined) out[kv.key] = v.string_value;
    else if (v.int_value !== undefined) out[kv.key] = Number(v.int_value);
    else if (v.bool_value !== undefined) out[kv.key] = v.bool_value;
    else if (v.double_value !== undefined) out[kv.key] = v.double_value;
  }
  return out;
}

const ENUMS: Record<string, number> = { SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const num = (v: number | string | undefined): number => (typeof v === 'string' ? (ENUMS[v] ?? Number(v)) : (v ?? 0));

function flatten(req: DecodedRequest): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of req.resource_spans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scope_spans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hex(s.trace_id), spanId: hex(s.span_id), parentSpanId: hex(s.parent_span_id), traceState: s.trace_state ?? '', name: s.name,
          kind: num(s.kind), startNanos: BigInt(s.start_time_unix_nano), endNanos: BigInt(s.end_time_unix_nano), attributes: attrs(s.attributes),
          statusCode: num(s.status?.code), resource, scope: ss.scope?.name ?? '',
        });
      }
    }
  }
  return out;
}

export async function startHttpReceiver(): Promise<OtlpReceiver> {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : PROTO_ROOT + target);
  await root.load(SERVICE_PROTO, { keepCase: true });
  const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const spans: ReceivedSpan[] = [];
  const requests: string[] = [];
  let failing = 0;
  let failStatus = 503;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''}`);
      if (failing > 0) {
        failing--;
        res.writeHead(failStatus).end();
        return;
      }
      try {
        const decoded = Request.toObject(Request.decode(Buffer.concat(chunks)), { longs: String }) as DecodedRequest;
        spans.push(...flatten(decoded));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    requests,
    failNext(n, status) {
      failing = n;
      failStatus = status;
    },
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export async function startGrpcReceiver(): Promise<OtlpReceiver> {
  const def = protoLoader.loadSync(SERVICE_PROTO, { includeDirs: [PROTO_ROOT], keepCase: true, longs: String, enums: String, defaults: false });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { opentelemetry: { proto: { collector: { trace: { v1: { TraceService: grpc.ServiceClientConstructor } } } } } };
  const spans: ReceivedSpan[] = [];
  const requests: string[] = [];
  const server = new grpc.Server();
  server.addService(pkg.opentelemetry.proto.collector.trace.v1.TraceService.service, {
    Export: (call: grpc.ServerUnaryCall<DecodedRequest, object>, cb: grpc.sendUnaryData<object>) => {
      requests.push('Export');
      spans.push(...flatten(call.request));
      cb(null, {});
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    failNext() {
      throw new Error('not supported by the gRPC receiver');
    },
    close: () => new Promise((r) => server.tryShutdown(() => r())),
  };
}
