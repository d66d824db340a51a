// Knative's defaulting of an Ingress spec, as the defaulting webhook applies it before the object
// is stored (knative.dev/networking pkg/apis/networking/v1alpha1/ingress_defaults.go):
// - a rule without `visibility` gets `ExternalIP`;
// - a path with exactly one split whose percent is 0 or absent gets percent 100.
// Nothing else is defaulted there: `httpOption` stays absent (it is `omitempty` and Knative treats
// "" as Enabled), TLS entries are left alone, and a missing path is not turned into "/".
import type { HTTPIngressPath, IngressRule, IngressSpec } from '../api/types.ts';

/** Returns a new spec with Knative's defaults applied; the input is not modified. Idempotent. */
export function applyDefaults(spec: IngressSpec): IngressSpec {
  const out: IngressSpec = { ...spec };
  if (spec.tls) out.tls = spec.tls.map((t) => ({ ...t }));
  if (spec.rules) out.rules = spec.rules.map(defaultRule);
  return out;
}

function defaultRule(rule: IngressRule): IngressRule {
  const out: IngressRule = { ...rule, visibility: rule.visibility || 'ExternalIP' };
  if (rule.http) out.http = { ...rule.http, paths: rule.http.paths?.map(defaultPath) };
  return out;
}

function defaultPath(path: HTTPIngressPath): HTTPIngressPath {
  const splits = path.splits?.map((s) => ({ ...s }));
  if (splits?.length === 1 && !splits[0].percent) splits[0].percent = 100;
  return { ...path, splits };
}
