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
  if (spec.rules) {
    // Rules whose http blocks are one object get one defaulted block: the YAML reader makes equal
    // values of a file one object, and Knative writes the same paths for an ingress's public and
    // cluster-local rules, so what reads the rules (routes, the hash) sees at once they are equal.
    const done = new Map<object, IngressRule['http']>();
    out.rules = spec.rules.map((rule) => defaultRule(rule, done));
  }
  return out;
}

function defaultRule(rule: IngressRule, done: Map<object, IngressRule['http']>): IngressRule {
  const out: IngressRule = { ...rule, visibility: rule.visibility || 'ExternalIP' };
  if (rule.http) {
    let http = done.get(rule.http);
    if (http === undefined) done.set(rule.http, (http = { ...rule.http, paths: rule.http.paths?.map(defaultPath) }));
    out.http = http;
  }
  return out;
}

function defaultPath(path: HTTPIngressPath): HTTPIngressPath {
  const splits = path.splits?.map((s) => ({ ...s }));
  if (splits?.length === 1 && !splits[0].percent) splits[0].percent = 100;
  return { ...path, splits };
}
