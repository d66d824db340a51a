// Knative's ingress hash (knative.dev/networking pkg/ingress.ComputeHash): SHA-256 of
// `json.Marshal(ing.Spec)` followed by the namespace and the name, written as lowercase hex.
// Gateways answer readiness probes with it (K-Network-Hash), so it must match byte for byte what
// Knative computes from the stored (defaulted) object. The Go types it mirrors are in
// pkg/apis/networking/v1alpha1/ingress_types.go; field order and `omitempty` follow them.
import { createHash } from 'node:crypto';
import type { HTTPIngressPath, IngressBackendSplit, IngressRule, IngressSpec, IngressTLS, KIngress } from '../api/types.ts';
import { applyDefaults } from './defaults.ts';
import { GoMap, GoStruct, goEncode, type GoValue } from './gojson.ts';

type Field = readonly [string, GoValue];

/** The hash Knative computes for this ingress, after Knative's defaults (namespace defaults to `default`). */
export function ingressHash(ing: KIngress): string {
  return hashSpec(applyDefaults(ing.spec ?? {}), ing.metadata.namespace ?? 'default', ing.metadata.name);
}

/** ComputeHash on a spec exactly as given (no defaulting). */
export function hashSpec(spec: IngressSpec, namespace: string, name: string): string {
  return createHash('sha256').update(encodeSpec(spec) + namespace + name, 'utf8').digest('hex');
}

/** Go's json.Marshal of an IngressSpec. */
export function encodeSpec(spec: IngressSpec): string {
  return goEncode(
    struct([
      omitList('tls', spec.tls?.map(tlsStruct)),
      omitList('rules', spec.rules?.map(ruleStruct)),
      omitString('httpOption', spec.httpOption),
    ]),
  );
}

function struct(fields: Array<Field | undefined>): GoStruct {
  return new GoStruct(fields.filter((f): f is Field => f !== undefined));
}

// `omitempty` drops "", 0, nil and empty slices/maps. YAML may also give null: Go decodes it as nil.
function omitString(key: string, v: string | null | undefined): Field | undefined {
  return v ? [key, v] : undefined;
}
function omitList(key: string, v: GoValue[] | null | undefined): Field | undefined {
  return v && v.length > 0 ? [key, v] : undefined;
}
function omitMap(key: string, v: Record<string, GoValue> | null | undefined): Field | undefined {
  return v && Object.keys(v).length > 0 ? [key, new GoMap(new Map(Object.entries(v)))] : undefined;
}
/** A slice without omitempty: nil encodes as `null`, an empty slice as `[]`. */
function list<T>(v: readonly T[] | null | undefined, f: (x: T) => GoValue): GoValue {
  return v ? v.map(f) : null;
}

function tlsStruct(t: IngressTLS): GoStruct {
  return struct([
    omitList('hosts', t.hosts ?? undefined),
    omitString('secretName', t.secretName),
    omitString('secretNamespace', t.secretNamespace),
  ]);
}

function ruleStruct(r: IngressRule): GoStruct {
  // `http` is a pointer with omitempty: only a missing block is left out; `paths` has no omitempty.
  return struct([
    omitList('hosts', r.hosts ?? undefined),
    omitString('visibility', r.visibility),
    r.http ? ['http', struct([['paths', list(r.http.paths, pathStruct)]])] : undefined,
  ]);
}

function pathStruct(p: HTTPIngressPath): GoStruct {
  const headers = p.headers ? Object.fromEntries(Object.entries(p.headers).map(([k, m]) => [k, struct([['exact', m?.exact ?? '']])])) : undefined;
  return struct([
    omitString('path', p.path),
    omitString('rewriteHost', p.rewriteHost),
    omitMap('headers', headers),
    ['splits', list(p.splits, splitStruct)],
    omitMap('appendHeaders', p.appendHeaders),
  ]);
}

function splitStruct(s: IngressBackendSplit): GoStruct {
  // IngressBackend is embedded inline, so its fields come first; servicePort is an IntOrString,
  // whose zero value (absent) encodes as the integer 0.
  return struct([
    ['serviceNamespace', s.serviceNamespace ?? ''],
    ['serviceName', s.serviceName ?? ''],
    ['servicePort', s.servicePort ?? 0],
    s.percent ? ['percent', s.percent] : undefined,
    omitMap('appendHeaders', s.appendHeaders),
  ]);
}
