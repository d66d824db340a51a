// GrpcJsonCall -> Envoy's grpc_json_transcoder: a no-op filter in the connection manager (an empty
// descriptor set and no services transcode nothing) that each function route turns on with its own
// per-route config. Envoy refuses a whole route configuration whose transcoder config names a
// service the descriptors lack, so that is checked here and such a call is not served.
import type { GrpcJsonCall } from '../functions/types.ts';
import { typed, type ProtoObject } from './encode.ts';
import { envoyProtos } from './protos.ts';

export const TRANSCODER_FILTER_NAME = 'envoy.filters.http.grpc_json_transcoder';
const TRANSCODER_TYPE = 'envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder';

/** Goes before the router in every connection manager when some route transcodes. */
export const TRANSCODER_FILTER: ProtoObject = {
  name: TRANSCODER_FILTER_NAME,
  typed_config: typed(TRANSCODER_TYPE, { proto_descriptor_bin: new Uint8Array(0), services: [] }),
};

/** The route's transcoder config, or why Envoy could not load it. */
export function transcoderConfig(call: GrpcJsonCall): { config: ProtoObject } | { problem: string } {
  const bytes = Buffer.from(call.descriptorSet, 'base64');
  const problem = descriptorProblem(bytes, call.services);
  if (problem !== undefined) return { problem };
  const print: Record<string, boolean> = {};
  if (call.print.alwaysPrintPrimitiveFields) print.always_print_primitive_fields = true;
  if (call.print.preserveProtoFieldNames) print.preserve_proto_field_names = true;
  return {
    config: typed(TRANSCODER_TYPE, {
      proto_descriptor_bin: new Uint8Array(bytes),
      services: [...call.services],
      print_options: Object.keys(print).length > 0 ? print : undefined,
      ignored_query_parameters: call.ignoredQueryParameters.length > 0 ? [...call.ignoredQueryParameters] : undefined,
      auto_mapping: call.autoMapping || undefined,
      // The route the REST request matched stays chosen after its path becomes `/pkg.Service/Method`.
      match_incoming_request_route: true,
      // gRPC errors reach REST clients as HTTP statuses with a JSON body, as the data plane answers.
      convert_grpc_status: true,
    }),
  };
}

interface FileDescriptor {
  name?: string;
  package?: string;
  dependency?: string[];
  service?: Array<{ name?: string }>;
}

/** What Envoy would refuse in the descriptor set: unparsable, a missing import, or a service it lacks. */
function descriptorProblem(bytes: Buffer, services: readonly string[]): string | undefined {
  let files: FileDescriptor[];
  try {
    const type = envoyProtos().lookupType('google.protobuf.FileDescriptorSet');
    files = (type.toObject(type.decode(bytes), { arrays: true }) as { file: FileDescriptor[] }).file;
  } catch {
    return 'its descriptor set is not a serialized FileDescriptorSet';
  }
  if (services.length === 0) return 'it names no service';
  const names = new Set(files.map((f) => f.name));
  for (const f of files) for (const d of f.dependency ?? []) if (!names.has(d)) return `its descriptor set lacks ${d}, imported by ${f.name ?? 'a file'}`;
  const known = new Set(files.flatMap((f) => (f.service ?? []).map((s) => (f.package ? `${f.package}.${s.name}` : String(s.name)))));
  const missing = services.find((s) => !known.has(s));
  return missing === undefined ? undefined : `its descriptor set has no service ${missing}`;
}
