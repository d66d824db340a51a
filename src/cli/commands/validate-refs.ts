// What `serve` would put in an ingress's status besides a rejection: the translator's problems
// (a missing Service, port or Secret, an unusable Secret, a host another ingress serves), found by
// running the real store and translator over what `validate` read. Pure: a state in, problems out.
import type { KIngress, Sourced } from '../../api/types.ts';
import type { SourceState } from '../../sources/types.ts';
import { Store } from '../../store/store.ts';
import { defaultTranslateOptions, type TranslateOptions } from '../../translate/options.ts';
import type { ProblemReason } from '../../translate/problems.ts';
import { translate } from '../../translate/translate.ts';

export type ReferenceReason = Exclude<ProblemReason, 'InvalidSpec'>;

export interface ReferenceProblem {
  readonly ingress: Sourced<KIngress>;
  readonly reason: ReferenceReason;
  /** the field the problem is about (`spec.tls[0]`), when the translator names one */
  readonly path?: string;
  readonly message: string;
}

const REASONS: ReadonlySet<string> = new Set<ReferenceReason>(['ServiceNotFound', 'PortNotFound', 'SecretNotFound', 'InvalidSecret', 'HostConflict']);

// The translator reports each problem as a diagnostic `Reason: [field.path: ]message` on the subject
// `Ingress namespace/name` (translate/state.ts); that is the one list holding every problem of an
// ingress (its status holds only the first).
const DIAGNOSTIC = /^([A-Za-z]+): (?:(spec(?:\.[A-Za-z]+|\[\d+\])+): )?(.*)$/s;

export function referenceProblems(state: SourceState, options: TranslateOptions = defaultTranslateOptions): ReferenceProblem[] {
  const set = new Store().update(state);
  const out: ReferenceProblem[] = [];
  for (const d of translate(set, options).diagnostics) {
    if (!d.subject.startsWith('Ingress ')) continue;
    const ingress = set.ingresses.get(d.subject.slice('Ingress '.length));
    const m = DIAGNOSTIC.exec(d.message);
    if (ingress === undefined || m === null || !REASONS.has(m[1] as string)) continue;
    const path = m[2] ?? (m[1] === 'HostConflict' ? conflictPath(ingress.resource, m[3] as string) : undefined);
    out.push({ ingress, reason: m[1] as ReferenceReason, ...(path !== undefined && { path }), message: m[3] as string });
  }
  return out;
}

/** The first rule host a HostConflict message names (`host "a.example.com" already served by ...`). */
function conflictPath(ing: KIngress, message: string): string | undefined {
  const named = new Set([...message.matchAll(/"([^"]+)"/g)].map((m) => m[1]));
  const rules = ing.spec.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const j = (rules[i]?.hosts ?? []).findIndex((h) => named.has(h));
    if (j >= 0) return `spec.rules[${i}].hosts[${j}]`;
  }
  return /TLS host/.test(message) ? 'spec.tls' : undefined;
}
