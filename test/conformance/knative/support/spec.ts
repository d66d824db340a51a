// The Knative Ingress spec as the conformance tests write it (knative.dev/networking
// pkg/apis/networking/v1alpha1), its defaults (SetDefaults + the suite's setDefaultsForTest), and
// ComputeHash (pkg/ingress), written here from the Go types rather than taken from Sluice, so the
// probe test checks Sluice's hash against an independent one.
import { createHash } from 'node:crypto';

export type Visibility = 'ExternalIP' | 'ClusterLocal';
export type HTTPOption = 'Enabled' | 'Redirected';

export interface IngressBackendSplit {
  serviceNamespace: string;
  serviceName: string;
  servicePort: number | string;
  percent?: number;
  appendHeaders?: Record<string, string>;
}

export interface HTTPIngressPath {
  path?: string;
  rewriteHost?: string;
  headers?: Record<string, { exact: string }>;
  splits: IngressBackendSplit[];
  appendHeaders?: Record<string, string>;
}

export interface IngressRule {
  hosts: string[];
  visibility?: Visibility;
  http: { paths: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts: string[];
  secretName: string;
  secretNamespace: string;
}

export interface IngressSpec {
  tls?: IngressTLS[];
  rules: IngressRule[];
  httpOption?: HTTPOption;
}

/** Ingress.SetDefaults, then setDefaultsForTest (httpOption Enabled), on a copy. */
export function withDefaults(spec: IngressSpec): IngressSpec {
  const s = structuredClone(spec);
  for (const r of s.rules) {
    r.visibility ??= 'ExternalIP';
    for (const p of r.http.paths) {
      // If only one split is specified, it defaults to 100.
      if (p.splits.length === 1 && !p.splits[0]!.percent) p.splits[0]!.percent = 100;
    }
  }
  s.httpOption ??= 'Enabled';
  return s;
}

/** Go's encoding/json string: HTML-safe escapes for <, >, & and the JS line separators. */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go maps marshal with their keys sorted (byte order; the suite's keys are ASCII). */
function goMap<T>(m: Record<string, T>, f: (v: T) => string): string {
  return '{' + Object.keys(m).sort().map((k) => `${goString(k)}:${f(m[k]!)}`).join(',') + '}';
}

const nonEmpty = (m: Record<string, unknown> | undefined): m is Record<string, unknown> => m !== undefined && Object.keys(m).length > 0;

/** json.Marshal(IngressSpec): struct fields in declaration order, omitempty fields dropped. */
export function goJSON(spec: IngressSpec): string {
  const obj = (fields: Array<[string, string | undefined]>): string => '{' + fields.filter(([, v]) => v !== undefined).map(([k, v]) => `"${k}":${v}`).join(',') + '}';
  const strs = (a: string[] | undefined): string | undefined => (a?.length ? '[' + a.map(goString).join(',') + ']' : undefined);
  const str = (s: string | undefined): string | undefined => (s ? goString(s) : undefined);
  const split = (b: IngressBackendSplit): string =>
    obj([
      ['serviceNamespace', goString(b.serviceNamespace)],
      ['serviceName', goString(b.serviceName)],
      ['servicePort', typeof b.servicePort === 'number' ? String(b.servicePort) : goString(b.servicePort)],
      ['percent', b.percent ? String(b.percent) : undefined],
      ['appendHeaders', nonEmpty(b.appendHeaders) ? goMap(b.appendHeaders, goString) : undefined],
    ]);
  const path = (p: HTTPIngressPath): string =>
    obj([
      ['path', str(p.path)],
      ['rewriteHost', str(p.rewriteHost)],
      ['headers', nonEmpty(p.headers) ? goMap(p.headers, (h) => `{"exact":${goString(h.exact)}}`) : undefined],
      ['splits', '[' + p.splits.map(split).join(',') + ']'],
      ['appendHeaders', nonEmpty(p.appendHeaders) ? goMap(p.appendHeaders, goString) : undefined],
    ]);
  const rule = (r: IngressRule): string =>
    obj([
      ['hosts', strs(r.hosts)],
      ['visibility', str(r.visibility)],
      ['http', obj([['paths', '[' + r.http.paths.map(path).join(',') + ']']])],
    ]);
  const tls = (t: IngressTLS): string => obj([['hosts', strs(t.hosts)], ['secretName', str(t.secretName)], ['secretNamespace', str(t.secretNamespace)]]);
  return obj([
    ['tls', spec.tls?.length ? '[' + spec.tls.map(tls).join(',') + ']' : undefined],
    ['rules', spec.rules.length ? '[' + spec.rules.map(rule).join(',') + ']' : undefined],
    ['httpOption', str(spec.httpOption)],
  ]);
}

/** ComputeHash: SHA-256 of json.Marshal(spec) + namespace + name, as lowercase hex. */
export function computeHash(spec: IngressSpec, namespace: string, name: string): string {
  return createHash('sha256').update(goJSON(spec) + namespace + name).digest('hex');
}
