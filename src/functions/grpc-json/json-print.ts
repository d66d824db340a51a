// A decoded protobufjs message -> its proto3 JSON value, as protobuf's printer writes it: fields
// in declaration order, defaults left out unless `alwaysPrintPrimitiveFields`, lowerCamelCase
// names unless `preserveProtoFieldNames`, 64-bit integers and bytes as strings, enums by name,
// and the well-known types' special forms.
import protobuf from 'protobufjs';
import { jsonName } from './field-path.ts';
import { get, has, wkt } from './wkt-fields.ts';
import { formatDuration, formatFieldMask, formatTimestamp } from './wkt-text.ts';

export interface PrintOptions {
  readonly alwaysPrintPrimitiveFields: boolean;
  readonly preserveProtoFieldNames: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Fields = Record<string, unknown>;

const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function toBigInt(v: unknown, unsigned: boolean): bigint {
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string') return BigInt(v);
  const long = v as { low: number; high: number; unsigned?: boolean };
  const big = (BigInt(long.high >>> 0) << 32n) | BigInt(long.low >>> 0);
  return unsigned || long.unsigned ? big : BigInt.asIntN(64, big);
}

// float fields decode to doubles (0.1 -> 0.10000000149011612): print the shortest text that reads back as the same float
function shortFloat(v: number): number {
  for (let p = 1; p < 10; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return candidate;
  }
  return v;
}

function number(v: number, kind: string): Json {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
  return kind === 'float' ? shortFloat(v) : v;
}

function scalar(kind: string, v: unknown): Json {
  if (LONGS.has(kind)) return toBigInt(v, kind.startsWith('u') || kind === 'fixed64').toString();
  if (kind === 'bytes') return Buffer.from(v as Uint8Array).toString('base64');
  if (typeof v === 'number') return number(v, kind);
  return v as Json;
}

function single(field: protobuf.Field, v: unknown, opts: PrintOptions): Json {
  const t = field.resolve().resolvedType;
  if (t instanceof protobuf.Type) return printMessage(t, v as Fields, opts);
  if (t instanceof protobuf.Enum) {
    if (t.fullName === '.google.protobuf.NullValue') return null;
    return t.valuesById[v as number] ?? (v as number);
  }
  return scalar(field.type, v);
}

function isDefault(field: protobuf.Field, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (field.resolvedType instanceof protobuf.Type) return false;
  if (LONGS.has(field.type)) return toBigInt(v, true) === 0n;
  if (field.type === 'bytes' || typeof v === 'string') return (v as ArrayLike<unknown>).length === 0;
  return v === 0 || v === false;
}

function defaultOf(field: protobuf.Field): unknown {
  if (field.resolvedType instanceof protobuf.Enum) return 0;
  if (LONGS.has(field.type)) return 0;
  if (field.type === 'bytes') return new Uint8Array();
  if (field.type === 'string') return '';
  if (field.type === 'bool') return false;
  return 0;
}

/** The JSON value of one field's whole content (an array for repeated fields, an object for maps). */
export function printFieldValue(field: protobuf.Field, v: unknown, opts: PrintOptions): Json {
  field.resolve();
  if (field.map) {
    const out: Record<string, Json> = {};
    const keyType = (field as unknown as protobuf.MapField).keyType;
    for (const [k, value] of Object.entries((v as Fields | undefined) ?? {})) {
      const key = LONGS.has(keyType) && k.length === 8 && !/^-?\d+$/.test(k) ? protobuf.util.longFromHash(k, keyType.startsWith('u')).toString() : k;
      out[key] = single(field, value, opts);
    }
    return out;
  }
  if (field.repeated) return ((v as unknown[] | undefined) ?? []).map((x) => single(field, x, opts));
  return single(field, v, opts);
}

const WRAPPERS = new Set(['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue'].map((n) => `.google.protobuf.${n}`));

function structValue(t: protobuf.Type, v: Fields): Json {
  const value = wkt(t, 'Value');
  if (has(value, v, 5)) return structJson(t, get(value, v, 5) as Fields);
  if (has(value, v, 6)) return listJson(t, get(value, v, 6) as Fields);
  if (has(value, v, 3)) return get(value, v, 3) as string;
  if (has(value, v, 2)) return number(get(value, v, 2) as number, 'double');
  if (has(value, v, 4)) return get(value, v, 4) as boolean;
  return null;
}

function structJson(t: protobuf.Type, v: Fields): Json {
  const fields = (get(wkt(t, 'Struct'), v, 1) as Record<string, Fields> | undefined) ?? {};
  return Object.fromEntries(Object.entries(fields).map(([k, x]) => [k, structValue(t, x)]));
}

function listJson(t: protobuf.Type, v: Fields): Json {
  return ((get(wkt(t, 'ListValue'), v, 1) as Fields[] | undefined) ?? []).map((x) => structValue(t, x));
}

function anyJson(type: protobuf.Type, v: Fields, opts: PrintOptions): Json {
  const url = String(get(type, v, 1) ?? '');
  let inner: protobuf.Type | undefined;
  try {
    inner = type.root.lookupType(url.slice(url.lastIndexOf('/') + 1));
  } catch {
    inner = undefined;
  }
  const bytes = (get(type, v, 2) as Uint8Array | undefined) ?? new Uint8Array();
  // a type the descriptor set lacks cannot be printed; keep its bytes rather than fail the response
  if (!inner) return { '@type': url, value: Buffer.from(bytes).toString('base64') };
  const printed = printMessage(inner, inner.decode(bytes) as unknown as Fields, opts);
  if (inner.fullName !== '.google.protobuf.Empty' && (SPECIAL[inner.fullName] || WRAPPERS.has(inner.fullName))) return { '@type': url, value: printed };
  return { '@type': url, ...(printed as Record<string, Json>) };
}

const SPECIAL: Record<string, (type: protobuf.Type, v: Fields, opts: PrintOptions) => Json> = {
  '.google.protobuf.Timestamp': (t, v) => formatTimestamp(toBigInt(get(t, v, 1) ?? 0, false), Number(get(t, v, 2) ?? 0)),
  '.google.protobuf.Duration': (t, v) => formatDuration(toBigInt(get(t, v, 1) ?? 0, false), Number(get(t, v, 2) ?? 0)),
  '.google.protobuf.FieldMask': (t, v) => formatFieldMask((get(t, v, 1) as string[] | undefined) ?? []),
  '.google.protobuf.Struct': structJson,
  '.google.protobuf.Value': structValue,
  '.google.protobuf.ListValue': listJson,
  '.google.protobuf.Any': anyJson,
};

/** A decoded message (or a plain object with the same field names) as JSON. */
export function printMessage(type: protobuf.Type, msg: Fields, opts: PrintOptions): Json {
  const special = SPECIAL[type.fullName];
  if (special) return special(type, msg, opts);
  if (WRAPPERS.has(type.fullName)) {
    const f = type.fieldsById[1]!;
    return scalar(f.type, msg[f.name] ?? defaultOf(f));
  }
  const out: Record<string, Json> = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const key = opts.preserveProtoFieldNames ? field.name : jsonName(field.name);
    const present = Object.hasOwn(msg, field.name);
    const v = msg[field.name];
    if (field.map || field.repeated) {
      const empty = field.map ? Object.keys((v as Fields | undefined) ?? {}).length === 0 : ((v as unknown[] | undefined) ?? []).length === 0;
      if (!empty || opts.alwaysPrintPrimitiveFields) out[key] = printFieldValue(field, v, opts);
    } else if (field.partOf || field.resolvedType instanceof protobuf.Type) {
      // fields with presence: printed when set, whatever their value
      if (present && v !== null && v !== undefined) out[key] = printFieldValue(field, v, opts);
    } else if (!isDefault(field, v)) out[key] = printFieldValue(field, v, opts);
    else if (opts.alwaysPrintPrimitiveFields) out[key] = printFieldValue(field, defaultOf(field), opts);
  }
  return out;
}
