// A rule's (or one backendRef's) filter list -> IR filters, in order. A filter that cannot be
// applied as written is never skipped: the spec wants the requests it would have processed to
// get an error, so the list is then marked invalid and the caller answers 500 for it.
import { kept } from '../snapshot/kept-lists.ts';
import type { RouteFilter } from '../snapshot/types.ts';
import { resolveBackendRef } from './backend-refs.ts';
import { cors, headerEdits, redirect, urlRewrite } from './filter-specs.ts';
import type { Checked } from './header-matches.ts';
import type { RuleFindings } from './rule-findings.ts';
import type { RuleContext } from './route-rules.ts';
import type { HTTPRequestMirrorFilter, HTTPRouteFilter } from './route-types.ts';
import { isIntIn, isObject, isString, listOf } from './spec-values.ts';

export interface FilterScope {
  readonly ctx: RuleContext;
  readonly findings: RuleFindings;
  /** the filter types this list may hold (HTTPRoute rules, GRPCRoute rules, backendRefs differ) */
  readonly allowed: ReadonlySet<string>;
  /** every match of the rule is a path prefix (ReplacePrefixMatch needs one) */
  readonly prefixOnly: boolean;
  /** GRPCRoute: mirror targets are spoken to with h2c */
  readonly grpc: boolean;
}

export interface TranslatedFilters {
  readonly filters: readonly RouteFilter[];
  /** false: a filter could not be applied; the requests these filters cover must get 500 */
  readonly valid: boolean;
}

// The spec allows every filter type at most once per list, except these.
const REPEATABLE = new Set(['RequestMirror', 'ExtensionRef']);

export function translateFilters(list: readonly HTTPRouteFilter[] | undefined, where: string, scope: FilterScope): TranslatedFilters {
  const out: RouteFilter[] = [];
  const seen = new Set<string>();
  let valid = true;
  const invalid = (message: string): void => {
    scope.findings.notSupported(message);
    valid = false;
  };
  const entries = listOf(list);
  for (let i = 0; i < entries.length; i++) {
    const at = `${where}[${i}]`;
    const f = entries[i] as HTTPRouteFilter;
    if (!isObject(f) || !isString(f.type)) {
      invalid(`${at}.type: required`);
      continue;
    }
    if (seen.has(f.type) && !REPEATABLE.has(f.type)) invalid(`${at}.type: ${f.type} may appear only once`);
    seen.add(f.type);
    if (!scope.allowed.has(f.type)) {
      invalid(`${at}.type: ${JSON.stringify(f.type)} is not supported here`);
      continue;
    }
    if (f.type === 'RequestMirror') {
      const mirrored = mirror(f.requestMirror, `${at}.requestMirror`, scope);
      if (mirrored) out.push(mirrored);
      continue;
    }
    const filter = oneFilter(f, at, scope.prefixOnly);
    if (filter.ok) out.push(filter.value);
    else invalid(filter.message);
  }
  if (seen.has('RequestRedirect') && seen.has('URLRewrite')) invalid(`${where}: RequestRedirect and URLRewrite cannot be used together`);
  return { filters: kept(out), valid };
}

function oneFilter(f: HTTPRouteFilter, at: string, prefixOnly: boolean): Checked<RouteFilter> {
  switch (f.type) {
    case 'RequestHeaderModifier': {
      const edits = headerEdits(f.requestHeaderModifier, `${at}.requestHeaderModifier`);
      return edits.ok ? { ok: true, value: { type: 'request-headers', edits: edits.value } } : edits;
    }
    case 'ResponseHeaderModifier': {
      const edits = headerEdits(f.responseHeaderModifier, `${at}.responseHeaderModifier`);
      return edits.ok ? { ok: true, value: { type: 'response-headers', edits: edits.value } } : edits;
    }
    case 'RequestRedirect':
      return redirect(f.requestRedirect, `${at}.requestRedirect`, prefixOnly);
    case 'URLRewrite':
      return urlRewrite(f.urlRewrite, `${at}.urlRewrite`, prefixOnly);
    case 'CORS': {
      const policy = cors(f.cors, `${at}.cors`);
      return policy.ok ? { ok: true, value: { type: 'cors', policy: policy.value } } : policy;
    }
    case 'ExtensionRef': {
      const ref = f.extensionRef;
      const what = isObject(ref) ? `${ref?.group}/${ref?.kind} ${JSON.stringify(ref?.name)}` : 'an extension filter';
      return { ok: false, message: `${at}.extensionRef: ${what} cannot be resolved (Sluice has no extension filters)` };
    }
    default:
      return { ok: false, message: `${at}.type: ${JSON.stringify(f.type)} is not supported` };
  }
}

/** A mirror whose target does not resolve is left out (its status says why); the route still serves. */
function mirror(body: HTTPRequestMirrorFilter | undefined, at: string, scope: FilterScope): RouteFilter | undefined {
  if (!isObject(body)) {
    scope.findings.notSupported(`${at}: required for this filter type`);
    return undefined;
  }
  const percent = mirrorPercent(body as HTTPRequestMirrorFilter, at);
  if (!percent.ok) {
    scope.findings.notSupported(percent.message);
    return undefined;
  }
  const ref = resolveBackendRef((body as HTTPRequestMirrorFilter).backendRef, scope.ctx, `${at}.backendRef`, scope.grpc);
  if (!ref.ok) {
    scope.findings.notResolved(ref.reason, ref.message);
    return undefined;
  }
  return { type: 'mirror', cluster: scope.findings.cluster(ref.cluster), percent: percent.value };
}

function mirrorPercent(body: HTTPRequestMirrorFilter, at: string): Checked<number> {
  if (body.percent !== undefined && body.fraction !== undefined) return { ok: false, message: `${at}: percent and fraction are exclusive` };
  if (body.percent !== undefined) {
    return isIntIn(body.percent, 0, 100) ? { ok: true, value: body.percent } : { ok: false, message: `${at}.percent: must be 0..100` };
  }
  if (body.fraction === undefined) return { ok: true, value: 100 };
  const { numerator, denominator = 100 } = isObject(body.fraction) ? body.fraction : { numerator: -1 };
  if (!isIntIn(denominator, 1, 2 ** 31 - 1) || !isIntIn(numerator, 0, denominator)) {
    return { ok: false, message: `${at}.fraction: needs 0 <= numerator <= denominator, denominator > 0` };
  }
  return { ok: true, value: (numerator / denominator) * 100 };
}
