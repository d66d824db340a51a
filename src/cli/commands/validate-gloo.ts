// What `serve` would put in Gloo Edge statuses: every message of an object that is not Accepted
// (a field Sluice does not serve, a route it leaves out, a reference that does not resolve), tied
// to the object's document and the field the message starts with. Found by running the real store
// and translator over what `validate` read. Pure: a state in, problems out.
import { keyOf, storeKind, type Sourced } from '../../api/types.ts';
import type { SourceState } from '../../sources/types.ts';
import { Store } from '../../store/store.ts';
import { defaultTranslateOptions, type TranslateOptions } from '../../translate/options.ts';
import { translate } from '../../translate/translate.ts';
import type { GatewayApiProblem } from './validate-gateway.ts';

const GLOO_GROUPS = /^(gateway|gloo)\.solo\.io\//;

export function glooProblems(state: SourceState, options: TranslateOptions = defaultTranslateOptions): GatewayApiProblem[] {
  if (!state.resources.some((s) => GLOO_GROUPS.test((s.resource as { apiVersion: string }).apiVersion))) return [];
  const byKey = new Map<string, Sourced>(state.resources.map((s) => [`${storeKind(s.resource)} ${keyOf(s.resource.metadata)}`, s]));
  const out: GatewayApiProblem[] = [];
  for (const st of translate(new Store().update(state), options).objectStatuses ?? []) {
    if (!GLOO_GROUPS.test(st.apiVersion)) continue;
    const object = byKey.get(`${storeKind(st)} ${keyOf({ namespace: st.namespace || undefined, name: st.name })}`);
    if (object === undefined) continue;
    for (const entry of Object.values(st.status.statuses as Record<string, { state: string; messages?: string[] }>)) {
      for (const message of entry.messages ?? []) {
        const m = /^(spec(?:\.[A-Za-z0-9_-]+|\[\d+\]|\["[^"]*"\])*): (.*)$/s.exec(message);
        out.push({ object, ...(m?.[1] !== undefined && { path: m[1] }), text: `${entry.state}: ${m?.[2] ?? message}` });
      }
    }
  }
  return out;
}
