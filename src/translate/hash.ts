// Knative's ingress hash (knative.dev/networking pkg/ingress.ComputeHash): SHA-256 of
// `json.Marshal(ing.Spec)` followed by the namespace and the name, written as lowercase hex.
// Gateways answer readiness probes with it (K-Network-Hash), so it must match byte for byte what
// Knative computes from the stored (defaulted) object. The Go types it mirrors are in
// pkg/apis/networking/v1alpha1/ingress_types.go; field order and `omitempty` follow them.
import { hash } from 'node:crypto';
import type { HTTPIngressPath, IngressBackendSplit, IngressRule, IngressSpec, IngressTLS, KIngress } from '../api/types.ts';
import { applyDefaults } from './defaults.ts';
import { compareUtf8, goString } from './gojson.ts';

/** The hash Knative computes for this ingress, after Knative's defaults (namespace defaults to `default`). */
export function ingressHash(ing: KIngress, defaulted: IngressSpec = applyDefaults(ing.spec ?? {})): string {
  return hashSpec(defaulted, ing.metadata.namespace ?? 'default', ing.metadata.name);
}

/** ComputeHash on a spec exactly as given (no defaulting). */
export function hashSpec(spec: IngressSpec, namespace: string, name: string): string {
  return hash('sha256', encodeSpec(spec) + namespace + name, 'hex');
}

// The encoders write Go's JSON directly (struct fields in declaration order, `omitempty` fields left
// out) rather than building a tree of Go values first: at 10,000 ingresses that tree was most of the
// hash's time. Field names are plain identifiers, written as they are.

/** Go's json.Marshal of an IngressSpec. */
export function encodeSpec(spec: IngressSpec): string {
  const f: string[] = [];
  if (spec.tls && spec.tls.length > 0) f.push('"tls":' + array(spec.tls, tlsJson));
  if (spec.rules && spec.rules.length > 0) {
    // Rules sharing one http block (defaults.ts) encode its paths once.
    const paths = new Map<object, string>();
    f.push('"rules":' + array(spec.rules, (r) => ruleJson(r, paths)));
  }
  // `omitempty` drops "", 0, nil and empty slices/maps. YAML may also give null: Go decodes it as nil.
  if (spec.httpOption) f.push('"httpOption":' + goString(spec.httpOption));
  return '{' + f.join(',') + '}';
}

function array<T>(items: readonly T[], f: (x: T) => string): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ',') + f(items[i] as T);
  return out + ']';
}

/** A slice without omitempty: nil encodes as `null`, an empty slice as `[]`. */
function list<T>(v: readonly T[] | null | undefined, f: (x: T) => string): string {
  return v ? array(v, f) : 'null';
}

/** A string, or an IntOrString / int written as Go would (numbers truncated to integers). */
function scalar(v: string | number): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : goString(v);
}

/** A Go map[string]T: keys sorted by their UTF-8 bytes. */
function goMap<T>(m: Record<string, T>, f: (v: T) => string): string {
  const keys = Object.keys(m).sort(compareUtf8);
  return '{' + keys.map((k) => goString(k) + ':' + f(m[k] as T)).join(',') + '}';
}

function nonEmptyMap(m: Record<string, unknown> | null | undefined): m is Record<string, unknown> {
  return m !== null && m !== undefined && Object.keys(m).length > 0;
}

function tlsJson(t: IngressTLS): string {
  const f: string[] = [];
  if (t.hosts && t.hosts.length > 0) f.push('"hosts":' + array(t.hosts, scalar));
  if (t.secretName) f.push('"secretName":' + goString(t.secretName));
  if (t.secretNamespace) f.push('"secretNamespace":' + goString(t.secretNamespace));
  return '{' + f.join(',') + '}';
}

function ruleJson(r: IngressRule, done: Map<object, string>): string {
  const f: string[] = [];
  if (r.hosts && r.hosts.length > 0) f.push('"hosts":' + array(r.hosts, scalar));
  if (r.visibility) f.push('"visibility":' + goString(r.visibility));
  // `http` is a pointer with omitempty: only a missing block is left out; `paths` has no omitempty.
  if (r.http) {
    let http = done.get(r.http);
    if (http === undefined) done.set(r.http, (http = '"http":{"paths":' + list(r.http.paths, pathJson) + '}'));
    f.push(http);
  }
  return '{' + f.join(',') + '}';
}

function pathJson(p: HTTPIngressPath): string {
  const f: string[] = [];
  if (p.path) f.push('"path":' + goString(p.path));
  if (p.rewriteHost) f.push('"rewriteHost":' + goString(p.rewriteHost));
  if (nonEmptyMap(p.headers)) f.push('"headers":' + goMap(p.headers, (m) => '{"exact":' + goString(m?.exact ?? '') + '}'));
  f.push('"splits":' + list(p.splits, splitJson));
  if (nonEmptyMap(p.appendHeaders)) f.push('"appendHeaders":' + goMap(p.appendHeaders, scalar));
  return '{' + f.join(',') + '}';
}

function splitJson(s: IngressBackendSplit): string {
  // IngressBackend is embedded inline, so its fields come first; servicePort is an IntOrString,
  // whose zero value (absent) encodes as the integer 0.
  let out = '{"serviceNamespace":' + goString(s.serviceNamespace ?? '') + ',"serviceName":' + goString(s.serviceName ?? '') + ',"servicePort":' + scalar(s.servicePort ?? 0);
  if (s.percent) out += ',"percent":' + scalar(s.percent);
  if (nonEmptyMap(s.appendHeaders)) out += ',"appendHeaders":' + goMap(s.appendHeaders, scalar);
  return out + '}';
}
