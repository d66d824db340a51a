// Strict encoding of plain objects into protobuf messages. protobufjs' own fromObject silently
// drops unknown keys and accepts values Envoy would reject, so every object is first checked
// against its message type: unknown or deprecated fields, two members of one oneof, wrong scalar
// kinds, unknown enum names, and the protoc-gen-validate rules Envoy enforces on load that matter
// here (required messages and oneofs, string min_len/max_bytes/pattern and header grammars,
// repeated min/max_items, numeric bounds, duration ranges).
// The error names the field path, e.g. `Listener.filter_chains[0].filters[0].typed_config.stat_prefix`.
// Only types from protobufjs: at run time its objects come from proto-loader's Root, and Sluice
// does not depend on protobufjs directly, so classes are told apart by shape.
import type { Enum, Field, ReflectionObject, Root, Type } from 'protobufjs';
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

const INT_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const FLOAT_TYPES = new Set(['double', 'float']);
const RULE = '(validate.rules).';
// protoc-gen-validate's header grammars: strict (RFC 7230) and, with `strict: false`, only what
// would split or end a header (NUL, CR, LF).
const HEADER_NAME = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the grammar is about control characters.
const HEADER_VALUE = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as HEADER_VALUE.
const LAX_HEADER = /^[^\u0000\u000A\u000D]*$/;
const PATTERNS = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = PATTERNS.get(pattern);
  if (!re) PATTERNS.set(pattern, (re = new RegExp(pattern, 'u')));
  return re;
}

class Checker {
  readonly errors: string[] = [];
  constructor(readonly root: Root) {}

