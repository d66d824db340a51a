// proto3 JSON -> a plain object that protobufjs' Type.fromObject turns into a message, checking
// every value as protobuf's own JSON parser does (names in proto or lowerCamelCase form, enums by
// name or number, 64-bit integers as strings, the well-known types' special forms). Any mismatch
// is a JsonMappingError naming the field, which the handler answers with a 400.
import protobuf from 'protobufjs';
import { findField } from './field-path.ts';
import { byNumber, wkt } from './wkt-fields.ts';
import { type SecondsNanos, parseDuration, parseFieldMask, parseTimestamp } from './wkt-text.ts';

export class JsonMappingError extends Error {
  override name = 'JsonMappingError';
}

export type Plain = Record<string, unknown>;

const fail = (at: string, why: string): never => {
  throw new JsonMappingError(`${at || 'request'}: ${why}`);
};

const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64']);
const UINT64 = new Set(['uint64', 'fixed64']);

function integer(value: unknown, at: string, unsigned: boolean): string {
  const text = typeof value === 'number' ? (Number.isInteger(value) ? BigInt(value).toString() : fail(at, `${value} is not an integer`)) : value;
  if (typeof text !== 'string' || !/^-?\d+$/.test(text)) return fail(at, `${JSON.stringify(value)} is not an integer`);
  if (unsigned && text.startsWith('-')) fail(at, `${text} is negative`);
  return text;
}

function inRange(text: string, at: string, min: bigint, max: bigint): string {
  const n = BigInt(text);
  if (n < min || n > max) fail(at, `${text} is out of range`);
  return text;
}

/** A scalar field's JSON value in the form fromObject takes; `kind` is the field's proto type. */
function scalar(kind: string, value: unknown, at: string): unknown {
  if (INT32.has(kind)) return Number(inRange(integer(value, at, false), at, -(2n ** 31n), 2n ** 31n - 1n));
  if (UINT32.has(kind)) return Number(inRange(integer(value, at, true), at, 0n, 2n ** 32n - 1n));
  if (INT64.has(kind)) return inRange(integer(value, at, false), at, -(2n ** 63n), 2n ** 63n - 1n);
  if (UINT64.has(kind)) return inRange(integer(value, at, true), at, 0n, 2n ** 64n - 1n);
  switch (kind) {
    case 'double':
    case 'float': {
      if (typeof value === 'number') return value;
      if (value === 'NaN') return Number.NaN;
      if (value === 'Infinity') return Number.POSITIVE_INFINITY;
      if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return fail(at, `${JSON.stringify(value)} is not a number`);
    }
    case 'bool':
      return typeof value === 'boolean' ? value : fail(at, `${JSON.stringify(value)} is not a boolean`);
    case 'string':
      return typeof value === 'string' ? value : fail(at, `${JSON.stringify(value)} is not a string`);
    case 'bytes': {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return fail(at, `${JSON.stringify(value)} is not base64`);
      return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    }
    default:
      return fail(at, `unsupported field type ${kind}`);
  }
}

function enumValue(e: protobuf.Enum, value: unknown, at: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && Object.hasOwn(e.values, value)) return e.values[value]!;
  return fail(at, `${JSON.stringify(value)} is not a value of ${e.fullName.slice(1)}`);
}

/** One (non-repeated) value of a field. */
export function parseSingle(field: protobuf.Field, value: unknown, at: string): unknown {
  field.resolve();
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return parseMessage(t, value, at);
  if (t instanceof protobuf.Enum) {
    if (t.fullName === '.google.protobuf.NullValue') return 0;
    return enumValue(t, value, at);
  }
  return scalar(field.type, value, at);
}

