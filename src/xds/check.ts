// The strict check behind encode.ts: a plain object against its protobuf message type, as Envoy
// would load it (see encode.ts for the rules). Every resource of a snapshot goes through here, so
// what can be worked out once is: each type's and field's rules are read from the proto options
// once (plans), a field's path is only written out when there is an error to name, and an object
// a check found clean at its top is remembered (weakly, with its type), so that the route a
// translator checked on its own is not checked again inside its virtual host. Objects handed to the encoder are never
// changed afterwards (ProtoObject is read-only), which is what makes remembering them sound.
import type { Enum, Field, ReflectionObject, Root, Type } from 'protobufjs';
import { TYPE_URL_PREFIX } from './protos.ts';

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

/** Work done, for tests: message values checked (a value remembered clean is not checked again). */
export const checkStats = { messages: 0 };

interface StringRules {
  readonly minLen?: number;
  readonly maxBytes?: number;
  readonly pattern?: { readonly source: string; readonly re: RegExp };
  readonly grammar?: { readonly re: RegExp; readonly what: string };
}

interface FieldPlan {
  readonly field: Field;
  /** the index of its oneof in its type's plan, -1 when in none */
  readonly oneof: number;
  readonly deprecated: boolean;
  readonly message?: Type;
  readonly enumType?: Enum;
  readonly minItems?: number;
  readonly maxItems?: number;
  /** for string fields (and a repeated string field's items) */
  readonly strings?: StringRules;
  readonly bounds?: { readonly lt?: number; readonly lte?: number; readonly gt?: number; readonly gte?: number };
}

interface TypePlan {
  readonly isAny: boolean;
  readonly isDuration: boolean;
  readonly fields: ReadonlyMap<string, FieldPlan>;
  readonly required: readonly string[];
  readonly oneofs: ReadonlyArray<{ readonly name: string; readonly members: readonly string[]; readonly required: boolean }>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function stringRules(opts: Record<string, unknown>, prefix: string): StringRules {
  const rule = (name: string) => opts[`${RULE}${prefix}${name}`];
  const pattern = rule('pattern');
  const known = rule('well_known_regex');
  const header = known === 'HTTP_HEADER_NAME' || known === 'HTTP_HEADER_VALUE';
  return {
    minLen: num(rule('min_len')),
    maxBytes: num(rule('max_bytes')),
    pattern: typeof pattern === 'string' ? { source: pattern, re: new RegExp(pattern, 'u') } : undefined,
    grammar: header
      ? {
          re: rule('strict') === false ? LAX_HEADER : known === 'HTTP_HEADER_NAME' ? HEADER_NAME : HEADER_VALUE,
          what: known === 'HTTP_HEADER_NAME' ? 'header name' : 'header value',
        }
      : undefined,
  };
}

const fieldPlans = new WeakMap<Field, FieldPlan>();
function fieldPlan(field: Field, oneof: number): FieldPlan {
  let plan = fieldPlans.get(field);
  if (plan) return plan;
  const opts = (field.options ?? {}) as Record<string, unknown>;
  const resolved = field.resolvedType;
  const t = field.type;
  const numeric = INT_TYPES.has(t) || LONG_TYPES.has(t) || FLOAT_TYPES.has(t);
  plan = {
    field,
    oneof,
    deprecated: Boolean(opts.deprecated),
    message: isType(resolved) ? resolved : undefined,
    enumType: isEnum(resolved) ? resolved : undefined,
    minItems: num(opts[`${RULE}repeated.min_items`]),
    maxItems: num(opts[`${RULE}repeated.max_items`]),
    strings: t === 'string' ? stringRules(opts, field.repeated ? 'repeated.items.string.' : 'string.') : undefined,
    bounds: numeric
      ? { lt: num(opts[`${RULE}${t}.lt`]), lte: num(opts[`${RULE}${t}.lte`]), gt: num(opts[`${RULE}${t}.gt`]), gte: num(opts[`${RULE}${t}.gte`]) }
      : undefined,
  };
  fieldPlans.set(field, plan);
  return plan;
}

const typePlans = new WeakMap<Type, TypePlan>();
function typePlan(type: Type): TypePlan {
  let plan = typePlans.get(type);
  if (plan) return plan;
  const fullName = type.fullName;
  plan = {
    isAny: fullName === '.google.protobuf.Any',
    isDuration: fullName === '.google.protobuf.Duration',
    fields: new Map(Object.keys(type.fields).map((k) => [k, fieldPlan(type.fields[k]!, type.oneofsArray.indexOf(type.fields[k]!.partOf!))])),
    // A rule on a oneof member applies only when that member is the one set.
    required: type.fieldsArray.filter((f) => !f.partOf && f.options?.[`${RULE}message.required`]).map((f) => f.name),
    oneofs: type.oneofsArray.map((o) => ({ name: o.name, members: o.oneof, required: Boolean(o.options?.['(validate.required)']) })),
  };
  typePlans.set(type, plan);
  return plan;
}

/** Objects found clean, with the type they were checked as. */
const clean = new WeakMap<object, Type>();

const types = new WeakMap<Root, Map<string, Type | undefined>>();
/** The message type of that name in `root`, looked up once. */
export function lookupType(root: Root, name: string): Type | undefined {
  let byName = types.get(root);
  if (!byName) types.set(root, (byName = new Map()));
  if (!byName.has(name)) {
    const found = root.lookup(name);
    byName.set(name, isType(found) ? found : undefined);
  }
  return byName.get(name);
}

export class Checker {
  readonly errors: string[] = [];
  readonly #at: string;
  /**
   * the path below `at` of the value being checked, written out only to name an error: a field
   * name, an index, or `[key]` of a map
   */
  readonly #path: Array<string | number> = [];
  constructor(
    readonly root: Root,
    at: string,
  ) {
    this.#at = at;
  }

