// A RestCall's templates and parameter patterns, compiled once per call object (the snapshot's
// bindings are immutable, so a WeakMap keyed by the call is a safe cache), and the configuration
// check a translator runs to report a bad template where it was written.
import type { RestCall } from '../types.ts';
import { type CompiledParameters, compileParameters, ParameterPatternError } from './parameters.ts';
import type { CompiledTemplate } from './template-ast.ts';
import { compileTemplate, TemplateSyntaxError } from './template-parse.ts';

export type CompiledBody = { readonly type: 'passthrough' } | { readonly type: 'template'; readonly template: CompiledTemplate } | { readonly type: 'merge-extractors' };

export interface CompiledRestCall {
  readonly function: string;
  /** lower-case names; `:method`, `:path` and `:authority` included */
  readonly headers: readonly (readonly [name: string, template: CompiledTemplate])[];
  readonly body: CompiledBody;
  readonly parameters: CompiledParameters;
}

/** Framing is computed from the rendered body, so templates for these are not used. */
export const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding']);
const PSEUDO_HEADERS = new Set([':method', ':path', ':authority']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

export class RestCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestCallError';
  }
}

function compileField(fn: string, field: string, text: string): CompiledTemplate {
  try {
    return compileTemplate(text);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) throw new RestCallError(`function ${JSON.stringify(fn)}: ${field}: ${err.message}`);
    throw err;
  }
}

function compile(call: RestCall): CompiledRestCall {
  const headers: (readonly [string, CompiledTemplate])[] = [];
  for (const [raw, text] of call.template.headers) {
    const name = raw.toLowerCase();
    // Unknown pseudo-headers (old Gloo discovery wrote `:content-type`) and bad names are skipped;
    // restCallProblems() reports them.
    if (name.startsWith(':') ? !PSEUDO_HEADERS.has(name) : !TOKEN.test(name)) continue;
    if (FRAMING_HEADERS.has(name)) continue;
    headers.push([name, compileField(call.function, `headers[${JSON.stringify(raw)}]`, text)]);
  }
  const b = call.template.body;
  const body: CompiledBody = b.type === 'template' ? { type: 'template', template: compileField(call.function, 'body', b.text) } : b;
  let parameters: CompiledParameters;
  try {
    parameters = compileParameters(call.parameters);
  } catch (err) {
    if (err instanceof ParameterPatternError) throw new RestCallError(`function ${JSON.stringify(call.function)}: ${err.message}`);
    throw err;
  }
  return { function: call.function, headers, body, parameters };
}

const cache = new WeakMap<RestCall, CompiledRestCall | RestCallError>();

/** The compiled call; throws RestCallError (a configuration problem) every time it is asked for. */
export function compiledRestCall(call: RestCall): CompiledRestCall {
  let compiled = cache.get(call);
  if (compiled === undefined) {
    try {
      compiled = compile(call);
    } catch (err) {
      if (!(err instanceof RestCallError)) throw err;
      compiled = err;
    }
    cache.set(call, compiled);
  }
  if (compiled instanceof RestCallError) throw compiled;
  return compiled;
}

/**
 * Every problem with a call's configuration, as messages naming the field: template syntax errors
 * and bad parameter patterns (the call cannot run), and header names that are skipped.
 */
export function restCallProblems(call: RestCall): string[] {
  const problems: string[] = [];
  const fn = JSON.stringify(call.function);
  for (const [raw] of call.template.headers) {
    const name = raw.toLowerCase();
    if (name.startsWith(':') && !PSEUDO_HEADERS.has(name)) problems.push(`function ${fn}: headers[${JSON.stringify(raw)}]: pseudo-header not supported (only :method, :path, :authority); ignored`);
    else if (!name.startsWith(':') && !TOKEN.test(name)) problems.push(`function ${fn}: headers[${JSON.stringify(raw)}]: not a valid header name; ignored`);
  }
  try {
    compile(call);
  } catch (err) {
    if (!(err instanceof RestCallError)) throw err;
    problems.push(err.message);
  }
  return problems;
}
