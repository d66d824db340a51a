// Compiles a transformation template (the inja subset Gloo users write) into a small AST, once per
// configuration: `{{ expr }}`, `{% if %}`/`{% else if %}`/`{% else %}`/`{% endif %}`, `{% raw %}`,
// `{# comments #}` and `-` trim markers. Expressions: variables (`a.b.0`), string/number/boolean/null
// literals, the functions of template-ast.ts, `not`/`and`/`or`, comparisons and parentheses. No
// loops, no eval: rendering is linear in the template and its values. A bad template throws a
// TemplateSyntaxError naming the line and column.
import { type CompareOp, type CompiledTemplate, type Expr, FUNCTIONS, type FunctionName, type Json, type Node, type Position } from './template-ast.ts';

export class TemplateSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly at: Position,
  ) {
    super(`template syntax error at ${at.line}:${at.column}: ${detail}`);
    this.name = 'TemplateSyntaxError';
  }
}

/** Deeper nesting of `not` and parentheses than this is refused (no stack overflow on hostile text). */
const MAX_DEPTH = 64;

type Token =
  | { readonly type: 'ident'; readonly value: string; readonly at: number }
  | { readonly type: 'literal'; readonly value: Json; readonly at: number }
  | { readonly type: 'punct'; readonly value: string; readonly at: number }
  | { readonly type: 'end'; readonly value: ''; readonly at: number };

