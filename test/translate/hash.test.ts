// The ingress hash must equal knative.dev/networking ingress.ComputeHash byte for byte, or Knative's
// prober never sees the gateway as ready. Checked three ways: hashes pinned in Knative's own tests,
// an independent Python encoder run as a child process, and Go encoding rules spelled out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IngressSpec, KIngress } from '../../src/api/types.ts';
import { encodeSpec, hashSpec, ingressHash } from '../../src/translate/hash.ts';
import { goString } from '../../src/translate/gojson.ts';

function ingress(namespace: string, name: string, spec: IngressSpec): KIngress {
  return { apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'Ingress', metadata: { namespace, name }, spec };
}

// knative.dev/networking pkg/ingress/ingress_test.go TestInsertProbe: the Go zero values there
// (serviceNamespace "", servicePort 0, no namespace or name) are spelled out, and no defaults apply.
test('reproduces the hashes pinned in knative/networking TestInsertProbe', () => {
  const base = (appendHeaders?: Record<string, string>): IngressSpec => ({
    rules: [
      {
        hosts: ['example.com'],
        http: { paths: [{ splits: [{ serviceNamespace: '', serviceName: 'blah', servicePort: 0, ...(appendHeaders ? { appendHeaders } : {}) }] }] },
      },
    ],
  });
  assert.equal(hashSpec(base(), '', ''), 'a25000a350642c8abef53078b329bd043e18758f6063c1172d53b04e14fcf5c1');
  assert.equal(hashSpec(base({ Foo: 'bar' }), '', ''), '6b652c7abed871354affd4a9cb699d33816f24541fac942149b91ad872fe63ca');
});

const cases: Array<{ what: string; ing: KIngress }> = [
  {
    what: 'Knative Serving route with tags, 90/10 split, headers and TLS',
    ing: ingress('default', 'hello', {
      tls: [{ hosts: ['hello.default.example.com'], secretName: 'route-abc', secretNamespace: 'default' }],
      rules: [
        {
          hosts: ['hello.default.example.com'],
          visibility: 'ExternalIP',
          http: {
            paths: [
              {
                headers: { 'Knative-Serving-Tag': { exact: 'v2' } },
                appendHeaders: { 'Knative-Serving-Tag': 'v2' },
                splits: [{ serviceNamespace: 'default', serviceName: 'hello-00002', servicePort: 80, percent: 100 }],
              },
              {
                appendHeaders: { 'Knative-Serving-Namespace': 'default', 'Knative-Serving-Revision': 'x' },
                splits: [
                  { serviceNamespace: 'default', serviceName: 'hello-00002', servicePort: 80, percent: 90, appendHeaders: { B: '1', A: '2' } },
                  { serviceNamespace: 'default', serviceName: 'hello-00001', servicePort: 80, percent: 10 },
                ],
              },
            ],
          },
        },
        {
          hosts: ['hello.default', 'hello.default.svc', 'hello.default.svc.cluster.local'],
          visibility: 'ClusterLocal',
          http: { paths: [{ splits: [{ serviceNamespace: 'default', serviceName: 'hello-00002', servicePort: 80 }] }] },
        },
      ],
      httpOption: 'Redirected',
    }),
  },
  {
    what: 'defaults applied: no visibility, single split without percent, named port, rewriteHost',
    ing: ingress('ns-1', 'mapping', {
      rules: [
        {
          hosts: ['www.example.org'],
          http: { paths: [{ path: '/api', rewriteHost: 'hello.ns-1.svc.cluster.local', splits: [{ serviceNamespace: 'ns-1', serviceName: 'ext', servicePort: 'http2' }] }] },
        },
      ],
    }),
  },
  {
    what: 'HTML characters, quotes, control characters, U+2028 and non-ASCII in strings and map keys',
    ing: ingress('default', 'weird', {
      rules: [
        {
          hosts: ['<a>&b.example.com'],
          http: {
            paths: [
              {
                appendHeaders: { 'x-q': 'say "hi" \\ <b>&amp;', 'x-ctl': 'a\tb\nc\rd\be\ff\u0001g\u001f', 'x-uni': 'é ü 日本 😀 \u2028 \u2029', 'Z-upper': '1', 'é-key': '2' },
                splits: [{ serviceNamespace: 'default', serviceName: 'w', servicePort: 8080 }],
              },
            ],
          },
        },
      ],
    }),
  },
];

