// The two OTLP transports for an encoded ExportTraceServiceRequest: HTTP/protobuf (a POST to
// `/v1/traces`) and gRPC (the unary TraceService/Export, the bytes passed through as they are).
// Each call is bounded in time; a refusal rejects, and the batcher counts the batch as dropped.
import { credentials, Client, Metadata } from '@grpc/grpc-js';
import { request } from 'undici';

/** Sends one encoded batch. */
export interface OtlpSender {
  send(body: Uint8Array): Promise<void>;
  close(): void;
}

const TIMEOUT_MS = 10_000;

/** OTLP/HTTP: `url` as given, or with `/v1/traces` when it names no path (OTEL_EXPORTER_OTLP_ENDPOINT's rule). */
export function httpSender(endpoint: URL): OtlpSender {
  const url = new URL(endpoint);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces';
  return {
    async send(body) {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body,
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
      });
      // The body (an ExportTraceServiceResponse or a Status) is not needed: read it to free the connection.
      await res.body.arrayBuffer();
      if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`OTLP collector answered ${res.statusCode}`);
    },
    close() {},
  };
}

const EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const pass = (b: Buffer): Buffer => b;

/** OTLP/gRPC: `http://host:port` in plain text, `https://` over TLS with the system's CAs. */
export function grpcSender(endpoint: URL): OtlpSender {
  const port = endpoint.port || (endpoint.protocol === 'https:' ? '443' : '4317');
  const client = new Client(`${endpoint.hostname}:${port}`, endpoint.protocol === 'https:' ? credentials.createSsl() : credentials.createInsecure());
  return {
    send(body) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + TIMEOUT_MS;
        client.makeUnaryRequest(EXPORT, pass, pass, Buffer.from(body.buffer, body.byteOffset, body.byteLength), new Metadata(), { deadline }, (err) => (err ? reject(err) : resolve()));
      });
    },
    close() {
      client.close();
    },
  };
}
