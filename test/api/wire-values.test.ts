// Every config value that reaches a header, a path, a TLS name or a cluster name is checked for its
// grammar: a CR/LF/NUL or stray white space in any of them is a field-path error, never a value
// handed to the data plane or to Envoy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateDocument } from '../../src/api/validate.ts';

const origin = { file: 'x.yaml', doc: 0 };
const split = (extra: Record<string, unknown> = {}) => ({ serviceName: 's', serviceNamespace: 'default', servicePort: 80, ...extra });

/** The spec the cases edit: loose where they put wrong values on purpose. */
interface Spec {
  rules: Array<{ hosts: unknown[]; http: { paths: Array<Record<string, unknown> & { splits: Array<Record<string, unknown>> }> } }>;
  tls?: unknown[];
}

function ingress(edit: (spec: Spec) => void): unknown {
  const spec = { rules: [{ hosts: ['hello.example.com'], http: { paths: [{ path: '/', splits: [split()] }] } }] };
  edit(spec);
  return { apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'Ingress', metadata: { name: 'hello' }, spec };
}

/** The paths of the errors a document is rejected with ([] when accepted). */
function errorPaths(doc: unknown): string[] {
  const out = validateDocument(doc, origin);
  return out.kind === 'rejected' ? out.rejection.errors.map((e) => e.path) : [];
}

const HOSTILE = ['a.example.com\r\nX-Injected: yes', 'a.example.com\nX: y', 'a\0b', 'a b ', ' a', 'a\r\n\r\nGET / HTTP/1.1'];

type Case = [field: string, path: string, place: (v: string) => unknown];
const cases: Case[] = [
  ['rewriteHost', 'spec.rules[0].http.paths[0].rewriteHost', (v) => ingress((s) => (s.rules[0].http.paths[0].rewriteHost = v))],
  ['rule host', 'spec.rules[0].hosts[0]', (v) => ingress((s) => (s.rules[0].hosts = [v]))],
  ['TLS host', 'spec.tls[0].hosts[0]', (v) => ingress((s) => (s.tls = [{ hosts: [v], secretName: 'cert' }]))],
  ['TLS secret name', 'spec.tls[0].secretName', (v) => ingress((s) => (s.tls = [{ hosts: ['a.example.com'], secretName: v }]))],
  ['TLS secret namespace', 'spec.tls[0].secretNamespace', (v) => ingress((s) => (s.tls = [{ hosts: ['a.example.com'], secretName: 'c', secretNamespace: v }]))],
  ['path', 'spec.rules[0].http.paths[0].path', (v) => ingress((s) => (s.rules[0].http.paths[0].path = `/${v}`))],
  ['path appendHeaders value', 'spec.rules[0].http.paths[0].appendHeaders.X-A', (v) => ingress((s) => (s.rules[0].http.paths[0].appendHeaders = { 'X-A': v }))],
  ['path appendHeaders name', 'spec.rules[0].http.paths[0].appendHeaders', (v) => ingress((s) => (s.rules[0].http.paths[0].appendHeaders = { [v]: 'x' }))],
  ['split appendHeaders value', 'spec.rules[0].http.paths[0].splits[0].appendHeaders.X-A', (v) => ingress((s) => (s.rules[0].http.paths[0].splits[0].appendHeaders = { 'X-A': v }))],
  ['header match name', 'spec.rules[0].http.paths[0].headers', (v) => ingress((s) => (s.rules[0].http.paths[0].headers = { [v]: { exact: 'x' } }))],
  ['header match value', 'spec.rules[0].http.paths[0].headers.X-A.exact', (v) => ingress((s) => (s.rules[0].http.paths[0].headers = { 'X-A': { exact: v } }))],
  ['serviceName', 'spec.rules[0].http.paths[0].splits[0].serviceName', (v) => ingress((s) => (s.rules[0].http.paths[0].splits = [split({ serviceName: v })]))],
  ['servicePort name', 'spec.rules[0].http.paths[0].splits[0].servicePort', (v) => ingress((s) => (s.rules[0].http.paths[0].splits = [split({ servicePort: v })]))],
  [
    'ExternalName',
    'spec.externalName',
    (v) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName', externalName: v } }),
  ],
];

describe('a hostile value in a field that reaches the wire is a field-path error', () => {
  for (const [name, path, place] of cases) {
    test(name, () => {
      for (const v of HOSTILE) {
        const paths = errorPaths(place(v));
        // A map key is part of the path, so name errors are matched by prefix.
        assert.ok(paths.some((p) => p === path || p.startsWith(`${path}[`)), `${JSON.stringify(v)}: expected an error at ${path}, got ${JSON.stringify(paths)}`);
      }
    });
  }
});

