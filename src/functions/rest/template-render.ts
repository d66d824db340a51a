// Renders a compiled template against one request. Values are inserted as they are, as Gloo does:
// strings without quotes or escaping (use raw_string() inside JSON strings), everything else as
// JSON. A variable that is missing (outside default() and exists()) is an error, as in inja.
import type { CompiledTemplate, Expr, Json, Node, Position } from './template-ast.ts';

/** What a template can read of the request. */
export interface RenderInput {
  /** template variables: the route's extracted parameters (and a JSON body's top-level fields) */
  readonly variables: { readonly [key: string]: Json };
  /** a request header's (first) value; names are looked up lower-cased */
  header(name: string): string | undefined;
  /** an extracted parameter's value */
  extraction(name: string): string | undefined;
  /** the request body as text */
  body(): string;
  /** the parsed JSON body (null when it is not JSON) */
  context(): Json;
}

export class TemplateRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

/** Default bound on what one template may render. */
export const DEFAULT_MAX_RENDER_BYTES = 4 * 1024 * 1024;

const where = (at: Position): string => `${at.line}:${at.column}`;

class Renderer {
  private readonly out: string[] = [];
  private bytes = 0;
  constructor(
    private readonly input: RenderInput,
    private readonly maxBytes: number,
  ) {}

  run(nodes: readonly Node[]): string {
    this.nodes(nodes);
    return this.out.join('');
  }

  private emit(text: string): void {
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > this.maxBytes) throw new TemplateRenderError(`template output exceeds ${this.maxBytes} bytes`);
    this.out.push(text);
  }

  private nodes(nodes: readonly Node[]): void {
    for (const node of nodes) {
      if (node.kind === 'text') this.emit(node.text);
      else if (node.kind === 'output') this.emit(toText(this.eval(node.expr)));
      else {
        const branch = node.branches.find((b) => truthy(this.eval(b.cond)));
        this.nodes(branch ? branch.body : node.otherwise);
      }
    }
  }

  /** The value a variable path names, or undefined when any step is missing. */
  private lookup(path: readonly string[]): Json | undefined {
    // A parameter may be named with dots (`{pet.id}` in a pattern): the flat name comes first.
    if (path.length > 1) {
      const flat = path.join('.');
      if (Object.hasOwn(this.input.variables, flat)) return this.input.variables[flat];
    }
    let value: Json | undefined = this.input.variables;
    for (const step of path) {
      if (Array.isArray(value)) value = /^\d+$/.test(step) ? (value as Json[])[Number(step)] : undefined;
      else if (value !== null && typeof value === 'object') value = Object.hasOwn(value, step) ? (value as Record<string, Json>)[step] : undefined;
      else value = undefined;
      if (value === undefined) return undefined;
    }
    return value;
  }

  private eval(expr: Expr): Json {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'var': {
        const value = this.lookup(expr.path);
        if (value === undefined) throw new TemplateRenderError(`variable ${JSON.stringify(expr.name)} not found at ${where(expr.at)}`);
        return value;
      }
      case 'not':
        return !truthy(this.eval(expr.operand));
      case 'logic': {
        const left = truthy(this.eval(expr.left));
        if (expr.op === 'and') return left && truthy(this.eval(expr.right));
        return left || truthy(this.eval(expr.right));
      }
      case 'compare':
        return compare(expr.op, this.eval(expr.left), this.eval(expr.right));
      case 'call':
        return this.call(expr);
    }
  }

  private call(expr: Extract<Expr, { kind: 'call' }>): Json {
    const [a, b] = expr.args;
    switch (expr.fn) {
      case 'default': {
        if (a!.kind === 'var') {
          const value = this.lookup(a!.path);
          return value === undefined ? this.eval(b!) : value;
        }
        return this.eval(a!);
      }
      case 'exists':
        return a!.kind === 'var' && this.lookup(a!.path) !== undefined;
      case 'header':
        return this.input.header(toText(this.eval(a!)).toLowerCase()) ?? '';
      case 'extraction':
        return this.input.extraction(toText(this.eval(a!))) ?? '';
      case 'body':
        return this.input.body();
      case 'context':
        return this.input.context();
      case 'raw_string':
        return JSON.stringify(toText(this.eval(a!))).slice(1, -1);
      case 'base64_encode':
        return Buffer.from(toText(this.eval(a!))).toString('base64');
      case 'base64_decode':
        return Buffer.from(toText(this.eval(a!)), 'base64').toString('utf8');
    }
  }
}

/** How a value is written into the output: strings as they are, the rest as JSON. */
export function toText(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** inja's truthiness: false, null, 0, "" and empty arrays/objects are false. */
function truthy(value: Json): boolean {
  if (value === null || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return Object.keys(value).length > 0;
}

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, Json>;
  const rb = b as Record<string, Json>;
  return ka.every((k) => Object.hasOwn(rb, k) && equal(ra[k]!, rb[k]!));
}

function compare(op: string, a: Json, b: Json): boolean {
  if (op === '==') return equal(a, b);
  if (op === '!=') return !equal(a, b);
  const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!comparable) return false;
  if (op === '<') return a < b;
  if (op === '>') return a > b;
  if (op === '<=') return a <= b;
  return a >= b;
}

/** Renders a template; throws TemplateRenderError (missing variable, output too large). */
export function renderTemplate(template: CompiledTemplate, input: RenderInput, maxBytes = DEFAULT_MAX_RENDER_BYTES): string {
  return new Renderer(input, maxBytes).run(template.nodes);
}