  #error(message: string): void {
    let at = this.#at;
    for (const p of this.#path) at += typeof p === 'number' ? `[${p}]` : p.startsWith('[') ? p : `.${p}`;
    this.errors.push(`${at}${message}`);
  }

  #in(segment: string, check: () => void): void {
    this.#path.push(segment);
    check();
    this.#path.pop();
  }

  message(type: Type, value: unknown): void {
    if (!isPlainObject(value)) {
      this.#error(`: expected a ${type.name} message, got ${describe(value)}`);
      return;
    }
    if (clean.get(value) === type) return;
    checkStats.messages++;
    const errors = this.errors.length;
    const plan = typePlan(type);
    if (plan.isAny) this.#any(value);
    else {
      if (plan.isDuration) this.#duration(value);
      // members set per oneof, counted on the way rather than looked up afterwards
      const set = plan.oneofs.length > 0 ? new Uint8Array(plan.oneofs.length) : undefined;
      for (const key of Object.keys(value)) {
        const v = value[key];
        if (v === undefined) continue;
        const field = plan.fields.get(key);
        if (!field) {
          this.#error(`: unknown field "${key}" in ${type.fullName.slice(1)}`);
          continue;
        }
        if (set && field.oneof >= 0) set[field.oneof]!++;
        this.#path.push(key);
        if (field.deprecated) this.#error(': deprecated field');
        this.#field(field, v);
        this.#path.pop();
      }
      this.#required(plan, value, set);
    }
    // Remembered at the top only: nested objects are rarely checked on their own, and a WeakMap
    // entry for every one of them costs more than it saves.
    if (this.#path.length === 0 && this.errors.length === errors) clean.set(value, type);
  }

  // Rules about fields that are absent: required messages and required oneofs.
  #required(plan: TypePlan, value: Record<string, unknown>, set: Uint8Array | undefined): void {
    for (const name of plan.required) if (value[name] === undefined) this.#error(`.${name}: required`);
    if (!set) return;
    for (let i = 0; i < plan.oneofs.length; i++) {
      const oneof = plan.oneofs[i]!;
      const n = set[i]!;
      if (n > 1) this.#error(`: ${oneof.members.filter((m) => value[m] !== undefined).join(' and ')} are both members of oneof ${oneof.name}`);
      if (n === 0 && oneof.required) this.#error(`: one of ${oneof.members.join(', ')} is required`);
    }
  }