test('a hostile rewriteHost names the field and shows the value escaped', () => {
  const out = validateDocument(ingress((s) => (s.rules[0].http.paths[0].rewriteHost = 'a.example.com\r\nX-Injected: yes')), origin);
  assert.ok(out.kind === 'rejected');
  assert.deepEqual(out.rejection.errors, [
    { path: 'spec.rules[0].http.paths[0].rewriteHost', message: 'must be a host name or IP address, with an optional port, got "a.example.com\\r\\nX-Injected: yes"' },
  ]);
});

test('header values may not hold control characters, characters above U+00FF, or surrounding white space', () => {
  const at = 'spec.rules[0].http.paths[0].appendHeaders.X-A';
  for (const v of ['a\tb', 'caf\u00e9', 'a b', '']) assert.deepEqual(errorPaths(ingress((s) => (s.rules[0].http.paths[0].appendHeaders = { 'X-A': v }))), [], JSON.stringify(v));
  for (const v of ['a\x01b', 'a\x7fb', 'snow\u2603', 'a ', '\tb']) assert.deepEqual(errorPaths(ingress((s) => (s.rules[0].http.paths[0].appendHeaders = { 'X-A': v }))), [at], JSON.stringify(v));
});

test('well-formed values are accepted', () => {
  const doc = ingress((s) => {
    s.rules[0].hosts = ['hello.example.com', 'hello.default.svc.cluster.local', 'My_Host.example.com'];
    Object.assign(s.rules[0].http.paths[0], { path: "/a/b%20c/~x/@:;=,+!$&'()*", rewriteHost: 'hello.default.svc.cluster.local' });
    s.rules[0].http.paths.push({ path: '/v', rewriteHost: '10.0.0.1:8080', splits: [split({ servicePort: 'http2' })] });
    s.rules[0].http.paths.push({ path: '/w', rewriteHost: '[::1]:80', splits: [split()] });
    s.tls = [{ hosts: ['*.example.com'], secretName: 'wild.cert', secretNamespace: 'default' }];
  });
  assert.deepEqual(errorPaths(doc), []);
});

test('paths: RFC 3986 characters only, %-escapes complete, no query or fragment', () => {
  for (const p of ['/a?b', '/a#b', '/a%2', '/a%zz', '/a\\b', '/[a]', '/a|b', '/a b']) {
    assert.deepEqual(errorPaths(ingress((s) => (s.rules[0].http.paths[0].path = p))), ['spec.rules[0].http.paths[0].path'], p);
  }
});

test('rewriteHost: a port must be 1..65535 and a bracketed host must be IPv6', () => {
  for (const h of ['a.example.com:0', 'a.example.com:70000', '[a.example.com]', 'a:b:c', 'a/b', 'user@a.example.com', '*.example.com']) {
    assert.deepEqual(errorPaths(ingress((s) => (s.rules[0].http.paths[0].rewriteHost = h))), ['spec.rules[0].http.paths[0].rewriteHost'], h);
  }
});

test('objects read from a cluster go through the same gate', () => {
  const doc = ingress((s) => (s.rules[0].http.paths[0].rewriteHost = 'a.example.com\r\nX-Injected: yes'));
  const out = validateDocument(doc, { cluster: true });
  assert.ok(out.kind === 'rejected');
  assert.deepEqual(out.rejection.errors.map((e) => e.path), ['spec.rules[0].http.paths[0].rewriteHost']);
});

test('appendHeaders may not set headers that frame the request or govern the connection', () => {
  for (const name of ['Content-Length', 'transfer-encoding', 'Connection', 'Keep-Alive', 'TE', 'Trailer', 'Upgrade', 'Proxy-Connection']) {
    const path = ingress((s) => (s.rules[0].http.paths[0].appendHeaders = { [name]: '0' }));
    assert.deepEqual(errorPaths(path), [`spec.rules[0].http.paths[0].appendHeaders${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`], name);
    const split = ingress((s) => (s.rules[0].http.paths[0].splits[0].appendHeaders = { [name]: 'chunked' }));
    assert.equal(errorPaths(split).length, 1, name);
  }
  assert.deepEqual(errorPaths(ingress((s) => (s.rules[0].http.paths[0].appendHeaders = { Host: 'other.example.com', 'X-Via': 'sluice' }))), []);
});
