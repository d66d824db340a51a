// The compiled form of a transformation template (the inja subset Gloo users write). Plain data:
// built once by template-parse.ts, walked per request by template-render.ts.

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** Where in the template text something starts, 1-based, for error messages. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** The functions a template may call, with their arity. */
export const FUNCTIONS = {
  default: 2,
  header: 1,
  extraction: 1,
  body: 0,
  context: 0,
  raw_string: 1,
  exists: 1,
  base64_encode: 1,
  base64_decode: 1,
} as const;
export type FunctionName = keyof typeof FUNCTIONS;

export type Expr =
  | { readonly kind: 'literal'; readonly value: Json }
  | { readonly kind: 'var'; readonly path: readonly string[]; readonly name: string; readonly at: Position }
  | { readonly kind: 'call'; readonly fn: FunctionName; readonly args: readonly Expr[]; readonly at: Position }
  | { readonly kind: 'not'; readonly operand: Expr }
  | { readonly kind: 'logic'; readonly op: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Expr; readonly right: Expr };

export type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=';

export type Node =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'output'; readonly expr: Expr }
  | { readonly kind: 'if'; readonly branches: readonly { readonly cond: Expr; readonly body: readonly Node[] }[]; readonly otherwise: readonly Node[] };

/** A compiled template: its nodes, and the source text for messages. */
export interface CompiledTemplate {
  readonly nodes: readonly Node[];
  readonly source: string;
}