/** Line and column of an offset, by binary search over line starts (no quadratic rescans). */
function positionFinder(source: string): (offset: number) => Position {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

const isIdentStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentChar = (c: string): boolean => /[A-Za-z0-9_.]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

interface Lexed {
  readonly tokens: Token[];
  /** offset just after the closing delimiter */
  readonly end: number;
  /** the tag closed with `-}}`/`-%}`: whitespace after it is dropped */
  readonly trimAfter: boolean;
}

class Compiler {
  private readonly pos: (offset: number) => Position;
  constructor(private readonly src: string) {
    this.pos = positionFinder(src);
  }

  fail(detail: string, offset: number): never {
    throw new TemplateSyntaxError(detail, this.pos(offset));
  }

  /** Tokens of one tag's inside, from `from` up to its closer (`}}` or `%}`). */
  lex(tagStart: number, from: number, closer: '}}' | '%}'): Lexed {
    const src = this.src;
    const tokens: Token[] = [];
    let i = from;
    while (i < src.length) {
      const c = src[i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        i++;
      } else if (src.startsWith(closer, i) || (c === '-' && src.startsWith(closer, i + 1))) {
        const trimAfter = c === '-';
        tokens.push({ type: 'end', value: '', at: i });
        return { tokens, end: i + (trimAfter ? 3 : 2), trimAfter };
      } else if (c === '"') {
        i = this.lexString(i, tokens);
      } else if (isDigit(c) || (c === '-' && isDigit(src[i + 1] ?? ''))) {
        const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i, i + 64))!;
        tokens.push({ type: 'literal', value: Number(m[0]), at: i });
        i += m[0].length;
      } else if (isIdentStart(c)) {
        let j = i + 1;
        // `-` joins a name (`pet-id`, as Gloo's parameter names allow) only between name characters.
        while (j < src.length && (isIdentChar(src[j]!) || (src[j] === '-' && /[A-Za-z0-9_]/.test(src[j + 1] ?? '')))) j++;
        tokens.push({ type: 'ident', value: src.slice(i, j), at: i });
        i = j;
      } else {
        const two = src.slice(i, i + 2);
        if (two === '==' || two === '!=' || two === '<=' || two === '>=') {
          tokens.push({ type: 'punct', value: two, at: i });
          i += 2;
        } else if ('(),<>'.includes(c)) {
          tokens.push({ type: 'punct', value: c, at: i });
          i++;
        } else {
          this.fail(`unexpected character ${JSON.stringify(c)}`, i);
        }
      }
    }
    return this.fail(`unterminated ${JSON.stringify(closer === '}}' ? '{{' : '{%')}`, tagStart);
  }

  private lexString(start: number, tokens: Token[]): number {
    const src = this.src;
    let j = start + 1;
    while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
    if (j >= src.length) this.fail('unterminated string', start);
    let value: string;
    try {
      value = JSON.parse(src.slice(start, j + 1)) as string;
    } catch {
      return this.fail('bad escape in string', start);
    }
    tokens.push({ type: 'literal', value, at: start });
    return j + 1;
  }

  compile(): Node[] {
    const src = this.src;
    type Frame = { at: number; branches: { cond: Expr; body: Node[] }[]; otherwise: Node[] | undefined };
    const root: Node[] = [];
    const stack: Frame[] = [];
    const current = (): Node[] => {
      const top = stack[stack.length - 1];
      if (!top) return root;
      return top.otherwise ?? top.branches[top.branches.length - 1]!.body;
    };
    let i = 0;
    let trimNext = false;
    const pushText = (text: string, trimEnd: boolean): void => {
      let t = trimNext ? text.trimStart() : text;
      if (trimEnd) t = t.trimEnd();
      if (t) current().push({ kind: 'text', text: t });
      trimNext = false;
    };
    while (i <= src.length) {
      const open = this.nextTag(i);
      if (open === -1) {
        pushText(src.slice(i), false);
        break;
      }
      const kind = src[open + 1]!;
      const trimBefore = src[open + 2] === '-';
      pushText(src.slice(i, open), trimBefore);
      const inner = open + (trimBefore ? 3 : 2);
      if (kind === '#') {
        const close = src.indexOf('#}', inner);
        if (close === -1) this.fail('unterminated "{#"', open);
        trimNext = src[close - 1] === '-';
        i = close + 2;
        continue;
      }
      const lexed = this.lex(open, inner, kind === '{' ? '}}' : '%}');
      i = lexed.end;
      if (kind === '{') {
        const p = new Parser(lexed.tokens, this);
        const expr = p.expression();
        p.expectEnd();
        current().push({ kind: 'output', expr });
        trimNext = lexed.trimAfter;
        continue;
      }
      const [head] = lexed.tokens;
      const word = head?.type === 'ident' ? head.value : '';
      const p = new Parser(lexed.tokens.slice(1), this);
      if (word === 'if') {
        const cond = p.expression();
        p.expectEnd();
        stack.push({ at: open, branches: [{ cond, body: [] }], otherwise: undefined });
      } else if (word === 'else') {
        const top = stack[stack.length - 1];
        if (!top) this.fail('"{% else %}" without "{% if %}"', open);
        if (top.otherwise) this.fail('"{% else %}" after "{% else %}"', open);
        if (lexed.tokens[1]?.type === 'ident' && lexed.tokens[1].value === 'if') {
          const q = new Parser(lexed.tokens.slice(2), this);
          const cond = q.expression();
          q.expectEnd();
          top.branches.push({ cond, body: [] });
        } else {
          p.expectEnd();
          top.otherwise = [];
        }
      } else if (word === 'endif') {
        p.expectEnd();
        const top = stack.pop();
        if (!top) this.fail('"{% endif %}" without "{% if %}"', open);
        current().push({ kind: 'if', branches: top.branches, otherwise: top.otherwise ?? [] });
      } else if (word === 'raw') {
        p.expectEnd();
        const { text, end } = this.rawBlock(open, lexed.end);
        current().push({ kind: 'text', text });
        i = end;
      } else {
        this.fail(word ? `unsupported statement ${JSON.stringify(word)}` : 'expected a statement', head?.at ?? open);
      }
      trimNext = lexed.trimAfter;
    }
    const open = stack.pop();
    if (open) this.fail('"{% if %}" has no "{% endif %}"', open.at);
    return root;
  }

  /** Offset of the next `{{`, `{%` or `{#`, or -1. */
  private nextTag(from: number): number {
    for (let j = this.src.indexOf('{', from); j !== -1; j = this.src.indexOf('{', j + 1)) {
      const c = this.src[j + 1];
      if (c === '{' || c === '%' || c === '#') return j;
    }
    return -1;
  }

  private rawBlock(open: number, from: number): { text: string; end: number } {
    for (let j = this.src.indexOf('{%', from); j !== -1; j = this.src.indexOf('{%', j + 2)) {
      const m = /^\{%-?\s*endraw\s*-?%\}/.exec(this.src.slice(j, j + 64));
      if (m) return { text: this.src.slice(from, j), end: j + m[0].length };
    }
    return this.fail('"{% raw %}" has no "{% endraw %}"', open);
  }

  at(offset: number): Position {
    return this.pos(offset);
  }
}