/** A field's whole JSON value: arrays for repeated fields, objects for maps. */
export function parseFieldValue(field: protobuf.Field, value: unknown, at: string): unknown {
  if (field.map) {
    if (!isObject(value)) return fail(at, 'a JSON object is expected');
    const out: Plain = {};
    const keyType = (field as unknown as protobuf.MapField).keyType;
    for (const [k, v] of Object.entries(value)) {
      const key = keyType === 'bool' ? (k === 'true' || k === 'false' ? k : fail(`${at}.${k}`, 'map key is not a boolean')) : keyType === 'string' ? k : String(scalar(keyType, k, `${at}.${k}`));
      // defined, not assigned: a key `__proto__` is data here
      Object.defineProperty(out, key, { value: parseSingle(field, v, `${at}.${k}`), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) return fail(at, 'a JSON array is expected');
    return value.map((v, i) => (v === null ? fail(`${at}[${i}]`, 'null in a repeated field') : parseSingle(field, v, `${at}[${i}]`)));
  }
  return parseSingle(field, value, at);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const WRAPPERS: Record<string, string> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};

function structValue(t: protobuf.Type, value: unknown, at: string): Plain {
  if (value === null) return byNumber(wkt(t, 'Value'), { 1: 0 });
  if (typeof value === 'number') return byNumber(wkt(t, 'Value'), { 2: value });
  if (typeof value === 'string') return byNumber(wkt(t, 'Value'), { 3: value });
  if (typeof value === 'boolean') return byNumber(wkt(t, 'Value'), { 4: value });
  if (Array.isArray(value)) return byNumber(wkt(t, 'Value'), { 6: listValue(t, value, at) });
  if (isObject(value)) return byNumber(wkt(t, 'Value'), { 5: struct(t, value, at) });
  return fail(at, 'not a JSON value');
}

function listValue(t: protobuf.Type, value: unknown, at: string): Plain {
  if (!Array.isArray(value)) return fail(at, 'a JSON array is expected');
  return byNumber(wkt(t, 'ListValue'), { 1: value.map((v, i) => structValue(t, v, `${at}[${i}]`)) });
}

function struct(t: protobuf.Type, value: unknown, at: string): Plain {
  if (!isObject(value)) return fail(at, 'a JSON object is expected');
  return byNumber(wkt(t, 'Struct'), { 1: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structValue(t, v, `${at}.${k}`)])) });
}

function any(type: protobuf.Type, value: unknown, at: string): Plain {
  if (!isObject(value)) return fail(at, 'a JSON object is expected');
  const url = value['@type'];
  if (typeof url !== 'string') return fail(at, '"@type" is missing');
  let inner: protobuf.Type;
  try {
    inner = type.root.lookupType(url.slice(url.lastIndexOf('/') + 1));
  } catch {
    return fail(at, `unknown type "${url}"`);
  }
  const { '@type': _, ...fields } = value;
  const special = WKT_PARSERS[inner.fullName] && inner.fullName !== '.google.protobuf.Empty';
  const plain = special ? parseMessage(inner, fields.value, `${at}.value`) : parseMessage(inner, fields, at);
  return byNumber(type, { 1: url, 2: inner.encode(inner.fromObject(plain)).finish() });
}

function secondsNanos(t: protobuf.Type, v: SecondsNanos | undefined, at: string, why: string): Plain {
  return v ? byNumber(t, { 1: v.seconds, 2: v.nanos }) : fail(at, why);
}

type WktParser = (type: protobuf.Type, value: unknown, at: string) => Plain;
const WKT_PARSERS: Record<string, WktParser> = {
  '.google.protobuf.Timestamp': (t, v, at) => secondsNanos(t, typeof v === 'string' ? parseTimestamp(v) : undefined, at, `${JSON.stringify(v)} is not an RFC 3339 timestamp`),
  '.google.protobuf.Duration': (t, v, at) => secondsNanos(t, typeof v === 'string' ? parseDuration(v) : undefined, at, `${JSON.stringify(v)} is not a duration such as "1.5s"`),
  '.google.protobuf.FieldMask': (t, v, at) => (typeof v === 'string' ? byNumber(t, { 1: parseFieldMask(v) }) : fail(at, 'a field mask string is expected')),
  '.google.protobuf.Struct': struct,
  '.google.protobuf.Value': structValue,
  '.google.protobuf.ListValue': listValue,
  '.google.protobuf.Any': any,
  ...Object.fromEntries(Object.entries(WRAPPERS).map(([name, kind]) => [name, (t: protobuf.Type, v: unknown, at: string) => byNumber(t, { 1: scalar(kind, v, at) })])),
};

/** A message's JSON value (an object, or a well-known type's special form) as a plain object for fromObject. */
export function parseMessage(type: protobuf.Type, json: unknown, at = ''): Plain {
  const wkt = WKT_PARSERS[type.fullName];
  if (wkt) return wkt(type, json, at);
  if (!isObject(json)) return fail(at, 'a JSON object is expected');
  const out: Plain = {};
  const oneofs = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = findField(type, key);
    const where = at ? `${at}.${key}` : key;
    if (!field) fail(where, `no such field in ${type.fullName.slice(1)}`);
    const f = field as protobuf.Field;
    if (value === null && !(f.resolve().resolvedType?.fullName === '.google.protobuf.Value' && !f.repeated)) continue;
    if (Object.hasOwn(out, f.name)) fail(where, 'set twice');
    if (f.partOf && f.partOf.oneof.length > 1) {
      const other = oneofs.get(f.partOf.name);
      if (other) fail(where, `oneof "${f.partOf.name}" already has "${other}"`);
      oneofs.set(f.partOf.name, key);
    }
    out[f.name] = parseFieldValue(f, value, where);
  }
  return out;
}
