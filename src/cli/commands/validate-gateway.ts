// What `serve` would put in Gateway API statuses that needs fixing: a Gateway or listener not
// accepted, a listener reference that does not resolve, a route parent not accepted or a backend
// that does not resolve. Found by running the real store and translator over what `validate` read,
// each tied to the object's document and the field it is about (`spec.listeners[1]`,
// `spec.parentRefs[0]`). Pure: a state in, problems out.
import { keyOf, storeKind, type Sourced } from '../../api/types.ts';
import type { ObjectStatus } from '../../snapshot/types.ts';
import type { SourceState } from '../../sources/types.ts';
import { Store } from '../../store/store.ts';
import { defaultTranslateOptions, type TranslateOptions } from '../../translate/options.ts';
import { translate } from '../../translate/translate.ts';

export interface GatewayApiProblem {
  readonly object: Sourced;
  /** the field the problem is about, when there is one */
  readonly path?: string;
  /** `Accepted NoMatchingParent: message` */
  readonly text: string;
}

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

const TELLING = new Set(['Accepted', 'ResolvedRefs']);

export function gatewayApiProblems(state: SourceState, options: TranslateOptions = defaultTranslateOptions): GatewayApiProblem[] {
  const byKey = new Map(state.resources.map((s) => [`${storeKind(s.resource)} ${keyOf(s.resource.metadata)}`, s]));
  const out: GatewayApiProblem[] = [];
  for (const st of translate(new Store().update(state), options).objectStatuses ?? []) {
    const object = byKey.get(`${storeKind(st)} ${keyOf({ namespace: st.namespace || undefined, name: st.name })}`);
    if (object !== undefined) out.push(...problemsOf(st, object));
  }
  return out;
}

function problemsOf(st: ObjectStatus, object: Sourced): GatewayApiProblem[] {
  const out: GatewayApiProblem[] = [];
  // A backend problem is in the status of every parent: it is one problem.
  const seen = new Set<string>();
  const failing = (conditions: unknown, path?: string): void => {
    for (const c of (conditions ?? []) as Condition[]) {
      if (!TELLING.has(c.type) || c.status !== 'False') continue;
      // A message that starts with the field it is about (`spec.rules[0].backendRefs[1]: ...`) is
      // located at that field rather than at the parent.
      const m = /^(spec(?:\.[A-Za-z]+|\[\d+\])+): (.*)$/s.exec(c.message);
      const at = m?.[1] ?? path;
      const text = `${c.type} ${c.reason}: ${m?.[2] ?? c.message}`;
      if (seen.has(`${at ?? ''} ${text}`)) continue;
      seen.add(`${at ?? ''} ${text}`);
      out.push({ object, ...(at !== undefined && { path: at }), text });
    }
  };
  if (st.kind === 'Gateway') {
    failing(st.status.conditions);
    const listeners = (st.status.listeners ?? []) as Array<{ conditions: unknown }>;
    listeners.forEach((l, i) => failing(l.conditions, `spec.listeners[${i}]`));
  } else if (st.kind === 'HTTPRoute' || st.kind === 'GRPCRoute') {
    const spec = (object.resource as { spec: { parentRefs?: Array<{ name: string; namespace?: string; sectionName?: string; port?: number }> } }).spec;
    for (const p of (st.status.parents ?? []) as Array<{ parentRef: Record<string, unknown>; conditions: unknown }>) {
      const i = (spec.parentRefs ?? []).findIndex((r) => r.name === p.parentRef.name && r.namespace === p.parentRef.namespace && r.sectionName === p.parentRef.sectionName && r.port === p.parentRef.port);
      failing(p.conditions, i >= 0 ? `spec.parentRefs[${i}]` : undefined);
    }
  }
  return out;
}
