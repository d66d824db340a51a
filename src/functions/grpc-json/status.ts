// gRPC status <-> HTTP status, and the JSON error body the transcoder answers with: Envoy's
// `convert_grpc_status` form, google.rpc.Status as JSON (`{code, message, details}`), the details
// taken from `grpc-status-details-bin` when the server sent them.
import protobuf from 'protobufjs';
import { type PrintOptions, printMessage } from './json-print.ts';

/** google.rpc.Code -> HTTP status, the mapping google.rpc.Code documents (and grpc-gateway and Envoy use). */
const TO_HTTP: readonly number[] = [200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401];

export const GrpcCode = { OK: 0, UNKNOWN: 2, INVALID_ARGUMENT: 3, NOT_FOUND: 5, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14 } as const;

export function httpStatusOf(code: number): number {
  return TO_HTTP[code] ?? 500;
}

/** An upstream that answered HTTP but not gRPC: gRPC's "HTTP to gRPC Status Code Mapping". */
export function grpcCodeOfHttp(status: number): number {
  if (status === 400) return GrpcCode.INTERNAL;
  if (status === 401) return 16;
  if (status === 403) return 7;
  if (status === 404) return GrpcCode.UNIMPLEMENTED;
  if (status === 429 || status === 502 || status === 503 || status === 504) return GrpcCode.UNAVAILABLE;
  return GrpcCode.UNKNOWN;
}

const root = protobuf.Root.fromJSON({
  nested: {
    rpc: {
      nested: {
        Any: { fields: { type_url: { id: 1, type: 'string' }, value: { id: 2, type: 'bytes' } } },
        Status: { fields: { code: { id: 1, type: 'int32' }, message: { id: 2, type: 'string' }, details: { id: 3, type: 'Any', rule: 'repeated' } } },
      },
    },
  },
});
const RpcStatus = root.lookupType('rpc.Status');

/** google.rpc.Status as proto3 JSON: empty `message` and `details` are left out, as protobuf prints them. */
export interface ErrorJson {
  code: number;
  message?: string;
  details?: unknown[];
}

/** grpc-message is percent-encoded (gRPC over HTTP/2, "Status-Message"). */
export function decodeGrpcMessage(value: string | undefined): string {
  if (!value) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function printDetail(types: protobuf.Root, typeUrl: string, value: Uint8Array, opts: PrintOptions): unknown {
  let type: protobuf.Type | undefined;
  try {
    type = types.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
  } catch {
    type = undefined;
  }
  if (!type) return { '@type': typeUrl, value: Buffer.from(value).toString('base64') };
  try {
    return { '@type': typeUrl, ...(printMessage(type, type.decode(value) as never, opts) as object) };
  } catch {
    return { '@type': typeUrl, value: Buffer.from(value).toString('base64') };
  }
}

/**
 * The error body for a status. As Envoy's `convert_grpc_status`, the google.rpc.Status in
 * `grpc-status-details-bin` (base64) is the body when the server sent one, its details printed
 * with the descriptor set's types where it has them; otherwise code and message make it.
 */
export function errorJson(code: number, message: string, detailsBin: string | undefined, types: protobuf.Root | undefined, opts: PrintOptions): ErrorJson {
  let status = { code, message, details: [] as unknown[] };
  if (detailsBin) {
    try {
      const s = RpcStatus.toObject(RpcStatus.decode(Buffer.from(detailsBin, 'base64')), { defaults: true, arrays: true }) as {
        code: number;
        message: string;
        details: { type_url: string; value: Uint8Array }[];
      };
      const details = s.details.map((d) => (types ? printDetail(types, d.type_url, d.value, opts) : { '@type': d.type_url, value: Buffer.from(d.value).toString('base64') }));
      status = { code: s.code, message: s.message, details };
    } catch {
      // undecodable details: grpc-status and grpc-message still say what happened
    }
  }
  return { code: status.code, ...(status.message ? { message: status.message } : {}), ...(status.details.length ? { details: status.details } : {}) };
}

/** Encodes a google.rpc.Status (tests and servers send it as grpc-status-details-bin). */
export function encodeRpcStatus(code: number, message: string, details: { typeUrl: string; value: Uint8Array }[]): Buffer {
  const msg = RpcStatus.fromObject({ code, message, details: details.map((d) => ({ type_url: d.typeUrl, value: d.value })) });
  return Buffer.from(RpcStatus.encode(msg).finish());
}