function pythonHashes(requests: object[]): string[] {
  const script = join(import.meta.dirname, 'knative_hash.py');
  const res = spawnSync('python3', [script], {
    input: requests.map((r) => JSON.stringify(r)).join('\n') + '\n',
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(res.status, 0, `python3 failed: ${res.error ?? ''} ${res.stderr}`);
  return res.stdout.trim().split('\n');
}

test('matches an independent Python implementation of ComputeHash (with defaults)', () => {
  const expected = pythonHashes(cases.map((c) => ({ spec: c.ing.spec, namespace: c.ing.metadata.namespace, name: c.ing.metadata.name, defaults: true })));
  cases.forEach((c, i) => assert.equal(ingressHash(c.ing), expected[i], c.what));
});

test('matches the Python implementation on the raw spec (no defaults)', () => {
  const expected = pythonHashes(cases.map((c) => ({ spec: c.ing.spec, namespace: c.ing.metadata.namespace, name: c.ing.metadata.name, defaults: false })));
  cases.forEach((c, i) => assert.equal(hashSpec(c.ing.spec, c.ing.metadata.namespace as string, c.ing.metadata.name), expected[i], c.what));
});

test('encodes struct fields in Go order with omitempty, and defaults before hashing', () => {
  const spec: IngressSpec = {
    httpOption: 'Enabled',
    rules: [{ http: { paths: [{ appendHeaders: {}, headers: {}, splits: [{ percent: 0, servicePort: 'http', serviceName: 's', serviceNamespace: 'n' }] }] } }],
    tls: [],
  };
  assert.equal(encodeSpec(spec), '{"rules":[{"http":{"paths":[{"splits":[{"serviceNamespace":"n","serviceName":"s","servicePort":"http"}]}]}}],"httpOption":"Enabled"}');
  const defaulted = ingressHash(ingress('n', 'i', spec));
  const explicit = hashSpec({ ...spec, rules: [{ visibility: 'ExternalIP', http: { paths: [{ splits: [{ serviceNamespace: 'n', serviceName: 's', servicePort: 'http', percent: 100 }] }] } }] }, 'n', 'i');
  assert.equal(defaulted, explicit);
  // A missing paths list is Go's nil slice: `null`, not omitted (the field has no omitempty).
  assert.equal(encodeSpec({ rules: [{ hosts: ['a'], http: {} as { paths: [] } }] }), '{"rules":[{"hosts":["a"],"http":{"paths":null}}]}');
});

test('the namespace defaults to "default" and is appended before the name', () => {
  const spec: IngressSpec = { rules: [{ hosts: ['a.example.com'], http: { paths: [{ splits: [{ serviceNamespace: 'default', serviceName: 's', servicePort: 80 }] }] } }] };
  const noNs: KIngress = { ...ingress('default', 'x', spec), metadata: { name: 'x' } };
  assert.equal(ingressHash(noNs), ingressHash(ingress('default', 'x', spec)));
  assert.equal(hashSpec(spec, 'default', 'x'), createHash('sha256').update(encodeSpec(spec) + 'defaultx').digest('hex'));
  // Knative appends the two with no separator, so these collide there too; mirrored on purpose.
  assert.equal(ingressHash(ingress('a', 'bc', spec)), ingressHash(ingress('ab', 'c', spec)));
  assert.notEqual(ingressHash(ingress('a', 'bc', spec)), ingressHash(ingress('a', 'bd', spec)));
});

test('goString escapes as Go encoding/json does', () => {
  assert.equal(goString('<>&'), '"\\u003c\\u003e\\u0026"');
  assert.equal(goString('"\\'), '"\\"\\\\"');
  assert.equal(goString('\b\f\n\r\t\u0000\u001f\u007f'), '"\\b\\f\\n\\r\\t\\u0000\\u001f\u007f"');
  assert.equal(goString('\u2028\u2029é😀'), '"\\u2028\\u2029é😀"');
});