  #any(value: Record<string, unknown>): void {
    const url = value['@type'];
    if (typeof url !== 'string' || !url.startsWith(TYPE_URL_PREFIX)) {
      this.#error(`: an Any needs "@type": "${TYPE_URL_PREFIX}<message>"`);
      return;
    }
    const inner = lookupType(this.root, url.slice(TYPE_URL_PREFIX.length));
    if (!inner) {
      this.#error(`: unknown message type ${url}`);
      return;
    }
    const { '@type': _, ...fields } = value;
    this.message(inner, fields);
  }

  #field(plan: FieldPlan, value: unknown): void {
    const field = plan.field;
    if (field.map) {
      if (!isPlainObject(value)) this.#error(`: expected a map, got ${describe(value)}`);
      else for (const k of Object.keys(value)) this.#in(`[${k}]`, () => this.#single(plan, value[k]));
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) {
        this.#error(`: expected a list, got ${describe(value)}`);
        return;
      }
      if (plan.minItems !== undefined && value.length < plan.minItems) this.#error(`: needs at least ${plan.minItems} items`);
      if (plan.maxItems !== undefined && value.length > plan.maxItems) this.#error(`: at most ${plan.maxItems} items`);
      for (let i = 0; i < value.length; i++) {
        this.#path.push(i);
        this.#single(plan, value[i]);
        this.#path.pop();
      }
      return;
    }
    this.#single(plan, value);
  }

  #single(plan: FieldPlan, value: unknown): void {
    if (plan.message) return this.message(plan.message, value);
    if (plan.enumType) {
      const values = plan.enumType.values;
      const ok = typeof value === 'string' ? value in values : Object.values(values).includes(value as number);
      if (!ok) this.#error(`: ${describe(value)} is not a value of ${plan.enumType.name}`);
      return;
    }
    const t = plan.field.type;
    if (plan.strings) {
      if (typeof value !== 'string') return void this.#error(`: expected a string, got ${describe(value)}`);
      this.#string(value, plan.strings);
    } else if (t === 'bool') {
      if (typeof value !== 'boolean') this.#error(`: expected a boolean, got ${describe(value)}`);
    } else if (t === 'bytes') {
      if (!(value instanceof Uint8Array) && typeof value !== 'string') this.#error(': expected bytes');
    } else if (plan.bounds) {
      const n = typeof value === 'string' && LONG_TYPES.has(t) ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n)) return void this.#error(`: expected a number, got ${describe(value)}`);
      if (!FLOAT_TYPES.has(t) && !Number.isInteger(n)) this.#error(`: expected an integer, got ${n}`);
      if (t.startsWith('uint') && n < 0) this.#error(': must not be negative');
      else if (t === 'uint32' && n > 0xffff_ffff) this.#error(': more than a uint32 holds');
      else if (INT_TYPES.has(t) && t !== 'uint32' && t !== 'fixed32' && Math.abs(n) > 0x7fff_ffff) this.#error(': more than an int32 holds');
      const { lt, lte, gt, gte } = plan.bounds;
      if (lt !== undefined && !(n < lt)) this.#error(`: must be < ${lt}`);
      if (lte !== undefined && !(n <= lte)) this.#error(`: must be <= ${lte}`);
      if (gt !== undefined && !(n > gt)) this.#error(`: must be > ${gt}`);
      if (gte !== undefined && !(n >= gte)) this.#error(`: must be >= ${gte}`);
    }
  }

  /** min_len, max_bytes, pattern and the HTTP header grammars (`well_known_regex`, as Envoy checks them). */
  #string(value: string, rules: StringRules): void {
    if (rules.minLen !== undefined && value.length < rules.minLen) this.#error(': must not be empty');
    if (rules.maxBytes !== undefined && Buffer.byteLength(value) > rules.maxBytes) this.#error(`: longer than ${rules.maxBytes} bytes`);
    if (rules.pattern && !rules.pattern.re.test(value)) this.#error(`: ${JSON.stringify(value)} does not match ${rules.pattern.source}`);
    if (rules.grammar && !rules.grammar.re.test(value)) this.#error(`: ${JSON.stringify(value)} is not a valid ${rules.grammar.what}`);
  }

  /** Envoy refuses negative durations and ones past 10,000 years (DurationUtil). */
  #duration(value: Record<string, unknown>): void {
    const seconds = Number(value.seconds ?? 0);
    const nanos = Number(value.nanos ?? 0);
    if (seconds < 0 || nanos < 0 || nanos > 999_999_999 || seconds > 315_576_000_000) this.#error(': duration out of range');
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
