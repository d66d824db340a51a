// Well-known types' fields by number: descriptor sets from protoc name them in snake_case
// (`null_value`), protobufjs' bundled copies in camelCase (`nullValue`); numbers are the same.
import type protobuf from 'protobufjs';

/** The name `type` gives field number `id` (the number itself when absent, which no lookup matches). */
export function fieldName(type: protobuf.Type, id: number): string {
  return type.fieldsById[id]?.name ?? String(id);
}

/** A plain object with `type`'s field names for the given numbers. */
export function byNumber(type: protobuf.Type, values: Record<number, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([id, v]) => [fieldName(type, Number(id)), v]));
}

/** The value of field number `id` in a decoded message. */
export function get(type: protobuf.Type, msg: Record<string, unknown>, id: number): unknown {
  return msg[fieldName(type, id)];
}

export function has(type: protobuf.Type, msg: Record<string, unknown>, id: number): boolean {
  return Object.hasOwn(msg, fieldName(type, id));
}

export function wkt(anyType: protobuf.Type, name: 'Struct' | 'Value' | 'ListValue'): protobuf.Type {
  return anyType.root.lookupType(`google.protobuf.${name}`);
}
