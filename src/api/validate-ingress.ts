// Validation of a KIngress spec, following knative.dev/networking
// pkg/apis/networking/v1alpha1/ingress_validation.go, with three deliberate differences:
// - every error of the document is collected (Knative stops at the first bad split);
// - rules need `hosts` (a rule without hosts can never match a request here);
// - `tls[].secretNamespace` may be left out: the translator defaults it to the ingress
//   namespace (Knative's webhook requires it, DESIGN.md does not).
// Nothing is defaulted here (visibility, percent): the translator applies Knative's defaults.
import { type Check, field, index, isDNSLabel, isDNSSubdomain, isHeaderName, type Json } from './check.ts';
import { isAuthority, isHostName, isPathPrefix } from './grammar.ts';

const VISIBILITIES = ['ExternalIP', 'ClusterLocal'] as const;
const HTTP_OPTIONS = ['Enabled', 'Redirected'] as const;

export function checkIngressSpec(c: Check, value: unknown, namespace: string): void {
  const spec = c.object(value, 'spec', true);
  if (spec === undefined) return;
  const rules = c.nonEmptyArray(spec.rules, 'spec.rules');
  // http blocks found valid: the YAML reader makes equal values of a file one object, and Knative
  // writes the same paths for an ingress's public and cluster-local rules (a block with errors is
  // checked again, so that each rule's errors name it).
  const valid = new Set<unknown>();
  rules?.forEach((rule, i) => checkRule(c, rule, index('spec.rules', i), namespace, valid));
  const tls = c.array(spec.tls, 'spec.tls');
  tls?.forEach((entry, i) => checkTLS(c, entry, index('spec.tls', i)));
  c.oneOf(spec.httpOption, 'spec.httpOption', HTTP_OPTIONS);
}

function checkRule(c: Check, value: unknown, path: string, namespace: string, valid: Set<unknown>): void {
  const rule = c.object(value, path, true);
  if (rule === undefined) return;
  checkHosts(c, rule.hosts, field(path, 'hosts'), false);
  c.oneOf(rule.visibility, field(path, 'visibility'), VISIBILITIES);
  if (valid.has(rule.http)) return;
  const errors = c.errors.length;
  const http = c.object(rule.http, field(path, 'http'), true);
  if (http === undefined) return;
  const pathsAt = field(field(path, 'http'), 'paths');
  const paths = c.nonEmptyArray(http.paths, pathsAt);
  paths?.forEach((p, i) => checkPath(c, p, index(pathsAt, i), namespace));
  if (c.errors.length === errors) valid.add(http);
}

// Rule hosts become virtual host domains and TLS hosts SNI names, so both are plain DNS names;
// a TLS entry may name a wildcard certificate host (`*.example.com`).
function checkHosts(c: Check, value: unknown, path: string, wildcard: boolean): void {
  const hosts = c.nonEmptyArray(value, path);
  hosts?.forEach((h, i) => c.grammar(h, index(path, i), true, (s) => isHostName(s, wildcard), 'a host name'));
}

function checkPath(c: Check, value: unknown, path: string, namespace: string): void {
  const p = c.object(value, path, true);
  if (p === undefined) return;
  // An empty path means "every path" (Go's omitempty cannot tell "" from absent).
  const prefix = c.string(p.path, field(path, 'path'));
  if (prefix !== undefined && prefix !== '' && !prefix.startsWith('/')) {
    c.fail(field(path, 'path'), 'must start with "/"');
  } else if (prefix !== undefined && prefix !== '' && !isPathPrefix(prefix)) {
    c.fail(field(path, 'path'), `must be a URL path (RFC 3986 characters, %-escapes), got ${JSON.stringify(prefix)}`);
  }
  // Sent upstream as the Host header (and Envoy's host_rewrite_literal).
  c.grammar(p.rewriteHost, field(path, 'rewriteHost'), false, isAuthority, 'a host name or IP address, with an optional port');
  checkHeaderMatches(c, p.headers, field(path, 'headers'));
  c.headerMap(p.appendHeaders, field(path, 'appendHeaders'));
  checkSplits(c, p.splits, field(path, 'splits'), namespace);
}

function checkHeaderMatches(c: Check, value: unknown, path: string): void {
  const headers = c.object(value, path);
  if (headers === undefined) return;
  for (const [name, match] of Object.entries(headers)) {
    const at = field(path, name);
    if (!isHeaderName(name)) c.fail(at, 'must be a valid HTTP header name');
    const m = c.object(match, at, true);
    // Knative's CRD requires `exact` but accepts "": net-kourier then matches on the header's
    // presence, and so does Sluice.
    if (m !== undefined && c.present(m.exact, field(at, 'exact'), true)) c.headerValue(m.exact, field(at, 'exact'), false);
  }
}

function checkSplits(c: Check, value: unknown, path: string, namespace: string): void {
  const splits = c.nonEmptyArray(value, path);
  if (splits === undefined) return;
  let total = 0;
  let percentsUsable = true;
  splits.forEach((s, i) => {
    const percent = checkSplit(c, s, index(path, i), namespace);
    if (percent === null) percentsUsable = false;
    else total += percent;
  });
  // A single split without percent means 100 (Knative's SetDefaults); otherwise they must add up.
  if (percentsUsable && !(splits.length === 1 && total === 0) && total !== 100) {
    c.fail(path, `percents must total 100, got ${total}`);
  }
}

/** Returns the split's percent (0 when absent), or null when it is unusable. */
function checkSplit(c: Check, value: unknown, path: string, namespace: string): number | null {
  const split: Json | undefined = c.object(value, path, true);
  if (split === undefined) return null;
  // Service names and ports become cluster names (`namespace/name:port`) here and in xDS.
  c.grammar(split.serviceName, field(path, 'serviceName'), true, isDNSLabel, 'a Service name (a DNS-1123 label)');
  const ns = c.string(split.serviceNamespace, field(path, 'serviceNamespace'), true);
  // ingress_validation.go: "service namespace must match ingress namespace".
  if (ns !== undefined && ns !== namespace) {
    c.fail(field(path, 'serviceNamespace'), `must be the ingress namespace ${JSON.stringify(namespace)}`);
  }
  const port = c.portOrName(split.servicePort, field(path, 'servicePort'), true);
  if (typeof port === 'string' && !isDNSLabel(port)) c.fail(field(path, 'servicePort'), `must be a port number or a port name (a DNS-1123 label), got ${JSON.stringify(port)}`);
  c.headerMap(split.appendHeaders, field(path, 'appendHeaders'));
  if (split.percent === undefined || split.percent === null) return 0;
  const percent = c.integer(split.percent, field(path, 'percent'));
  if (percent === undefined) return null;
  if (percent < 0 || percent > 100) {
    c.fail(field(path, 'percent'), 'must be 0..100');
    return null;
  }
  return percent;
}

function checkTLS(c: Check, value: unknown, path: string): void {
  const tls = c.object(value, path, true);
  if (tls === undefined) return;
  checkHosts(c, tls.hosts, field(path, 'hosts'), true);
  c.grammar(tls.secretName, field(path, 'secretName'), true, isDNSSubdomain, 'a Secret name (a DNS-1123 subdomain)');
  c.grammar(tls.secretNamespace, field(path, 'secretNamespace'), false, isDNSLabel, 'a namespace (a DNS-1123 label)');
}
