// Field names and dotted field paths over protobufjs types: proto names (`country_code`) and
// proto3 JSON names (`countryCode`) are both accepted, as protobuf's JSON parser does.
import protobuf from 'protobufjs';

/** protoc's default json_name: underscores dropped, the letter after each one upper-cased. */
export function jsonName(protoName: string): string {
  return protoName.replace(/_+([a-zA-Z0-9]?)/g, (_, c: string) => c.toUpperCase());
}

/** A field of `type` by its proto name or its JSON name. */
export function findField(type: protobuf.Type, name: string): protobuf.Field | undefined {
  // own properties only: `constructor` or `__proto__` from a client must not find Object's
  if (Object.hasOwn(type.fields, name)) return type.fields[name];
  return type.fieldsArray.find((f) => jsonName(f.name) === name);
}

/** Message types whose JSON form is a single string or number, so a path variable may fill one. */
export const SCALAR_LIKE = new Set([
  '.google.protobuf.Timestamp',
  '.google.protobuf.Duration',
  '.google.protobuf.FieldMask',
  '.google.protobuf.DoubleValue',
  '.google.protobuf.FloatValue',
  '.google.protobuf.Int64Value',
  '.google.protobuf.UInt64Value',
  '.google.protobuf.Int32Value',
  '.google.protobuf.UInt32Value',
  '.google.protobuf.BoolValue',
  '.google.protobuf.StringValue',
  '.google.protobuf.BytesValue',
]);

/**
 * The fields a dotted path names, outermost first; throws naming the step that fails. With
 * `scalarOnly` (path variables, query parameters) the last field must hold one value.
 */
export function resolveFieldPath(type: protobuf.Type, path: readonly string[], opts: { scalarOnly: boolean }): protobuf.Field[] {
  const fields: protobuf.Field[] = [];
  let current: protobuf.Type | undefined = type;
  path.forEach((name, i) => {
    const field = current && findField(current, name);
    if (!field) throw new Error(`no field "${path.slice(0, i + 1).join('.')}" in ${type.fullName.slice(1)}`);
    field.resolve();
    const last = i === path.length - 1;
    const message = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (!last && (!message || field.repeated || field.map)) throw new Error(`"${path.slice(0, i + 1).join('.')}" is not a message field`);
    if (last && opts.scalarOnly && (field.map || (message && !SCALAR_LIKE.has(message.fullName)))) {
      throw new Error(`"${path.join('.')}" must name a primitive field`);
    }
    fields.push(field);
    current = message;
  });
  return fields;
}
