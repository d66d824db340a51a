import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FieldError } from '../../src/api/types.ts';
import { validateDocument, type ValidateOutcome } from '../../src/api/validate.ts';

const origin = { file: 'x.yaml', doc: 0 };

function ingress(spec: unknown, meta: Record<string, unknown> = { name: 'hello' }): Record<string, unknown> {
  return { apiVersion: 'networking.internal.knative.dev/v1alpha1', kind: 'Ingress', metadata: meta, spec };
}

const split = (extra: Record<string, unknown> = {}) => ({ serviceName: 's', serviceNamespace: 'default', servicePort: 80, ...extra });

function goodSpec(): Record<string, unknown> {
  return { rules: [{ hosts: ['hello.example.com'], http: { paths: [{ splits: [split()] }] } }] };
}

function errorsOf(outcome: ValidateOutcome): FieldError[] {
  assert.equal(outcome.kind, 'rejected', `expected a rejection, got ${JSON.stringify(outcome)}`);
  return outcome.kind === 'rejected' ? outcome.rejection.errors : [];
}

const TLS_CRT = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const TLS_KEY = Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n').toString('base64');

describe('validateDocument accepts', () => {
  const good: Array<[string, Record<string, unknown>]> = [
    ['a minimal ingress (single split without percent)', ingress(goodSpec())],
    [
      'an ingress with every field',
      ingress(
        {
          httpOption: 'Redirected',
          tls: [{ hosts: ['a.example.com'], secretName: 'cert', secretNamespace: 'other' }, { hosts: ['b.example.com'], secretName: 'c2' }],
          rules: [
            {
              hosts: ['a.example.com', 'a.ns.svc.cluster.local'],
              visibility: 'ClusterLocal',
              http: {
                paths: [
                  {
                    path: '/api',
                    rewriteHost: 'backend.internal',
                    headers: { 'X-Canary': { exact: 'yes' } },
                    appendHeaders: { 'K-Original-Host': 'a.example.com' },
                    splits: [
                      split({ serviceNamespace: 'apps', percent: 30, appendHeaders: { 'Knative-Serving-Revision': 'r1' } }),
                      split({ serviceNamespace: 'apps', percent: 70, servicePort: 'http' }),
                    ],
                  },
                  { path: '', splits: [split({ serviceNamespace: 'apps', percent: 100 })] },
                ],
              },
            },
          ],
        },
        { name: 'full', namespace: 'apps', labels: { app: 'x' }, annotations: { 'networking.knative.dev/ingress.class': 'sluice' }, generation: 3 },
      ),
    ],
    ['a ClusterIP service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'h2c', port: 81, targetPort: 'grpc', appProtocol: 'kubernetes.io/h2c' }] } }],
    ['an ExternalName service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } }],
    [
      'an EndpointSlice',
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 's-abc', labels: { 'kubernetes.io/service-name': 's' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ],
    ['an Endpoints object', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 's' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 8080 }] }] }],
    ['a TLS secret in data', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert' }, type: 'kubernetes.io/tls', data: { 'tls.crt': TLS_CRT, 'tls.key': TLS_KEY } }],
    ['a TLS secret in stringData', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'PEM', 'tls.key': 'PEM' } }],
    ['an opaque secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'opaque' }, data: { token: 'c2VjcmV0' } }],
  ];
  for (const [name, doc] of good) {
    test(name, () => {
      const out = validateDocument(doc, origin);
      assert.equal(out.kind, 'resource', JSON.stringify(out));
    });
  }

  test('fills in the default namespace and changes nothing else', () => {
    const doc = ingress(goodSpec());
    const out = validateDocument(doc, origin);
    assert.ok(out.kind === 'resource' && out.resource.kind === 'Ingress');
    assert.equal(out.resource.metadata.namespace, 'default');
    assert.deepEqual({ ...out.resource, metadata: { name: 'hello' } }, doc);
    // Knative defaults are left to the translator.
    const rule = out.resource.spec.rules?.[0];
    assert.equal(rule?.visibility, undefined);
    assert.equal(rule?.http?.paths[0]?.splits[0]?.percent, undefined);
    assert.equal((doc.metadata as { namespace?: string }).namespace, undefined, 'input not mutated');
  });
});

