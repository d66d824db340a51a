// Strict encoding of plain objects into protobuf messages. protobufjs' own fromObject silently
// drops unknown keys and accepts values Envoy would reject, so every object is first checked
// against its message type: unknown or deprecated fields, two members of one oneof, wrong scalar
// kinds, unknown enum names, and the protoc-gen-validate rules Envoy enforces on load that matter
// here (required messages and oneofs, string min_len/max_bytes/pattern and header grammars,
// repeated min/max_items, numeric bounds, duration ranges).
// The error names the field path, e.g. `Listener.filter_chains[0].filters[0].typed_config.stat_prefix`.
// Only types from protobufjs: at run time its objects come from proto-loader's Root, and Sluice
// does not depend on protobufjs directly, so classes are told apart by shape.
import type { Root, Type } from 'protobufjs';
import { Checker, lookupType } from './check.ts';
import { SluiceError } from '../errors.ts';
import { envoyProtos, TYPE_URL_PREFIX } from './protos.ts';

/** A protobuf message written as a plain object with the proto's snake_case field names. */
export type ProtoValue = string | number | boolean | ProtoObject | readonly ProtoValue[] | Uint8Array;
export interface ProtoObject {
  readonly [field: string]: ProtoValue | undefined;
}

/** google.protobuf.Any as sent on the wire. */
export interface AnyMessage {
  readonly type_url: string;
  readonly value: Uint8Array;
}

/** An embedded message packed into an Any: `{ '@type': 'type.googleapis.com/<full name>', ...fields }`. */
export function typed(typeName: string, fields: ProtoObject): ProtoObject {
  return { '@type': TYPE_URL_PREFIX + typeName, ...fields };
}

function messageType(typeName: string, root: Root): Type {
  const type = lookupType(root, typeName);
  if (!type) throw new Error(`no protobuf message type ${typeName}`);
  return type;
}

/** Problems with `value` as a `typeName` message; empty when it would be accepted. */
export function checkMessage(typeName: string, value: ProtoObject, root: Root = envoyProtos()): string[] {
  const checker = new Checker(root, typeName.slice(typeName.lastIndexOf('.') + 1));
  checker.message(messageType(typeName, root), value);
  return checker.errors;
}

/** Encodes `value` as a `typeName` message, throwing SLUICE_ERR_XDS with every problem found. */
export function encodeMessage(typeName: string, value: ProtoObject, root: Root = envoyProtos()): Uint8Array {
  const errors = checkMessage(typeName, value, root);
  if (errors.length > 0) {
    throw new SluiceError('SLUICE_ERR_XDS', `invalid ${typeName}: ${errors.join('; ')}`);
  }
  const type = messageType(typeName, root);
  return type.encode(type.fromObject(value as Record<string, unknown>)).finish();
}

/** Checks and packs `value` into an Any of the given message type. */
export function encodeAny(typeName: string, value: ProtoObject, root: Root = envoyProtos()): AnyMessage {
  return { type_url: TYPE_URL_PREFIX + typeName, value: encodeMessage(typeName, value, root) };
}

/** The readable form of an encoded message: snake_case fields, enum names, Any unpacked with `@type`. */
export function decodeMessage(typeName: string, bytes: Uint8Array, root: Root = envoyProtos()): ProtoObject {
  const type = messageType(typeName, root);
  return type.toObject(type.decode(bytes), { enums: String, longs: String, bytes: String, json: true }) as ProtoObject;
}

/** Unpacks an Any into its readable form (see decodeMessage), with its `@type`. */
export function decodeAny(any: AnyMessage, root: Root = envoyProtos()): ProtoObject {
  const name = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
  return { '@type': any.type_url, ...decodeMessage(name, any.value, root) };
}
