// The AggregatedDiscoveryService as a @grpc/grpc-js service definition, with (de)serializers
// built from the same protobufjs Root as the resources (no second copy of the protos loaded).
import type { ServiceDefinition } from '@grpc/grpc-js';
import type { Type } from 'protobufjs';
import type { AnyMessage } from './encode.ts';
import { envoyProtos } from './protos.ts';
import { isEncodedResponse, type EncodedResponse } from './responses.ts';

export interface Node {
  readonly id: string;
  readonly cluster: string;
  readonly user_agent_name: string;
  /** google.protobuf.Struct as protobufjs decodes it (camelCase value fields); absent when unset */
  readonly metadata?: { readonly fields?: Readonly<Record<string, { readonly boolValue?: boolean; readonly stringValue?: string }>> } | null;
}

export interface Status {
  readonly code: number;
  readonly message: string;
}

/** envoy.service.discovery.v3.DiscoveryRequest, as decoded (defaults filled in, unset messages null). */
export interface DiscoveryRequest {
  readonly version_info: string;
  readonly node: Node | null;
  readonly resource_names: readonly string[];
  readonly type_url: string;
  readonly response_nonce: string;
  readonly error_detail: Status | null;
}

export interface DiscoveryResponse {
  readonly version_info: string;
  readonly resources: readonly AnyMessage[];
  readonly type_url: string;
  readonly nonce: string;
  readonly control_plane?: { readonly identifier: string };
}

export interface Resource {
  readonly name: string;
  readonly version: string;
  readonly resource: AnyMessage;
  /** VHDS: the on-demand names this resource answers */
  readonly aliases?: readonly string[];
}

/** VHDS's answer to an on-demand name nothing serves: the name as an alias, no resource. */
export interface UnresolvedAlias {
  readonly name: string;
  readonly version: string;
  readonly resource: null;
  readonly aliases: readonly string[];
}

/** envoy.service.discovery.v3.DeltaDiscoveryRequest */
export interface DeltaDiscoveryRequest {
  readonly node: Node | null;
  readonly type_url: string;
  readonly resource_names_subscribe: readonly string[];
  readonly resource_names_unsubscribe: readonly string[];
  readonly initial_resource_versions: Readonly<Record<string, string>>;
  readonly response_nonce: string;
  readonly error_detail: Status | null;
}

export interface DeltaDiscoveryResponse {
  readonly system_version_info: string;
  readonly resources: readonly Resource[];
  readonly type_url: string;
  readonly removed_resources: readonly string[];
  readonly nonce: string;
  readonly control_plane?: { readonly identifier: string };
}

const SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

/** A view of `bytes`, not a copy. */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function codec<T>(type: Type) {
  return {
    // A response encoded once for many streams (responses.ts), nonce included, goes out as its
    // shared bytes; the server's calls skip this and send its prebuilt frame (grpc-frame.ts).
    serialize: (value: T): Buffer =>
      isEncodedResponse(value as object) ? asBuffer((value as EncodedResponse).body) : asBuffer(type.encode(type.fromObject(value as object)).finish()),
    // defaults + arrays: absent strings read as '', lists as [], messages as null.
    deserialize: (bytes: Buffer): T =>
      type.toObject(type.decode(bytes), { longs: String, enums: String, defaults: true, arrays: true, objects: true }) as T,
  };
}

function method<Req, Res>(name: string, request: string, response: string) {
  const root = envoyProtos();
  const req = codec<Req>(root.lookupType(request));
  const res = codec<Res>(root.lookupType(response));
  return {
    path: `/${SERVICE}/${name}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: req.serialize,
    requestDeserialize: req.deserialize,
    responseSerialize: res.serialize,
    responseDeserialize: res.deserialize,
  };
}

let definition: ServiceDefinition | undefined;

export function adsServiceDefinition(): ServiceDefinition {
  definition ??= {
    StreamAggregatedResources: method<DiscoveryRequest, DiscoveryResponse>(
      'StreamAggregatedResources',
      'envoy.service.discovery.v3.DiscoveryRequest',
      'envoy.service.discovery.v3.DiscoveryResponse',
    ),
    DeltaAggregatedResources: method<DeltaDiscoveryRequest, DeltaDiscoveryResponse>(
      'DeltaAggregatedResources',
      'envoy.service.discovery.v3.DeltaDiscoveryRequest',
      'envoy.service.discovery.v3.DeltaDiscoveryResponse',
    ),
  };
  return definition;
}
