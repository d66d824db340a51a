import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IngressSpec } from '../../src/api/types.ts';
import { applyDefaults } from '../../src/translate/defaults.ts';

const spec = (): IngressSpec => ({
  tls: [{ hosts: ['a.example.com'], secretName: 's' }],
  rules: [
    { hosts: ['a.example.com'], http: { paths: [{ splits: [{ serviceNamespace: 'n', serviceName: 'one', servicePort: 80 }] }] } },
    {
      hosts: ['b.example.com'],
      visibility: 'ClusterLocal',
      http: {
        paths: [
          {
            splits: [
              { serviceNamespace: 'n', serviceName: 'x', servicePort: 80, percent: 30 },
              { serviceNamespace: 'n', serviceName: 'y', servicePort: 80, percent: 70 },
            ],
          },
          { splits: [{ serviceNamespace: 'n', serviceName: 'z', servicePort: 80, percent: 100 }] },
        ],
      },
    },
  ],
});

test('a rule without visibility gets ExternalIP; an explicit one is kept', () => {
  const out = applyDefaults(spec());
  assert.equal(out.rules?.[0].visibility, 'ExternalIP');
  assert.equal(out.rules?.[1].visibility, 'ClusterLocal');
});

test('a single split without percent gets 100; multi-split percents are untouched', () => {
  const out = applyDefaults(spec());
  assert.equal(out.rules?.[0].http?.paths[0].splits[0].percent, 100);
  assert.deepEqual(out.rules?.[1].http?.paths[0].splits.map((s) => s.percent), [30, 70]);
  assert.equal(out.rules?.[1].http?.paths[1].splits[0].percent, 100);
  const zero = applyDefaults({ rules: [{ http: { paths: [{ splits: [{ serviceNamespace: 'n', serviceName: 'a', servicePort: 1, percent: 0 }] }] } }] });
  assert.equal(zero.rules?.[0].http?.paths[0].splits[0].percent, 100);
});

test('httpOption, paths and TLS are not defaulted (Knative leaves them)', () => {
  const out = applyDefaults(spec());
  assert.equal(out.httpOption, undefined);
  assert.equal(out.rules?.[0].http?.paths[0].path, undefined);
  assert.deepEqual(out.tls, spec().tls);
});

test('returns a new object, leaves the input untouched, and is idempotent', () => {
  const input = spec();
  const before = structuredClone(input);
  const once = applyDefaults(input);
  assert.deepEqual(input, before);
  assert.notEqual(once, input);
  assert.notEqual(once.rules?.[0].http?.paths[0].splits[0], input.rules?.[0].http?.paths[0].splits[0]);
  assert.deepEqual(applyDefaults(once), once);
});

test('a rule without an http block does not throw', () => {
  assert.deepEqual(applyDefaults({ rules: [{ hosts: ['x'] }] }), { rules: [{ hosts: ['x'], visibility: 'ExternalIP' }] });
});

// The YAML reader makes equal values of a file one object; Knative writes an ingress's public and
// cluster-local rules with the same paths, so their http blocks arrive as one object.
test('rules sharing one http block get one defaulted block, and hash as separate equal blocks would', async () => {
  const { encodeSpec } = await import('../../src/translate/hash.ts');
  const http = { paths: [{ path: '/', splits: [{ serviceNamespace: 'n', serviceName: 'one', servicePort: 80 }] }] };
  const shared: IngressSpec = { rules: [{ hosts: ['a.example.com'], http }, { hosts: ['a.n.svc.cluster.local'], visibility: 'ClusterLocal', http }] };
  const out = applyDefaults(shared);
  assert.equal(out.rules?.[0]?.http, out.rules?.[1]?.http);
  assert.notEqual(out.rules?.[0]?.http, http, 'the input is not modified');
  assert.equal(out.rules?.[0]?.http?.paths[0]?.splits[0]?.percent, 100);
  assert.equal(http.paths[0]?.splits[0] && 'percent' in http.paths[0].splits[0], false);
  const apart: IngressSpec = { rules: shared.rules?.map((r) => ({ ...r, http: structuredClone(http) })) };
  const separate = applyDefaults(apart);
  assert.notEqual(separate.rules?.[0]?.http, separate.rules?.[1]?.http);
  assert.equal(encodeSpec(out), encodeSpec(separate));
});