describe('validateDocument rejects', () => {
  const p = 'spec.rules[0].http.paths[0]';
  const bad: Array<[string, unknown, FieldError[]]> = [
    ['a percent over 100', ingress({ rules: [{ hosts: ['h'], http: { paths: [{ splits: [split({ percent: 150 })] }] } }] }), [{ path: `${p}.splits[0].percent`, message: 'must be 0..100' }]],
    [
      'percents that do not total 100',
      ingress({ rules: [{ hosts: ['h'], http: { paths: [{ splits: [split({ percent: 30 }), split({ percent: 60 })] }] } }] }),
      [{ path: `${p}.splits`, message: 'percents must total 100, got 90' }],
    ],
    [
      'two splits without percents',
      ingress({ rules: [{ hosts: ['h'], http: { paths: [{ splits: [split(), split()] }] } }] }),
      [{ path: `${p}.splits`, message: 'percents must total 100, got 0' }],
    ],
    ['a path without a leading slash', ingress({ rules: [{ hosts: ['h'], http: { paths: [{ path: 'api', splits: [split()] }] } }] }), [{ path: `${p}.path`, message: 'must start with "/"' }]],
    ['an unknown visibility', ingress({ rules: [{ hosts: ['h'], visibility: 'Public', http: { paths: [{ splits: [split()] }] } }] }), [{ path: 'spec.rules[0].visibility', message: 'must be ExternalIP or ClusterLocal, got "Public"' }]],
    ['an unknown httpOption', ingress({ ...goodSpec(), httpOption: 'Always' }), [{ path: 'spec.httpOption', message: 'must be Enabled or Redirected, got "Always"' }]],
    ['no spec', ingress(undefined), [{ path: 'spec', message: 'required' }]],
    ['empty rules', ingress({ rules: [] }), [{ path: 'spec.rules', message: 'must not be empty' }]],
    ['a rule without hosts or http', ingress({ rules: [{}] }), [{ path: 'spec.rules[0].hosts', message: 'required' }, { path: 'spec.rules[0].http', message: 'required' }]],
    ['empty paths', ingress({ rules: [{ hosts: ['h'], http: { paths: [] } }] }), [{ path: 'spec.rules[0].http.paths', message: 'must not be empty' }]],
    [
      'a split missing its backend',
      ingress({ rules: [{ hosts: ['h'], http: { paths: [{ splits: [{ percent: 100 }] }] } }] }),
      [
        { path: `${p}.splits[0].serviceName`, message: 'required' },
        { path: `${p}.splits[0].serviceNamespace`, message: 'required' },
        { path: `${p}.splits[0].servicePort`, message: 'required' },
      ],
    ],
    [
      'a split in another namespace (Knative requires the ingress namespace)',
      ingress({ rules: [{ hosts: ['h'], http: { paths: [{ splits: [split({ serviceNamespace: 'other' })] }] } }] }),
      [{ path: `${p}.splits[0].serviceNamespace`, message: 'must be the ingress namespace "default"' }],
    ],
    ['a header match without exact', ingress({ rules: [{ hosts: ['h'], http: { paths: [{ headers: { 'X-A': { prefix: 'x' } }, splits: [split()] }] } }] }), [{ path: `${p}.headers.X-A.exact`, message: 'required' }, { path: `${p}.headers.X-A.prefix`, message: 'unknown field "prefix"' }]],
    [
      'appendHeaders with a number value and a bad name',
      ingress({ rules: [{ hosts: ['h'], http: { paths: [{ appendHeaders: { 'X-N': 5, 'bad name': 'v' }, splits: [split()] }] } }] }),
      [
        { path: `${p}.appendHeaders.X-N`, message: 'must be a string, got number' },
        { path: `${p}.appendHeaders["bad name"]`, message: 'must be a valid HTTP header name' },
      ],
    ],
    ['a number where a string must be', ingress({ rules: [{ hosts: [42], http: { paths: [{ splits: [split({ serviceName: 7 })] }] } }] }), [{ path: 'spec.rules[0].hosts[0]', message: 'must be a string, got number' }, { path: `${p}.splits[0].serviceName`, message: 'must be a string, got number' }]],
    ['a fractional percent', ingress({ rules: [{ hosts: ['h'], http: { paths: [{ splits: [split({ percent: 50.5 }), split({ percent: 49.5 })] }] } }] }), [{ path: `${p}.splits[0].percent`, message: 'must be an integer, got 50.5' }, { path: `${p}.splits[1].percent`, message: 'must be an integer, got 49.5' }]],
    ['tls without hosts or secretName', ingress({ ...goodSpec(), tls: [{ secretNamespace: 'x' }] }), [{ path: 'spec.tls[0].hosts', message: 'required' }, { path: 'spec.tls[0].secretName', message: 'required' }]],
    ['a missing name', ingress(goodSpec(), {}), [{ path: 'metadata.name', message: 'required' }]],
    ['a name that is not DNS-1123', ingress(goodSpec(), { name: 'Hello_World' }), [{ path: 'metadata.name', message: 'must be a lower-case DNS-1123 name (a-z, 0-9, "-", ".")' }]],
    ['a bad namespace', ingress(goodSpec(), { name: 'a', namespace: 'a.b' }), [{ path: 'metadata.namespace', message: 'must be a lower-case DNS-1123 label (a-z, 0-9, "-")' }]],
    ['a document that is not an object', ['a', 'list'], [{ path: '', message: 'must be an object (a Kubernetes resource), got array' }]],
    ['missing apiVersion and kind', { metadata: { name: 'x' } }, [{ path: 'apiVersion', message: 'required' }, { path: 'kind', message: 'required' }]],
    ['a service port out of range', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 70000 }] } }, [{ path: 'spec.ports[0].port', message: 'must be 1..65535' }]],
    [
      'unnamed ports on a multi-port service',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 81, name: 'b' }] } },
      [{ path: 'spec.ports[0].name', message: 'required when a Service has more than one port' }],
    ],
    ['an ExternalName service without externalName', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'ExternalName' } }, [{ path: 'spec.externalName', message: 'required' }]],
    [
      'an EndpointSlice address that is not IPv4',
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [{ addresses: ['::1'], conditions: { ready: 'yes' } }] },
      [
        { path: 'endpoints[0].addresses[0]', message: 'must be an IPv4 address' },
        { path: 'endpoints[0].conditions.ready', message: 'must be true or false, got string' },
      ],
    ],
    ['an Endpoints port without a number', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: 'nope' }], ports: [{ name: 'http' }] }] }, [{ path: 'subsets[0].addresses[0].ip', message: 'must be an IP address' }, { path: 'subsets[0].ports[0].port', message: 'required' }]],
    [
      'a TLS secret with bad base64 and no key',
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'not base64!' } },
      [
        { path: 'data["tls.crt"]', message: 'must be base64' },
        { path: 'data["tls.key"]', message: 'required for a kubernetes.io/tls Secret (in data or stringData)' },
      ],
    ],
  ];
  for (const [name, doc, expected] of bad) {
    test(name, () => assert.deepEqual(errorsOf(validateDocument(doc, origin)), expected));
  }

  test('collects every error of a document, in document order', () => {
    const doc = ingress(
      {
        httpOption: 'Sometimes',
        rules: [
          { hosts: [], visibility: 'Nowhere', http: { paths: [{ path: 'x', splits: [split({ percent: 101 }), split({ percent: -1 })] }, { splits: [] }] } },
          { hosts: ['ok'], http: { paths: [{ splits: [split({ servicePort: 0 })] }] } },
        ],
      },
      { name: 'many', namespace: 'default' },
    );
    assert.deepEqual(
      errorsOf(validateDocument(doc, origin)).map((e) => `${e.path}: ${e.message}`),
      [
        'spec.rules[0].hosts: must not be empty',
        'spec.rules[0].visibility: must be ExternalIP or ClusterLocal, got "Nowhere"',
        'spec.rules[0].http.paths[0].path: must start with "/"',
        'spec.rules[0].http.paths[0].splits[0].percent: must be 0..100',
        'spec.rules[0].http.paths[0].splits[1].percent: must be 0..100',
        'spec.rules[0].http.paths[1].splits: must not be empty',
        'spec.rules[1].http.paths[0].splits[0].servicePort: must be 1..65535',
        'spec.httpOption: must be Enabled or Redirected, got "Sometimes"',
      ],
    );
  });

  test('names the object in the rejection even when its spec is wrong', () => {
    const out = validateDocument(ingress({ rules: [] }, { name: 'n', namespace: 'apps' }), origin);
    assert.ok(out.kind === 'rejected');
    assert.deepEqual({ ...out.rejection, errors: [] }, { kind: 'Ingress', namespace: 'apps', name: 'n', origin, errors: [] });
  });
});

describe('validateDocument ignores', () => {
  for (const [apiVersion, kind] of [
    ['v1', 'Pod'],
    ['networking.k8s.io/v1', 'Ingress'],
    ['serving.knative.dev/v1', 'Service'],
  ] as const) {
    test(`${apiVersion} ${kind}`, () => {
      assert.deepEqual(validateDocument({ apiVersion, kind, metadata: { name: 'x' }, spec: 5 }, origin), { kind: 'ignored', apiVersion, kindName: kind });
    });
  }
});

describe('validateDocument ConfigMap (CA bundles for Gateway client certificate validation)', () => {
  test('is read, with its string data', () => {
    const out = validateDocument({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ca' }, data: { 'ca.crt': 'PEM' } }, origin);
    assert.equal(out.kind, 'resource');
  });
  test('data that is not a map of strings is rejected, naming the field', () => {
    const out = validateDocument({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ca' }, data: { 'ca.crt': 5 } }, origin);
    assert.ok(out.kind === 'rejected');
    assert.match(out.rejection.errors.map((e) => e.path).join(' '), /data/);
  });
});
