// Compiles a GrpcJsonCall's services into a matcher from (HTTP method, path) to a gRPC method and
// the binding that matched, the way Envoy's grpc_json_transcoder builds its path matcher: every
// rule and additional binding, plus `POST /pkg.Service/Method` for methods without a rule when
// auto-mapping is on. Pure; a bad descriptor or rule is a DescriptorError naming it.
import type protobuf from 'protobufjs';
import type { GrpcJsonCall } from '../types.ts';
import { DescriptorError, type MethodInfo, loadDescriptorSet } from './descriptor-set.ts';
import type { HttpBinding } from './http-rule.ts';
import { type PathTemplate, compareRank, matchTemplate, parseTemplate } from './path-template.ts';
import { resolveFieldPath } from './field-path.ts';

export interface CompiledBinding {
  readonly method: MethodInfo;
  readonly binding: HttpBinding;
  readonly template: PathTemplate;
}

export interface RuleMatch {
  readonly method: MethodInfo;
  readonly binding: HttpBinding;
  /** dotted request field path -> decoded value */
  readonly variables: ReadonlyMap<string, string>;
}

export interface CompiledTranscoder {
  readonly root: protobuf.Root;
  readonly bindings: readonly CompiledBinding[];
  /** the best binding for a request, or undefined (no rule matches) */
  match(httpMethod: string, path: string): RuleMatch | undefined;
}

function checkBinding(method: MethodInfo, b: HttpBinding, where: string): PathTemplate {
  let template: PathTemplate;
  try {
    template = parseTemplate(b.path);
  } catch (err) {
    throw new DescriptorError(where, (err as Error).message);
  }
  try {
    for (const v of template.variables) {
      const fields = resolveFieldPath(method.input, v.fieldPath, { scalarOnly: true });
      if (fields.at(-1)?.repeated) throw new Error(`path variable "${v.fieldPath.join('.')}" names a repeated field`);
    }
    if (b.body && b.body !== '*') resolveFieldPath(method.input, b.body.split('.'), { scalarOnly: false });
    if (b.responseBody) resolveFieldPath(method.output, b.responseBody.split('.'), { scalarOnly: false });
  } catch (err) {
    throw new DescriptorError(where, `${b.method} ${b.path}: ${(err as Error).message}`);
  }
  return template;
}

/** Compiles the call's rules; throws DescriptorError (field `descriptorSet` or `services[i]`) when unusable. */
export function compileTranscoder(call: GrpcJsonCall): CompiledTranscoder {
  const { root, methods } = loadDescriptorSet(call.descriptorSet, call.services);
  const bindings: CompiledBinding[] = [];
  const seen = new Map<string, MethodInfo>();
  // one request cannot call two methods: a second binding of the same pattern is a configuration error, as in Envoy's path matcher
  const claim = (b: CompiledBinding, where: string) => {
    const shape = `${b.binding.method} ${b.template.segments.map((s) => (s.kind === 'literal' ? s.text : s.kind === 'any' ? '*' : '**')).join('/')}:${b.template.verb}`;
    const other = seen.get(shape);
    if (other) throw new DescriptorError(where, `${b.binding.method} ${b.binding.path} is also bound to ${other.service}.${other.name}`);
    seen.set(shape, b.method);
    bindings.push(b);
  };
  for (const method of methods) {
    const where = `services[${call.services.findIndex((s) => s.replace(/^\./, '') === method.service)}] ${method.service}.${method.name}`;
    for (const b of method.bindings) claim({ method, binding: b, template: checkBinding(method, b, where) }, where);
    if (call.autoMapping && method.bindings.length === 0) {
      const b: HttpBinding = { method: 'POST', path: method.grpcPath, body: '*', responseBody: '' };
      claim({ method, binding: b, template: literalTemplate(method.grpcPath) }, where);
    }
  }
  return {
    root,
    bindings,
    match(httpMethod, path) {
      let best: { b: CompiledBinding; variables: ReadonlyMap<string, string>; rank: readonly number[] } | undefined;
      for (const b of bindings) {
        if (b.binding.method !== httpMethod) continue;
        const m = matchTemplate(b.template, path);
        if (m && (!best || compareRank(m.rank, best.rank) < 0)) best = { b, variables: m.variables, rank: m.rank };
      }
      return best && { method: best.b.method, binding: best.b.binding, variables: best.variables };
    },
  };
}

// `/pkg.Service/Method` holds dots the template grammar allows in literals, but no variable.
function literalTemplate(path: string): PathTemplate {
  return { text: path, segments: path.slice(1).split('/').map((text) => ({ kind: 'literal', text })), variables: [], verb: '' };
}

/** compileTranscoder as a value: what a translator calls to report a bad GrpcJsonCall instead of throwing. */
export function checkGrpcJsonCall(call: GrpcJsonCall): { ok: true; transcoder: CompiledTranscoder } | { ok: false; field: string; message: string } {
  try {
    return { ok: true, transcoder: compileTranscoder(call) };
  } catch (err) {
    if (err instanceof DescriptorError) return { ok: false, field: err.field, message: err.message };
    return { ok: false, field: 'descriptorSet', message: `descriptorSet: ${(err as Error).message}` };
  }
}
