// google.api.HttpRule (googleapis google/api/http.proto): the message and how to read it from a
// method's options. protobufjs drops unknown extensions when it decodes a MethodOptions, so the
// `(google.api.http)` extension (field 72295728) is read straight from the descriptor's bytes.
import protobuf from 'protobufjs';

const Custom = new protobuf.Type('CustomHttpPattern').add(new protobuf.Field('kind', 1, 'string')).add(new protobuf.Field('path', 2, 'string'));
const Rule = new protobuf.Type('HttpRule')
  .add(new protobuf.Field('selector', 1, 'string'))
  .add(new protobuf.Field('get', 2, 'string'))
  .add(new protobuf.Field('put', 3, 'string'))
  .add(new protobuf.Field('post', 4, 'string'))
  .add(new protobuf.Field('delete', 5, 'string'))
  .add(new protobuf.Field('patch', 6, 'string'))
  .add(new protobuf.Field('custom', 8, 'CustomHttpPattern'))
  .add(new protobuf.Field('body', 7, 'string'))
  .add(new protobuf.Field('response_body', 12, 'string'))
  .add(new protobuf.Field('additional_bindings', 11, 'HttpRule', 'repeated'));
// the types resolve against each other inside their own namespace
new protobuf.Root().add(new protobuf.Namespace('google').add(new protobuf.Namespace('api').add(Custom).add(Rule))).resolveAll();

/** The HttpRule message types (tests encode rules with them). */
export const HttpRuleType = { Rule, Custom } as const;

/** The field number of `google.api.http` on `google.protobuf.MethodOptions`. */
export const HTTP_EXTENSION = 72295728;

/** One HTTP binding of a method: a rule or one of its additional bindings. */
export interface HttpBinding {
  /** `GET`, `POST`... or a custom rule's kind */
  readonly method: string;
  readonly path: string;
  /** `''` (no body), `*`, or a request field path */
  readonly body: string;
  /** `''` (the whole response) or a response field path */
  readonly responseBody: string;
}

interface RuleObject {
  get?: string;
  put?: string;
  post?: string;
  delete?: string;
  patch?: string;
  custom?: { kind?: string; path?: string };
  body?: string;
  response_body?: string;
  additional_bindings?: RuleObject[];
}

function binding(rule: RuleObject): HttpBinding | undefined {
  const common = { body: rule.body ?? '', responseBody: rule.response_body ?? '' };
  for (const verb of ['get', 'put', 'post', 'delete', 'patch'] as const) {
    const path = rule[verb];
    if (path) return { method: verb.toUpperCase(), path, ...common };
  }
  if (rule.custom?.kind && rule.custom.path) return { method: rule.custom.kind, path: rule.custom.path, ...common };
  return undefined;
}

/** The HTTP bindings in a serialized HttpRule: the rule, then its additional bindings (not nested further, as the spec says). */
export function decodeHttpRule(bytes: Uint8Array): HttpBinding[] {
  const rule = Rule.toObject(Rule.decode(bytes), { defaults: false, arrays: true }) as RuleObject;
  const out: HttpBinding[] = [];
  for (const r of [rule, ...(rule.additional_bindings ?? [])]) {
    const b = binding(r);
    if (b) out.push(b);
  }
  return out;
}

/** The `google.api.http` extension's bytes in a serialized MethodOptions, if present (the last one wins, as for any message field). */
export function httpRuleBytes(methodOptions: Uint8Array): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  const r = protobuf.Reader.create(methodOptions);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === HTTP_EXTENSION && (tag & 7) === 2) found = r.bytes();
    else r.skipType(tag & 7);
  }
  return found;
}
