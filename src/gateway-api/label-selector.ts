// metav1.LabelSelector matching (matchLabels and matchExpressions, ANDed), for Listener
// allowedRoutes.namespaces.selector against Namespace labels.
import type { LabelSelector } from './types.ts';

export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (selector === undefined) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    const ok =
      e.operator === 'In' ? has && values.includes(labels[e.key] as string)
      : e.operator === 'NotIn' ? !has || !values.includes(labels[e.key] as string)
      : e.operator === 'Exists' ? has
      : !has;
    if (!ok) return false;
  }
  return true;
}
