// Body byte counts for the access log on the stream-based front ends (node:http, HTTP/2): a
// 'data' listener beside an existing pipe(), only while the access log is on. The raw-socket paths
// count in their own readers (fast/request-body.ts, fast/upstream-response.ts).
import type { Readable } from 'node:stream';

/** What is counted into (the exchange). */
export interface CountedExchange {
  bytesIn: number;
  bytesOut: number;
  upstreamGrpcStatus: string | undefined;
  /** the access log is on: counting is worth its listener */
  readonly logged: boolean;
}

/**
 * Counts `body`'s data as bytes received. Attach it right after `body` is piped on, never to a
 * stream a consumer will read later: a listener starts the flow and data would pass it by.
 */
export function countBodyIn(body: Readable, x: CountedExchange): void {
  if (x.logged) body.on('data', (chunk: Buffer) => (x.bytesIn += chunk.length));
}

/** Counts an upstream response stream's data as bytes sent (attached beside its pipe to the client). */
export function countBodyOut(up: Readable, x: CountedExchange): void {
  if (x.logged) up.on('data', (chunk: Buffer) => (x.bytesOut += chunk.length));
}

/** grpc-status in [name, value, ...] headers (lower-case names, as HTTP/2's are), or undefined. */
export function grpcStatusIn(headers: readonly string[]): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'grpc-status') return headers[i + 1];
  return undefined;
}

/** A forwarded gRPC call's status from its trailers (node:http2 header object). */
export function grpcStatusOf(trailers: Readonly<Record<string, string | number | string[] | undefined>>, x: CountedExchange): void {
  const v = trailers['grpc-status'];
  if (typeof v === 'string') x.upstreamGrpcStatus = v;
}