  message(type: Type, value: unknown, at: string): void {
    if (!isPlainObject(value)) {
      this.errors.push(`${at}: expected a ${type.name} message, got ${describe(value)}`);
      return;
    }
    if (type.fullName === '.google.protobuf.Any') {
      this.any(value, at);
      return;
    }
    if (type.fullName === '.google.protobuf.Duration') this.duration(value, at);
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const field = type.fields[key];
      if (!field) {
        this.errors.push(`${at}: unknown field "${key}" in ${type.fullName.slice(1)}`);
        continue;
      }
      if (field.options?.deprecated) this.errors.push(`${at}.${key}: deprecated field`);
      this.field(field, v, `${at}.${key}`);
    }
    this.required(type, value, at);
  }

  // Rules about fields that are absent: required messages and required oneofs.
  required(type: Type, value: Record<string, unknown>, at: string): void {
    const has = (name: string) => value[name] !== undefined;
    for (const field of type.fieldsArray) {
      // A rule on a oneof member applies only when that member is the one set.
      if (field.partOf) continue;
      if (field.options?.[`${RULE}message.required`] && !has(field.name)) {
        this.errors.push(`${at}.${field.name}: required`);
      }
    }
    for (const oneof of type.oneofsArray) {
      const set = oneof.oneof.filter(has);
      if (set.length > 1) this.errors.push(`${at}: ${set.join(' and ')} are both members of oneof ${oneof.name}`);
      if (set.length === 0 && oneof.options?.['(validate.required)']) {
        this.errors.push(`${at}: one of ${oneof.oneof.join(', ')} is required`);
      }
    }
  }

  any(value: Record<string, unknown>, at: string): void {
    const url = value['@type'];
    if (typeof url !== 'string' || !url.startsWith(TYPE_URL_PREFIX)) {
      this.errors.push(`${at}: an Any needs "@type": "${TYPE_URL_PREFIX}<message>"`);
      return;
    }
    const inner = this.root.lookup(url.slice(TYPE_URL_PREFIX.length));
    if (!isType(inner)) {
      this.errors.push(`${at}: unknown message type ${url}`);
      return;
    }
    const { '@type': _, ...fields } = value;
    this.message(inner, fields, at);
  }

  field(field: Field, value: unknown, at: string): void {
    const opts = field.options ?? {};
    if (field.map) {
      if (!isPlainObject(value)) this.errors.push(`${at}: expected a map, got ${describe(value)}`);
      else for (const [k, v] of Object.entries(value)) this.single(field, v, `${at}[${k}]`);
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) {
        this.errors.push(`${at}: expected a list, got ${describe(value)}`);
        return;
      }
      const min = opts[`${RULE}repeated.min_items`];
      const max = opts[`${RULE}repeated.max_items`];
      if (typeof min === 'number' && value.length < min) this.errors.push(`${at}: needs at least ${min} items`);
      if (typeof max === 'number' && value.length > max) this.errors.push(`${at}: at most ${max} items`);
      value.forEach((v, i) => this.single(field, v, `${at}[${i}]`));
      return;
    }
    this.single(field, value, at);
  }

  single(field: Field, value: unknown, at: string): void {
    const resolved = field.resolvedType;
    const opts = field.options ?? {};
    if (isType(resolved)) return this.message(resolved, value, at);
    if (isEnum(resolved)) {
      const ok = typeof value === 'string' ? value in resolved.values : Object.values(resolved.values).includes(value as number);
      if (!ok) this.errors.push(`${at}: ${describe(value)} is not a value of ${resolved.name}`);
      return;
    }
    const t = field.type;
    if (t === 'string') {
      if (typeof value !== 'string') return void this.errors.push(`${at}: expected a string, got ${describe(value)}`);
      this.string(value, opts, field.repeated ? 'repeated.items.string.' : 'string.', at);
    } else if (t === 'bool') {
      if (typeof value !== 'boolean') this.errors.push(`${at}: expected a boolean, got ${describe(value)}`);
    } else if (t === 'bytes') {
      if (!(value instanceof Uint8Array) && typeof value !== 'string') this.errors.push(`${at}: expected bytes`);
    } else if (INT_TYPES.has(t) || LONG_TYPES.has(t) || FLOAT_TYPES.has(t)) {
      const n = typeof value === 'string' && LONG_TYPES.has(t) ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n)) return void this.errors.push(`${at}: expected a number, got ${describe(value)}`);
      if (!FLOAT_TYPES.has(t) && !Number.isInteger(n)) this.errors.push(`${at}: expected an integer, got ${n}`);
      if (t.startsWith('uint') && n < 0) this.errors.push(`${at}: must not be negative`);
      else if (t === 'uint32' && n > 0xffff_ffff) this.errors.push(`${at}: more than a uint32 holds`);
      else if (INT_TYPES.has(t) && t !== 'uint32' && t !== 'fixed32' && Math.abs(n) > 0x7fff_ffff) this.errors.push(`${at}: more than an int32 holds`);
      this.bounds(t, n, opts, at);
    }
  }

  /** min_len, max_bytes, pattern and the HTTP header grammars (`well_known_regex`, as Envoy checks them). */
  string(value: string, opts: Record<string, unknown>, prefix: string, at: string): void {
    const rule = (name: string) => opts[`${RULE}${prefix}${name}`];
    const min = rule('min_len');
    if (typeof min === 'number' && value.length < min) this.errors.push(`${at}: must not be empty`);
    const maxBytes = rule('max_bytes');
    if (typeof maxBytes === 'number' && Buffer.byteLength(value) > maxBytes) this.errors.push(`${at}: longer than ${maxBytes} bytes`);
    const pattern = rule('pattern');
    if (typeof pattern === 'string' && !compiled(pattern).test(value)) this.errors.push(`${at}: ${JSON.stringify(value)} does not match ${pattern}`);
    const known = rule('well_known_regex');
    if (known === 'HTTP_HEADER_NAME' || known === 'HTTP_HEADER_VALUE') {
      const grammar = rule('strict') === false ? LAX_HEADER : known === 'HTTP_HEADER_NAME' ? HEADER_NAME : HEADER_VALUE;
      if (!grammar.test(value)) this.errors.push(`${at}: ${JSON.stringify(value)} is not a valid ${known === 'HTTP_HEADER_NAME' ? 'header name' : 'header value'}`);
    }
  }

  /** Envoy refuses negative durations and ones past 10,000 years (DurationUtil). */
  duration(value: Record<string, unknown>, at: string): void {
    const seconds = Number(value.seconds ?? 0);
    const nanos = Number(value.nanos ?? 0);
    if (seconds < 0 || nanos < 0 || nanos > 999_999_999 || seconds > 315_576_000_000) this.errors.push(`${at}: duration out of range`);
  }

  bounds(t: string, n: number, opts: Record<string, unknown>, at: string): void {
    const rule = (op: string) => opts[`${RULE}${t}.${op}`];
    const [lt, lte, gt, gte] = ['lt', 'lte', 'gt', 'gte'].map(rule);
    if (typeof lt === 'number' && !(n < lt)) this.errors.push(`${at}: must be < ${lt}`);
    if (typeof lte === 'number' && !(n <= lte)) this.errors.push(`${at}: must be <= ${lte}`);
    if (typeof gt === 'number' && !(n > gt)) this.errors.push(`${at}: must be > ${gt}`);
    if (typeof gte === 'number' && !(n >= gte)) this.errors.push(`${at}: must be >= ${gte}`);
  }
}

function isType(o: ReflectionObject | null | undefined): o is Type {
  return !!o && 'fieldsArray' in o;
}

function isEnum(o: ReflectionObject | null | undefined): o is Enum {
  return !!o && 'values' in o && !('fieldsArray' in o);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

function messageType(typeName: string, root: Root): Type {
  const type = root.lookup(typeName);
  if (!isType(type)) throw new Error(`no protobuf message type ${typeName}`);
  return type;
}

/** Problems with `value` as a `typeName` message; empty when it would be accepted. */
export function checkMessage(typeName: string, value: ProtoObject, root: Root = envoyProtos()): string[] {
  const checker = new Checker(root);
  checker.message(messageType(typeName, root), value, typeName.slice(typeName.lastIndexOf('.') + 1));
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
