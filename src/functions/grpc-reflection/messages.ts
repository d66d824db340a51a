// grpc.reflection.v1 (and v1alpha, which has the same fields) ServerReflectionRequest/Response,
// the parts discovery uses, as protobufjs types.
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    reflection: {
      nested: {
        Request: {
          oneofs: { message_request: { oneof: ['file_by_filename', 'file_containing_symbol', 'list_services'] } },
          fields: {
            host: { id: 1, type: 'string' },
            file_by_filename: { id: 3, type: 'string' },
            file_containing_symbol: { id: 4, type: 'string' },
            list_services: { id: 7, type: 'string' },
          },
        },
        FileDescriptorResponse: { fields: { file_descriptor_proto: { id: 1, type: 'bytes', rule: 'repeated' } } },
        ServiceResponse: { fields: { name: { id: 1, type: 'string' } } },
        ListServiceResponse: { fields: { service: { id: 1, type: 'ServiceResponse', rule: 'repeated' } } },
        ErrorResponse: { fields: { error_code: { id: 1, type: 'int32' }, error_message: { id: 2, type: 'string' } } },
        Response: {
          fields: {
            valid_host: { id: 1, type: 'string' },
            file_descriptor_response: { id: 4, type: 'FileDescriptorResponse' },
            list_services_response: { id: 6, type: 'ListServiceResponse' },
            error_response: { id: 7, type: 'ErrorResponse' },
          },
        },
      },
    },
  },
});

const Request = root.lookupType('reflection.Request');
const Response = root.lookupType('reflection.Response');

export type ReflectionRequest = { file_by_filename: string } | { file_containing_symbol: string } | { list_services: string };

export interface ReflectionResponse {
  file_descriptor_response?: { file_descriptor_proto: Uint8Array[] };
  list_services_response?: { service: { name: string }[] };
  error_response?: { error_code: number; error_message: string };
}

export function encodeRequest(req: ReflectionRequest): Uint8Array {
  return Request.encode(Request.fromObject(req)).finish();
}

export function decodeResponse(bytes: Uint8Array): ReflectionResponse {
  return Response.toObject(Response.decode(bytes), { arrays: true }) as ReflectionResponse;
}

export const REFLECTION_PATHS = {
  v1: '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
  v1alpha: '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
} as const;