const COMPARE_OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);

/** Recursive descent over one tag's tokens: or > and > not > comparison > primary. */
class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly c: Compiler,
  ) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t.type === 'ident' && t.value === word;
  }

  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.type === 'punct' && t.value === p;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.type !== 'end') this.c.fail(`unexpected ${JSON.stringify(String(t.value))}`, t.at);
  }

  private enter(at: number): void {
    if (++this.depth > MAX_DEPTH) this.c.fail(`expression nested deeper than ${MAX_DEPTH}`, at);
  }

  expression(): Expr {
    let left = this.conjunction();
    while (this.isWord('or')) {
      this.i++;
      left = { kind: 'logic', op: 'or', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Expr {
    let left = this.negation();
    while (this.isWord('and')) {
      this.i++;
      left = { kind: 'logic', op: 'and', left, right: this.negation() };
    }
    return left;
  }

  private negation(): Expr {
    if (!this.isWord('not')) return this.comparison();
    this.enter(this.peek().at);
    this.i++;
    const operand = this.negation();
    this.depth--;
    return { kind: 'not', operand };
  }

  private comparison(): Expr {
    const left = this.primary();
    const t = this.peek();
    if (t.type === 'punct' && COMPARE_OPS.has(t.value)) {
      this.i++;
      return { kind: 'compare', op: t.value as CompareOp, left, right: this.primary() };
    }
    return left;
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.type === 'literal') {
      this.i++;
      return { kind: 'literal', value: t.value };
    }
    if (t.type === 'punct' && t.value === '(') {
      this.enter(t.at);
      this.i++;
      const inner = this.expression();
      if (!this.isPunct(')')) this.c.fail('expected ")"', this.peek().at);
      this.i++;
      this.depth--;
      return inner;
    }
    if (t.type !== 'ident') return this.c.fail(t.type === 'end' ? 'expected an expression' : `unexpected ${JSON.stringify(t.value)}`, t.at);
    this.i++;
    if (t.value === 'true' || t.value === 'false') return { kind: 'literal', value: t.value === 'true' };
    if (t.value === 'null') return { kind: 'literal', value: null };
    if (this.isPunct('(')) return this.call(t.value, t.at);
    return this.variable(t.value, t.at);
  }

  private variable(name: string, at: number): Expr {
    const path = name.split('.');
    if (path.some((s) => s === '')) this.c.fail(`bad variable name ${JSON.stringify(name)}`, at);
    return { kind: 'var', path, name, at: this.c.at(at) };
  }

  private call(name: string, at: number): Expr {
    if (!Object.hasOwn(FUNCTIONS, name)) this.c.fail(`unknown function ${JSON.stringify(name)}`, at);
    const fn = name as FunctionName;
    this.enter(at);
    this.i++; // (
    const args: Expr[] = [];
    if (!this.isPunct(')')) {
      args.push(this.expression());
      while (this.isPunct(',')) {
        this.i++;
        args.push(this.expression());
      }
    }
    if (!this.isPunct(')')) this.c.fail('expected ")" or ","', this.peek().at);
    this.i++;
    this.depth--;
    const arity = FUNCTIONS[fn];
    if (args.length !== arity) this.c.fail(`${fn}() takes ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}`, at);
    if (fn === 'exists') return { kind: 'call', fn, args: [this.existsTarget(args[0]!, at)], at: this.c.at(at) };
    return { kind: 'call', fn, args, at: this.c.at(at) };
  }

  /** inja writes `exists("a.b")`; `exists(a.b)` is accepted too. Either way a variable path. */
  private existsTarget(arg: Expr, at: number): Expr {
    if (arg.kind === 'var') return arg;
    if (arg.kind === 'literal' && typeof arg.value === 'string') return this.variable(arg.value, at);
    return this.c.fail('exists() takes a variable name', at);
  }
}

/** Compiles a template; throws TemplateSyntaxError with the position of the first problem. */
export function compileTemplate(source: string): CompiledTemplate {
  return { nodes: new Compiler(source).compile(), source };
}
