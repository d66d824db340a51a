// gRPC-aware local replies: a gRPC client cannot read an HTML/text 404 or 503, so the gateway's
// own errors on a gRPC request become a trailers-only response (HTTP 200, grpc-status and
// grpc-message in the headers), mapped from the HTTP status as Envoy and the gRPC spec
// ("HTTP to gRPC Status Code Mapping") do.
import type { LocalReply } from './local-reply.ts';

export const GRPC_STATUS = { OK: 0, UNKNOWN: 2, PERMISSION_DENIED: 7, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;

/** True for `application/grpc`, `application/grpc+proto`, `application/grpc-web...` etc. */
export function isGrpcContentType(contentType: string | undefined): boolean {
  return contentType?.toLowerCase().startsWith('application/grpc') === true;
}

export function grpcStatusForHttp(status: number): number {
  switch (status) {
    case 400:
      return GRPC_STATUS.INTERNAL;
    case 401:
      return GRPC_STATUS.UNAUTHENTICATED;
    case 403:
      return GRPC_STATUS.PERMISSION_DENIED;
    case 404:
      return GRPC_STATUS.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GRPC_STATUS.UNAVAILABLE;
    default:
      return GRPC_STATUS.UNKNOWN;
  }
}

/** grpc-message is percent-encoded: bytes outside printable ASCII, and '%' itself. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const b of Buffer.from(message, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A local error reply (4xx/5xx) rewritten as a trailers-only gRPC response; other replies pass. */
export function grpcLocalReply(reply: LocalReply, contentType: string): LocalReply {
  if (reply.status < 400) return reply;
  const message = `${reply.status}: ${reply.body.trim()}`;
  return {
    status: 200,
    headers: [
      ['content-type', contentType],
      ['grpc-status', String(grpcStatusForHttp(reply.status))],
      ['grpc-message', encodeGrpcMessage(message)],
    ],
    body: '',
  };
}
